// Spend forecasts for finance: the daily spend series of a scope (the
// organization, a workflow, an account) from the rollups, fitted by additive
// Holt-Winters with a weekly season, summed to the end of the month and of
// the quarter with a 95% band, next to the model's backtest error (fit on all
// but the last 28 days, forecast them, MAPE). Spent-to-date is exact money
// from the rollups; the forecast part is a model estimate, rounded to 6 decimals.
import { DAY_MS, PRODUCTION_FILTER } from '@/lib/domain'
import { queryMetrics, ZMetricsQuery, type TMetricsQuery, type TMetricsRow } from '@/lib/metrics/query'
import type { TBudget } from '@/lib/budgets'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { backtestMape, fitHoltWinters, forecastHoltWinters, sumForecast, type THwFit } from '@/lib/forecast/holt-winters'
import { applyWhatIf, parseModelRef, priceStepTotals } from '@/lib/forecast/what-if'
import {
  BACKTEST_DAYS,
  MIN_HISTORY_DAYS,
  type TBudgetOutlook,
  type TForecast,
  type TForecastQuery,
  type TForecastSummaryRow,
  type TPeriodForecast,
  type TStepMove,
} from '@/lib/forecast/schema'
import { loadPriceBook } from '@/lib/cost/pricebook'
import { divRound } from '@/lib/cost/money'
import { badRequest } from '@/lib/errors'
import { billForecast } from '@/lib/forecast/bill'
import { measureBudgets } from '@/lib/budgets/measure'

export { BACKTEST_DAYS, MIN_HISTORY_DAYS, ZForecastQuery } from '@/lib/forecast/schema'
export type { TBudgetOutlook, TForecast, TForecastQuery, TForecastSummaryRow, TPeriodForecast, TStepMove, TWhatIf } from '@/lib/forecast/schema'

const usd = (n: number) => n.toFixed(6)
const dayKey = (t: number) => new Date(t).toISOString().slice(0, 10)

/** Daily spend from `from` to `to` (exclusive, whole UTC days), zeros filled, as exact micro-dollars. */
export function dailyMicros(rows: Pick<TMetricsRow, 'bucket' | 'cost_usd'>[], from: number, to: number): bigint[] {
  const by = new Map(rows.map((r) => [r.bucket!.slice(0, 10), toScaled(r.cost_usd, 6)]))
  const out: bigint[] = []
  for (let t = from; t < to; t += DAY_MS) out.push(by.get(dayKey(t)) ?? 0n)
  return out
}

/** Spend from the month's and from the quarter's first day to the start of today, each range summed once (micro-dollars). */
export type TSpentToDate = { month: bigint; quarter: bigint }

/**
 * The forecast of one daily series (micro-dollars, oldest first, ending yesterday) at `today`. `toDate`: the
 * month's and the quarter's spend to date as the metrics API sums a range (once, then rounded); without it, the
 * sum of the rounded days, which can differ from the other pages' figure for the same span by a micro-dollar a day.
 */
