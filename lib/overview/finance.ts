// The overview's finance part (docs/finance.md "The overview"): the windows it
// reads (today, the month to date, the last closed month), the budgets it holds
// the month against, and the last closed month's reconciliation in one status.
// Pure and client-safe: every figure comes from an existing API (metrics,
// budgets, forecast, alerts, changes, reconciliation); nothing is recomputed here.
import { HOUR_MS } from '@/lib/domain'
import type { TPeriod } from '@/lib/metrics/breakdown'
import type { TBudgetView } from '@/lib/budgets'
import type { TReconciliationAnswer } from '@/lib/bills/schema'

export type TFinanceWindows = {
  /** today (UTC) up to the next hour boundary, as the overview's other windows end (lib/metrics/breakdown.ts periods()) */
  today: TPeriod
  /** the first of this month (UTC) up to the next hour boundary */
  month: TPeriod
  /** the last closed month as whole days, `to` exclusive (GET /api/v1/reconciliation's from and to) */
  lastMonth: { from: string; to: string; label: string }
}

const MONTH = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', year: 'numeric' })

export function financeWindows(now = new Date()): TFinanceWindows {
  const y = now.getUTCFullYear()
  const m = now.getUTCMonth()
  const to = new Date(Math.ceil((now.getTime() + 1) / HOUR_MS) * HOUR_MS).toISOString()
  const iso = (t: number) => new Date(t).toISOString()
  const day = (t: number) => iso(t).slice(0, 10)
  const lastStart = Date.UTC(y, m - 1, 1)
  return {
    today: { from: iso(Date.UTC(y, m, now.getUTCDate())), to },
    month: { from: iso(Date.UTC(y, m, 1)), to },
    lastMonth: { from: day(lastStart), to: day(Date.UTC(y, m, 1)), label: MONTH.format(new Date(lastStart)) },
  }
}

const unscoped = (b: TBudgetView) => b.environment === null && b.workflow_id === null && b.account_id === null && b.feature === null

/** The spend budgets over a calendar month, the whole organization's first, then by name (the order GET /api/v1/budgets gives). */
export function monthBudgets(budgets: TBudgetView[]): TBudgetView[] {
  const month = budgets.filter((b) => b.period === 'month' && b.metric === 'spend')
  return [...month.filter(unscoped), ...month.filter((b) => !unscoped(b))]
}

/** The whole organization's spend budget over a day or a month (no environment, workflow, account or feature), if there is one. */
export function organizationBudget(budgets: TBudgetView[], period: 'day' | 'month'): TBudgetView | null {
  return budgets.find((b) => b.period === period && b.metric === 'spend' && unscoped(b)) ?? null
}

export type TReconciliationStatus =
  | { kind: 'no_bill' }
  | {
      kind: 'flagged' | 'matches'
      computed_usd: string
      billed_usd: string
      difference_usd: string
      difference_ratio: number | null
      flagged_rows: number
      providers: string[]
    }

/** The last closed month's reconciliation (granularity=month) as one status: no bill imported, within 1% everywhere, or flagged rows. */
export function reconciliationStatus(a: Pick<TReconciliationAnswer, 'totals'>): TReconciliationStatus {
  const t = a.totals
  if (t.providers.length === 0) return { kind: 'no_bill' }
  return {
    kind: t.flagged_rows > 0 ? 'flagged' : 'matches',
    computed_usd: t.computed_usd,
    billed_usd: t.billed_usd,
    difference_usd: t.difference_usd,
    difference_ratio: t.difference_ratio,
    flagged_rows: t.flagged_rows,
    providers: t.providers,
  }
}
