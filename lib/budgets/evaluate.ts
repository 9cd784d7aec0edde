// A budget's period and state, pure: the window it measures at a given time,
// how much of the amount is used, the highest threshold crossed, and the
// projected end-of-period spend. Money is exact (micro-dollars).
import type { z } from 'zod'
import { DAY_MS, micros } from '@/lib/domain'
import { fromScaled, usdPerUnit } from '@/lib/cost/money'
import type { ZBudgetStatus } from '@/lib/budgets/schema'

export const BUDGET_PERIODS = ['day', 'month', 'rolling'] as const
export const BUDGET_METRICS = ['spend', 'cost_per_run', 'cost_per_accepted_outcome'] as const
export type TBudgetPeriod = (typeof BUDGET_PERIODS)[number]
export type TBudgetMetric = (typeof BUDGET_METRICS)[number]
/** What a hard cutoff does to the calls a budget covers once it is exceeded. */
export const CUTOFF_ACTIONS = ['throttle', 'deny'] as const
export type TCutoffAction = (typeof CUTOFF_ACTIONS)[number]

export type TBudgetRule = {
  period: TBudgetPeriod
  rolling_days?: number | null
  metric: TBudgetMetric
  amount_usd: string
  thresholds: number[]
}

/** What a budget covers and its name: the part of a budget its run-time gates and ledgers carry. */
export type TBudgetScope = {
  id: string
  name: string
  environment: string | null
  workflow_id: string | null
  account_id: string | null
  feature: string | null
  traffic_sources: string[]
}
export const budgetScope = (b: TBudgetScope): TBudgetScope => ({
  id: b.id,
  name: b.name,
  environment: b.environment,
  workflow_id: b.workflow_id,
  account_id: b.account_id,
  feature: b.feature,
  traffic_sources: b.traffic_sources,
})

export type TWindow = { from: Date; to: Date /** the end of the period (for day and month); equals `to` for rolling windows */; end: Date }

/** The window a budget measures at `now`: the UTC day or calendar month so far, or the last N days. */
export function budgetWindow(rule: Pick<TBudgetRule, 'period' | 'rolling_days'>, now: Date): TWindow {
  const y = now.getUTCFullYear()
  const m = now.getUTCMonth()
  if (rule.period === 'day') {
    const from = new Date(Date.UTC(y, m, now.getUTCDate()))
    return { from, to: now, end: new Date(from.getTime() + DAY_MS) }
  }
  if (rule.period === 'month') return { from: new Date(Date.UTC(y, m, 1)), to: now, end: new Date(Date.UTC(y, m + 1, 1)) }
  const days = rule.rolling_days ?? 7
  return { from: new Date(now.getTime() - days * DAY_MS), to: now, end: now }
}

export const BUDGET_STATES = ['ok', 'warning', 'exceeded', 'no_data'] as const
export type TBudgetState = (typeof BUDGET_STATES)[number]

export type TBudgetMeasure = {
  /** spend in the window (the budget's scope and traffic sources) */
  cost_usd: string
  runs: number
  /** production cost and accepted outcomes, for cost per accepted outcome */
  production_cost_usd: string
  accepted_outcomes: number
}

export type TBudgetStatus = z.infer<typeof ZBudgetStatus>

/**
 * The one budget projection (the Budgets page, a budget's burn-down and the
 * Forecast page's budget outlook all read it): the spend of the period so far,
 * to now, extrapolated at its pace to the period's end (or to `until`, for a
 * point of the burn-down), in micro-dollars, rounded down.
 */
export function projectToEnd(spentMicros: bigint, w: TWindow, until: Date = w.end): bigint {
  const elapsed = BigInt(Math.max(1, w.to.getTime() - w.from.getTime()))
  const span = BigInt(Math.max(0, Math.min(until.getTime(), w.end.getTime()) - w.from.getTime()))
  return (spentMicros * span) / elapsed
}

/** The budget's state from what was measured in its window. */
export function budgetStatus(rule: TBudgetRule, w: TWindow, m: TBudgetMeasure): TBudgetStatus {
  const actual =
    rule.metric === 'spend'
      ? m.cost_usd
      : rule.metric === 'cost_per_run'
        ? usdPerUnit(m.cost_usd, m.runs)
        : usdPerUnit(m.production_cost_usd, m.accepted_outcomes)
  const amount = micros(rule.amount_usd)
  const used = actual === null || amount === 0n ? null : Number((micros(actual) * 1_000_000n) / amount) / 1_000_000
  const crossed = used === null ? [] : [...rule.thresholds].sort((a, b) => a - b).filter((t) => used * 100 >= t)
  const threshold = crossed.length ? crossed[crossed.length - 1] : null
  const state: TBudgetState = used === null ? 'no_data' : used >= 1 ? 'exceeded' : threshold !== null ? 'warning' : 'ok'
  const projected = rule.metric === 'spend' && rule.period !== 'rolling' ? fromScaled(projectToEnd(micros(m.cost_usd), w), 6) : null
  return {
    window: { from: w.from.toISOString(), to: w.to.toISOString(), end: w.end.toISOString() },
    actual_usd: actual,
    used_ratio: used,
    threshold_crossed: threshold,
    state,
    projected_usd: projected,
    projected_over: projected !== null && micros(projected) > amount,
  }
}