export function forecastSeries(daily: bigint[], today: Date, scope: TForecast['scope'], toDate?: TSpentToDate): TForecast {
  const t0 = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())
  const firstDay = t0 - daily.length * DAY_MS
  const monthStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1)
  const monthEnd = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1)
  const q = Math.floor(today.getUTCMonth() / 3) * 3
  const quarterStart = Date.UTC(today.getUTCFullYear(), q, 1)
  const quarterEnd = Date.UTC(today.getUTCFullYear(), q + 3, 1)
  const sumDays = (start: number) => daily.reduce((a, v, i) => (firstDay + i * DAY_MS >= start ? a + v : a), 0n)
  // history starts at the first day with spend: a young scope's leading zeros are not a trend
  const first = daily.findIndex((v) => v > 0n)
  const y = first < 0 ? [] : daily.slice(first).map((v) => Number(v) / 1e6)
  const fit: THwFit | null = y.length >= MIN_HISTORY_DAYS ? fitHoltWinters(y) : null
  const horizon = Math.round((quarterEnd - t0) / DAY_MS)
  const ahead = fit ? forecastHoltWinters(fit, horizon) : []
  const period = (start: number, end: number, spent: bigint | undefined): TPeriodForecast => {
    const actual = spent ?? sumDays(start)
    const steps = Math.round((end - t0) / DAY_MS)
    const s = fit ? sumForecast(fit, 1, steps) : null
    const a = Number(actual) / 1e6
    return {
      end: new Date(end).toISOString(),
      actual_to_date_usd: fromScaled(actual, 6),
      forecast_usd: s ? usd(a + s.mean) : null,
      lower_usd: s ? usd(a + s.lower) : null,
      upper_usd: s ? usd(a + s.upper) : null,
    }
  }
  return {
    scope,
    as_of: new Date(t0).toISOString(),
    series: [
      ...daily.map((v, i) => ({ day: dayKey(firstDay + i * DAY_MS), actual_usd: fromScaled(v, 6), forecast_usd: null, lower_usd: null, upper_usd: null })),
      ...ahead.map((p, k) => ({ day: dayKey(t0 + k * DAY_MS), actual_usd: null, forecast_usd: usd(p.mean), lower_usd: usd(p.lower), upper_usd: usd(p.upper) })),
    ],
    month_end: period(monthStart, monthEnd, toDate?.month),
    quarter_end: period(quarterStart, quarterEnd, toDate?.quarter),
    backtest: { mape: fit ? backtestMape(y, BACKTEST_DAYS) : null, holdout_days: BACKTEST_DAYS },
    model: fit ? { kind: 'holt_winters_additive', season_days: 7, alpha: fit.alpha, beta: fit.beta, gamma: fit.gamma, history_days: y.length } : null,
    note: fit ? null : `Needs at least ${MIN_HISTORY_DAYS} days of spend in this scope to forecast (has ${y.length}).`,
  }
}

function historyWindow(q: Pick<TForecastQuery, 'history_days'>, now: Date) {
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  // the quarter-to-date actual needs the whole quarter, whatever the history asked for
  const quarterStart = Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)
  return { from: Math.min(to - q.history_days * DAY_MS, quarterStart), to }
}

/** The forecast for the organization, a workflow or an account (all environments and traffic sources: the whole bill), with the what-if when asked. */
export async function forecast(orgId: string, q: TForecastQuery, now = new Date()): Promise<TForecast> {
  const events = await forecastFiltered(
    orgId,
    { workflow_id: q.workflow_id ? [q.workflow_id] : undefined, account_id: q.account_id ? [q.account_id] : undefined },
    q.history_days,
    now,
    { workflow_id: q.workflow_id ?? null, account_id: q.account_id ?? null },
  )
  // the organization's forecast covers the whole bill: the fleet's run-rate and the known line items besides the events
  const f: TForecast = { ...events, bill: q.workflow_id || q.account_id ? null : await billForecast(orgId, events, now) }
  if (q.growth_pct === undefined && !q.move_to) return f
  const move = q.move_to ? await stepMove(orgId, q, new Date(f.as_of)) : null
  const s = applyWhatIf(f, { growth_pct: q.growth_pct ?? 0, delta_per_day_micros: move ? toScaled(move.delta_per_day_usd, 6) : 0n })
  return {
    ...f,
    what_if: { growth_pct: q.growth_pct ?? 0, step_move: move, series: s?.series ?? [], month_end: s?.month_end ?? null, quarter_end: s?.quarter_end ?? null },
  }
}

export const MOVE_WINDOW_DAYS = 30

/**
 * The step's production calls of the last 30 whole days (within the forecast's
 * account, if any), from the rollups, priced on the target model by the cost
 * engine: the change per day the move makes at today's traffic.
 */
