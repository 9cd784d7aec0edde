// The Features page's specifics on top of the shared breakdown logic
// (lib/metrics/breakdown.ts): cost per action (spend ÷ runs), each feature's
// cost SLO, its status for the period and its daily compliance. Money stays
// exact: spend in micro-dollars, targets in nano-dollars (numeric(20,9)), and
// "within" is decided by cross-multiplying, never by a rounded quotient.
import { toScaled } from '@/lib/cost/money'
import { micros, microsToUsd as fromScaledUsd } from '@/lib/domain'
import {
  baseCsvColumns,
  breakdownTable,
  csvPercent,
  csvRows,
  keyOf,
  onlyUnpriced,
  perUnit,
  pricedPerUnit,
  ratio,
  type TBreakdownMetricsRow,
  type TBreakdownRow,
  type TBreakdownTable,
  type TCsvColumn,
  type TPeriod,
} from '@/lib/metrics/breakdown'

/** How events without a feature are shown (the table, the CSV). */
export const NO_FEATURE = '(no feature)'

export type TFeatureMetricsRow = TBreakdownMetricsRow<'feature'>
export type TSlo = { feature: string; target_usd_per_action: string }

/**
 * within: spend ÷ runs ≤ target; breached: above it; no_slo: no target set;
 * no_runs: a target but no runs in the period, so no cost per action to judge;
 * no_priced_calls: runs, but none of their calls had a price: the spend is
 * unknown (not $0), so there is no cost per action to judge either.
 */
export type TSloStatus = 'within' | 'breached' | 'no_slo' | 'no_runs' | 'no_priced_calls'

const nanos = (usd: string) => toScaled(usd, 9)

/**
 * Whether `costUsd` spread over `runs` actions is within `target` USD per action, exactly. `priced`: whether any
 * of the calls had a price (false: the $0 is unknown spend, judged as nothing).
 */
export function sloStatus(costUsd: string, runs: number, target: string | null | undefined, priced = true): TSloStatus {
  if (target == null) return 'no_slo'
  if (runs <= 0) return 'no_runs'
  if (!priced) return 'no_priced_calls'
  // cost / runs ≤ target  ⇔  cost (in nano-dollars) ≤ target (in nano-dollars) · runs
  return micros(costUsd) * 1000n <= nanos(target) * BigInt(runs) ? 'within' : 'breached'
}

export type TCompliance = {
  /** days of the period with at least one run and a priced call: the days a cost per action exists for */
  measured_days: number
  /** measured days whose cost per action (that day's spend ÷ that day's runs) was within target */
  within_days: number
  /** within_days ÷ measured_days (6 decimals, truncated); null without a target or without measured days */
  compliance: number | null
}

/**
 * The share of the period's days whose daily cost per action was within
 * target. `days` are one feature's daily totals; a day without runs has no cost
 * per action and is left out of the count (runs are counted on the day they
 * start, so a day with spend and no runs is the tail of earlier runs), and so is
 * a day none of whose calls had a price (`priced: false`: its spend is unknown).
 */
export function sloCompliance(days: { cost_usd: string; runs: number; priced?: boolean }[], target: string | null | undefined): TCompliance {
  let measured = 0
  let within = 0
  for (const d of days) {
    if (d.runs <= 0 || d.priced === false) continue
    measured++
    if (target != null && sloStatus(d.cost_usd, d.runs, target) === 'within') within++
  }
  return {
    measured_days: measured,
    within_days: target == null ? 0 : within,
    compliance: target == null || measured === 0 ? null : ratio(BigInt(within), BigInt(measured)),
  }
}

export type TFeatureRow = TBreakdownRow &
  TCompliance & {
    /** spend ÷ runs, exact to 6 decimals; null without runs */
    cost_per_action_usd: string | null
    /** the feature's SLO, USD per run; null when it has none */
    target_usd_per_action: string | null
    status: TSloStatus
  }

export type TFeaturesTable = Omit<TBreakdownTable, 'rows'> & {
  rows: TFeatureRow[]
  cost_per_action_usd: string | null
  /** features with a target: how many are within, breached, without runs, or without a priced call */
  slo_counts: Record<Exclude<TSloStatus, 'no_slo'>, number>
}

/**
 * Spend per feature (see breakdownTable) with cost per action and its SLO.
 * `daily` must carry runs per day (the metrics API's day rows do). A feature
 * with a target and no spend in either period still gets a row (at the end),
 * so its target can be seen and changed.
 */
