// How budgets are shown: their scope in words and the order "most at risk first".
import type { TBudgetView } from '@/lib/budgets'
import type { TBurnGranularity, TBurnPoint } from '@/lib/budgets/burn-down'

/** What a budget is restricted to (its fields, or a budget alert's recorded scope). */
export type TBudgetScope = { environment: string | null; workflow_id: string | null; account_id: string | null; feature: string | null }
export type TScopePart = { dimension: 'environment' | 'workflow' | 'account' | 'feature'; value: string; href: string | null }

/** What a budget watches, one part per dimension it is restricted to, each with the page of that workflow, account or feature. */
export function budgetScopeParts(org: string, b: TBudgetScope): TScopePart[] {
  const parts: TScopePart[] = []
  if (b.environment) parts.push({ dimension: 'environment', value: b.environment, href: null })
  if (b.workflow_id) parts.push({ dimension: 'workflow', value: b.workflow_id, href: `/${org}/workflows/${encodeURIComponent(b.workflow_id)}` })
  if (b.account_id) parts.push({ dimension: 'account', value: b.account_id, href: `/${org}/accounts/${encodeURIComponent(b.account_id)}` })
  if (b.feature) parts.push({ dimension: 'feature', value: b.feature, href: `/${org}/features` })
  return parts
}

const RANK: Record<string, number> = { exceeded: 0, warning: 1, ok: 2, no_data: 3 }

/** Exceeded, then past a threshold, then within, then without data; within each, the most used first. */
export function sortBudgets(budgets: TBudgetView[]): TBudgetView[] {
  return [...budgets].sort(
    (a, b) =>
      RANK[a.status.state] - RANK[b.status.state] ||
      Number(b.status.projected_over) - Number(a.status.projected_over) ||
      (b.status.used_ratio ?? -1) - (a.status.used_ratio ?? -1) ||
      a.name.localeCompare(b.name),
  )
}

const UTC_DAY = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' })

/** What the budget's hard cutoff does to the calls it covers, now and once exceeded (POST /api/v1/decide). */
export function enforcementLabel(b: Pick<TBudgetView, 'hard_cutoff' | 'metric' | 'cutoff_action' | 'throttle_per_minute' | 'period' | 'status'>): string {
  if (!b.hard_cutoff || b.metric !== 'spend') return 'Alerts only: calls are never held back'
  const exceeded = b.status.state === 'exceeded'
  if (b.cutoff_action === 'deny') {
    const until =
      b.period === 'rolling'
        ? 'until the window’s spend falls under the amount'
        : `until the period ends (${UTC_DAY.format(new Date(b.status.window.end))}, 00:00 UTC)`
    return exceeded ? `Denying the calls it covers ${until}` : 'Denies the calls it covers once exceeded'
  }
  return exceeded
    ? `Throttling the calls it covers to ${b.throttle_per_minute} per minute`
    : `Throttles the calls it covers to ${b.throttle_per_minute} per minute once exceeded`
}

export type TBurnChartPoint = { label: string; t: string; actual: number | null; pace: number; projected: number | null; value: number | null }

/** The history's points for a chart (numbers for drawing only; the figures shown come from the strings). */
export function burnChartPoints(points: TBurnPoint[], granularity: TBurnGranularity): TBurnChartPoint[] {
  const num = (v: string | null) => (v === null ? null : Number(v))
  return points.map((p) => ({
    t: p.t,
    label: granularity === 'hour' ? `${p.t.slice(11, 16)}` : p.t.slice(5, 10),
    actual: num(p.cumulative_usd),
    pace: Number(p.pace_usd),
    projected: num(p.projected_usd),
    value: num(p.value_usd),
  }))
}