export async function stepMove(orgId: string, q: TForecastQuery, asOf: Date): Promise<TStepMove> {
  const to = parseModelRef(q.move_to!)!
  const from = new Date(asOf.getTime() - MOVE_WINDOW_DAYS * DAY_MS)
  const [{ rows }, book] = await Promise.all([
    queryMetrics(orgId, {
      ...ZMetricsQuery.parse({}),
      from,
      to: asOf,
      workflow_id: [q.move_workflow_id!],
      step: [q.move_step!],
      ...PRODUCTION_FILTER,
      account_id: q.account_id ? [q.account_id] : undefined,
      group_by: ['provider', 'model'],
    }),
    loadPriceBook(orgId),
  ])
  const sum = (k: 'events' | 'requests' | 'tokens_in' | 'cached_tokens_in' | 'cache_write_tokens' | 'tokens_out' | 'unpriced_events') =>
    rows.reduce((a, r) => a + r[k], 0)
  const calls = sum('events')
  if (calls === 0) {
    throw badRequest('Invalid query parameters', {
      errors: [
        `move_step: ${q.move_workflow_id} / ${q.move_step} has no production calls in the last ${MOVE_WINDOW_DAYS} days${q.account_id ? ` for account ${q.account_id}` : ''}`,
      ],
    })
  }
  const totals = {
    calls,
    requests: sum('requests'),
    tokens_in: sum('tokens_in'),
    cached_tokens_in: sum('cached_tokens_in'),
    cache_write_tokens: sum('cache_write_tokens'),
    tokens_out: sum('tokens_out'),
  }
  const target = priceStepTotals(book.modelPrice(to.provider, to.model, asOf), totals, asOf)
  if (target === null)
    throw badRequest('Invalid query parameters', { errors: [`move_to: ${q.move_to} has no price; add one on the Pricing page (PUT /api/v1/prices)`] })
  const current = rows.reduce((a, r) => a + toScaled(r.cost_usd, 6), 0n)
  const perCall = (m: bigint) => fromScaled(divRound(m, BigInt(calls)), 6)
  return {
    workflow_id: q.move_workflow_id!,
    step: q.move_step!,
    to,
    window: { from: from.toISOString(), to: asOf.toISOString(), days: MOVE_WINDOW_DAYS },
    ...totals,
    unpriced_calls: sum('unpriced_events'),
    current_models: rows.map((r) => ({ provider: r.provider ?? null, model: r.model ?? null, calls: r.events, cost_usd: r.cost_usd })),
    current_cost_usd: fromScaled(current, 6),
    target_cost_usd: fromScaled(target, 6),
    current_per_call_usd: perCall(current),
    target_per_call_usd: perCall(target),
    delta_per_day_usd: fromScaled(divRound(target - current, BigInt(MOVE_WINDOW_DAYS)), 6),
  }
}

/** The forecast of any metrics filter (a budget's scope, for one). */
export async function forecastFiltered(
  orgId: string,
  filter: Partial<TMetricsQuery>,
  historyDays: number,
  now: Date,
  scope: TForecast['scope'],
): Promise<TForecast> {
  const w = historyWindow({ history_days: historyDays }, now)
  const [{ rows }, toDate] = await Promise.all([
    queryMetrics(orgId, {
      ...ZMetricsQuery.parse({}),
      ...filter,
      from: new Date(w.from),
      to: new Date(w.to),
      granularity: 'day',
      group_by: undefined,
    }),
    spentToDate(orgId, filter, now),
  ])
  return forecastSeries(dailyMicros(rows, w.from, w.to), now, scope, toDate.get(null) ?? { month: 0n, quarter: 0n })
}

/**
 * The month's and the quarter's spend to the start of today, per key of `groupBy` (null: ungrouped), read as the
 * overview, the lists and the monthly report read a range: one sum over it, rounded once. (Summing the forecast's
 * rounded days instead made "spent this month so far" differ from the same span elsewhere by micro-dollars.)
 */
async function spentToDate(
  orgId: string,
  filter: Partial<TMetricsQuery>,
  now: Date,
  groupBy?: 'workflow_id' | 'account_id',
): Promise<Map<string | null, TSpentToDate>> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
  const quarterStart = Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)
  const sum = async (from: number): Promise<Map<string | null, bigint>> => {
    if (from >= today) return new Map()
    const { rows } = await queryMetrics(orgId, {
      ...ZMetricsQuery.parse({}),
      ...filter,
      from: new Date(from),
      to: new Date(today),
      granularity: 'none',
      group_by: groupBy ? [groupBy] : undefined,
      measures: ['cost_usd'],
      limit: 100_000,
    })
    return new Map(rows.map((r) => [groupBy ? (r[groupBy] ?? null) : null, toScaled(r.cost_usd, 6)]))
  }
  const [month, quarter] = await Promise.all([sum(monthStart), sum(quarterStart)])
  const out = new Map<string | null, TSpentToDate>()
  for (const k of new Set([...month.keys(), ...quarter.keys()])) out.set(k, { month: month.get(k) ?? 0n, quarter: quarter.get(k) ?? 0n })
  return out
}

/**
 * Month spend budgets: the projection (the same one, from the same measure,
 * as the Budgets page: lib/budgets/evaluate.ts projectToEnd) and, beside it,
 * the forecast model's month end for the budget's scope with its band.
 */
