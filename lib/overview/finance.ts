// The overview's finance part (docs/finance.md "The overview"): the windows it
// reads (today, the month to date, the last closed month), the budgets it holds
// the month against, and the last closed month's reconciliation in one status.
// Pure and client-safe: every figure comes from an existing API (metrics,
// budgets, forecast, alerts, changes, reconciliation); nothing is recomputed here.
import { HOUR_MS, micros, microsToUsd } from '@/lib/domain'
import { formatPercent, formatUsd } from '@/lib/format'
import { internalTraffic } from '@/lib/metrics/prepare'
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

/** A cent: below it, the calls' cost and the whole bill's API inference differ by rounding only. */
const GPU_TIME_MIN_MICROS = 10_000n

export type TInternalShare = {
  /** the month's calls on eval, replay and ops traffic (every environment), USD */
  internal_usd: string
  /** internal_usd ÷ calls_usd (6 decimals, truncated) */
  share: number
  /** the share's denominator: every call of the month, priced (GPU time on the pools included), USD */
  calls_usd: string
  /** what the month card shows as API inference (the whole bill's part); null until it answers */
  api_inference_usd: string | null
  /** calls_usd − api_inference_usd: the calls' GPU time on the pools, paid in GPU capacity; null under a cent */
  gpu_time_usd: string | null
  /** the KPI's hint, naming the denominator with its amount */
  hint: string
}

/**
 * The "Eval, replay and ops" figure and its share, its denominator named with its amount so it agrees with the
 * month card beside it: the calls' cost by traffic source (the metrics, as the traffic-source panel splits it)
 * equals the card's API inference unless calls ran on the fleet's GPU pools — the whole bill counts that time
 * in GPU capacity, not in API inference — and then the hint says by how much. (The share once divided by the
 * calls' cost while calling it "the month's API inference", a different figure on the page.)
 */
export function internalShare(monthRows: Parameters<typeof internalTraffic>[0], bill: { api_inference_usd: string } | null): TInternalShare {
  const { internal_usd, share } = internalTraffic(monthRows)
  const calls = monthRows.reduce((s, r) => s + micros(r.cost_usd), 0n)
  const calls_usd = microsToUsd(calls)
  const api = bill ? micros(bill.api_inference_usd) : null
  // per-scenario rounding moves the whole bill's part by a few micro-dollars: GPU time only from a cent up
  const gap = api !== null && calls - api >= GPU_TIME_MIN_MICROS ? calls - api : null
  const rest = 'the rest is production traffic (any environment)'
  const hint =
    gap === null
      ? `${formatPercent(share)} of the month's API inference (${formatUsd(microsToUsd(api ?? calls))}); ${rest}`
      : `${formatPercent(share)} of the ${formatUsd(calls_usd)} the month's calls cost: API inference ${formatUsd(microsToUsd(api!))} + ${formatUsd(microsToUsd(gap))} of GPU time on the pools (in GPU capacity); ${rest}`
  return {
    internal_usd,
    share,
    calls_usd,
    api_inference_usd: api === null ? null : microsToUsd(api),
    gpu_time_usd: gap === null ? null : microsToUsd(gap),
    hint,
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