export function featuresTable(
  current: TFeatureMetricsRow[],
  previous: TFeatureMetricsRow[],
  daily: TFeatureMetricsRow[],
  slos: TSlo[],
  period: TPeriod,
): TFeaturesTable {
  const t = breakdownTable('feature', NO_FEATURE, current, previous, daily, period)
  const target = new Map(slos.map((s) => [s.feature, s.target_usd_per_action]))
  type TDay = { cost: bigint; runs: number; events: number; unpriced_events: number }
  const perDay = new Map<string, Map<string, TDay>>()
  for (const r of daily) {
    if (!r.bucket) continue
    const k = keyOf('feature', NO_FEATURE, r)
    const byDay = perDay.get(k) ?? new Map<string, TDay>()
    perDay.set(k, byDay)
    const day = r.bucket.slice(0, 10)
    const d = byDay.get(day) ?? { cost: 0n, runs: 0, events: 0, unpriced_events: 0 }
    d.cost += micros(r.cost_usd)
    d.runs += r.runs ?? 0
    d.events += r.events
    d.unpriced_events += r.unpriced_events ?? 0
    byDay.set(day, d)
  }
  const dayRows = (k: string) => [...(perDay.get(k)?.values() ?? [])].map((d) => ({ cost_usd: fromScaledUsd(d.cost), runs: d.runs, priced: !onlyUnpriced(d) }))
  const withSlo = (r: TBreakdownRow): TFeatureRow => {
    const tgt = r.key === NO_FEATURE ? null : (target.get(r.key) ?? null)
    return {
      ...r,
      cost_per_action_usd: pricedPerUnit(r, r.runs),
      target_usd_per_action: tgt,
      status: sloStatus(r.cost_usd, r.runs, tgt, !onlyUnpriced(r)),
      ...sloCompliance(dayRows(r.key), tgt),
    }
  }
  const rows = t.rows.map(withSlo)
  const seen = new Set(rows.map((r) => r.key))
  for (const s of [...slos].sort((a, b) => a.feature.localeCompare(b.feature))) {
    if (seen.has(s.feature)) continue
    rows.push(
      withSlo({
        key: s.feature,
        cost_usd: '0.000000',
        previous_cost_usd: '0.000000',
        change_usd: '0.000000',
        change_ratio: null,
        is_new: false,
        share: 0,
        events: 0,
        unpriced_events: 0,
        runs: 0,
        cache_hit_rate: null,
        accepted_outcomes: null,
        cost_per_accepted_outcome_usd: null,
        daily: t.days.map(() => 0),
      }),
    )
  }
  const slo_counts = { within: 0, breached: 0, no_runs: 0, no_priced_calls: 0 }
  for (const r of rows) if (r.status !== 'no_slo') slo_counts[r.status]++
  return { ...t, rows, cost_per_action_usd: perUnit(t.total_usd, t.runs), slo_counts }
}

export type TSloBreach = { feature: string; cost_per_action_usd: string; target_usd_per_action: string; runs: number }

/**
 * The features whose cost per action over the rows' period exceeds their
 * target (metrics rows grouped by feature, no granularity), largest overshoot
 * (cost per action ÷ target) first, ties by name.
 */
export function sloBreaches(rows: TFeatureMetricsRow[], slos: TSlo[]): TSloBreach[] {
  const acc = new Map<string, { cost: bigint; runs: number; events: number; unpriced_events: number }>()
  for (const r of rows) {
    const k = keyOf('feature', NO_FEATURE, r)
    const a = acc.get(k) ?? { cost: 0n, runs: 0, events: 0, unpriced_events: 0 }
    a.cost += micros(r.cost_usd)
    a.runs += r.runs ?? 0
    a.events += r.events
    a.unpriced_events += r.unpriced_events ?? 0
    acc.set(k, a)
  }
  const out: (TSloBreach & { over: bigint })[] = []
  for (const s of slos) {
    const a = acc.get(s.feature)
    if (!a) continue
    const cost = fromScaledUsd(a.cost)
    if (sloStatus(cost, a.runs, s.target_usd_per_action, !onlyUnpriced(a)) !== 'breached') continue
    // overshoot in parts per million: cost / (runs · target)
    const over = (a.cost * 1000n * 1_000_000n) / (nanos(s.target_usd_per_action) * BigInt(a.runs))
    out.push({ feature: s.feature, cost_per_action_usd: perUnit(cost, a.runs)!, target_usd_per_action: s.target_usd_per_action, runs: a.runs, over })
  }
  return out.sort((x, y) => (y.over > x.over ? 1 : y.over < x.over ? -1 : x.feature.localeCompare(y.feature))).map(({ over: _over, ...b }) => b)
}

export const STATUS_LABEL: Record<TSloStatus, string> = {
  within: 'within',
  breached: 'breached',
  no_slo: 'no SLO',
  no_runs: 'no runs',
  no_priced_calls: 'no priced calls',
}

/** The table as CSV cells, in its order and with its columns; money exact, percentages as shown. */
export function featuresCsvRows(rows: TFeatureRow[]): string[][] {
  const columns: TCsvColumn<TFeatureRow>[] = [
    ...baseCsvColumns<TFeatureRow>('feature'),
    { header: 'runs', cell: (r) => String(r.runs) },
    { header: 'cost_per_action_usd', cell: (r) => r.cost_per_action_usd ?? '' },
    { header: 'target_usd_per_action', cell: (r) => r.target_usd_per_action ?? '' },
    { header: 'slo_status', cell: (r) => r.status },
    { header: 'compliance_percent', cell: (r) => (r.compliance === null ? '' : csvPercent(r.compliance)) },
    { header: 'days_within', cell: (r) => (r.target_usd_per_action === null ? '' : `${r.within_days}/${r.measured_days}`) },
  ]
  return csvRows(columns, rows)
}