export async function budgetOutlook(orgId: string, budgets: TBudget[], now = new Date()): Promise<TBudgetOutlook[]> {
  const monthly = budgets.filter((x) => x.metric === 'spend' && x.period === 'month')
  const measured = await measureBudgets(orgId, monthly, now)
  const out: TBudgetOutlook[] = []
  for (const b of measured) {
    const only = (v: string | null) => (v === null ? undefined : [v])
    const f = await forecastFiltered(
      orgId,
      {
        environment: only(b.environment),
        workflow_id: only(b.workflow_id),
        account_id: only(b.account_id),
        feature: only(b.feature),
        traffic_source: b.traffic_sources,
      },
      120,
      now,
      { workflow_id: b.workflow_id, account_id: b.account_id },
    )
    const amount = toScaled(b.amount_usd, 6)
    const spent = toScaled(b.status.actual_usd ?? '0', 6)
    const projected = b.status.projected_usd
    const w = { from: new Date(b.status.window.from), to: new Date(b.status.window.to), end: new Date(b.status.window.end) }
    // the day the projection's pace passes the amount
    let exceeds: string | null = null
    if (spent > amount) exceeds = f.as_of
    else if (projected !== null && toScaled(projected, 6) > amount && spent > 0n) {
      const at = w.from.getTime() + Number((amount * BigInt(w.to.getTime() - w.from.getTime())) / spent)
      exceeds = new Date(Math.floor(at / DAY_MS) * DAY_MS).toISOString()
    }
    const m = f.month_end
    const verdict =
      exceeds || b.status.projected_over
        ? 'over'
        : m.upper_usd !== null && Number(m.upper_usd) > Number(b.amount_usd)
          ? 'at_risk'
          : spent === 0n && m.forecast_usd === null
            ? 'unknown'
            : 'within'
    out.push({
      budget_id: b.id,
      name: b.name,
      amount_usd: b.amount_usd,
      projected_usd: projected,
      projected_over: b.status.projected_over,
      month_end: m,
      exceeds_on: exceeds,
      verdict,
    })
  }
  return out
}

/** Month- and quarter-end forecasts for every workflow and the top accounts (by spend over the history), in two queries. */
export async function forecastSummary(
  orgId: string,
  opts: { history_days?: number; top_accounts?: number } = {},
  now = new Date(),
): Promise<TForecastSummaryRow[]> {
  const w = historyWindow({ history_days: opts.history_days ?? 120 }, now)
  const base = { ...ZMetricsQuery.parse({}), from: new Date(w.from), to: new Date(w.to), granularity: 'day' as const, limit: 100_000 }
  const [wf, acc, wfToDate, accToDate] = await Promise.all([
    queryMetrics(orgId, { ...base, group_by: ['workflow_id'] }),
    queryMetrics(orgId, { ...base, group_by: ['account_id'] }),
    spentToDate(orgId, {}, now, 'workflow_id'),
    spentToDate(orgId, {}, now, 'account_id'),
  ])
  const out: TForecastSummaryRow[] = []
  const each = (
    kind: 'workflow' | 'account',
    rows: TMetricsRow[],
    key: 'workflow_id' | 'account_id',
    top: number,
    toDate: Map<string | null, TSpentToDate>,
  ) => {
    const groups = new Map<string, TMetricsRow[]>()
    for (const r of rows) if (r[key]) groups.set(r[key]!, [...(groups.get(r[key]!) ?? []), r])
    const total = (xs: TMetricsRow[]) => xs.reduce((a, r) => a + toScaled(r.cost_usd, 6), 0n)
    const ranked = [...groups].sort((a, b) => (total(b[1]) > total(a[1]) ? 1 : total(b[1]) < total(a[1]) ? -1 : a[0].localeCompare(b[0]))).slice(0, top)
    for (const [id, xs] of ranked) {
      const f = forecastSeries(
        dailyMicros(xs, w.from, w.to),
        now,
        { workflow_id: kind === 'workflow' ? id : null, account_id: kind === 'account' ? id : null },
        toDate.get(id) ?? { month: 0n, quarter: 0n },
      )
      out.push({ kind, id, month_end: f.month_end, quarter_end: f.quarter_end, mape: f.backtest.mape, note: f.note })
    }
  }
  each('workflow', wf.rows, 'workflow_id', 50, wfToDate)
  each('account', acc.rows, 'account_id', opts.top_accounts ?? 10, accToDate)
  return out
}
