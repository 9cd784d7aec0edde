// Pure logic shared by the "spend by <dimension>" pages (Accounts, Workflows):
// filters kept in the URL, the current and previous periods, one row per value
// of the dimension with its share, change and daily trend, top movers, and the
// CSV of what is shown. Money is summed and compared as bigint micro-dollars
// from the API's exact decimal strings; only the sparkline values (drawing
// only) become floats.
import { DAY_MS, ENVIRONMENTS, micros, microsToNumber as usd, TRAFFIC_SOURCES } from '@/lib/domain'
import { fromScaled, usdPerUnit } from '@/lib/cost/money'
import { DEFAULT_RANGE, normalizeRange, type TPeriod } from '@/lib/metrics/range'

/** a / b as a float with 6 decimals, truncated (exact up to there); 0 when b is 0. */
export const ratio = (a: bigint, b: bigint) => (b === 0n ? 0 : Number((a * 1_000_000n) / b) / 1_000_000)
/** USD ÷ a count as an exact decimal string (6 decimals, half away from zero); null when the count is 0. */
export const perUnit = usdPerUnit
/**
 * A row's spend ÷ `n`, or null when none of its calls had a price: its spend is unknown, not $0 (the row reads
 * "unpriced"), so neither is its cost per run.
 */
export const pricedPerUnit = (r: { cost_usd: string; events: number; unpriced_events: number }, n: number) => (onlyUnpriced(r) ? null : perUnit(r.cost_usd, n))

/** Calls, none of which had a price: their spend is unknown, not $0. */
export const onlyUnpriced = (r: { events: number; unpriced_events?: number }) => r.events > 0 && (r.unpriced_events ?? 0) >= r.events

// ---------------------------------------------------------------- filters (URL)

export { periods, type TPeriod } from '@/lib/metrics/range'

/** range: a preset or custom range (lib/metrics/range.ts); compare: show the previous period beside the current one. */
export type TBreakdownFilters = { range: string; environment: string; traffic_source: string; compare: boolean }
export const DEFAULT_FILTERS: TBreakdownFilters = { range: DEFAULT_RANGE, environment: '', traffic_source: '', compare: true }

type TParams = { get(name: string): string | null }

/** The query string → filters; anything unknown falls back to the default, so an edited link still opens a page. */
export function parseFilters(p: TParams): TBreakdownFilters {
  const env = p.get('environment') ?? ''
  const src = p.get('traffic_source') ?? ''
  return {
    range: normalizeRange(p.get('range')),
    environment: (ENVIRONMENTS as readonly string[]).includes(env) ? env : '',
    traffic_source: (TRAFFIC_SOURCES as readonly string[]).includes(src) ? src : '',
    compare: p.get('compare') !== '0',
  }
}

/** Filters → query string (range always written, so a shared link states it; empty filters and the default comparison left out). */
export function filtersQuery(f: TBreakdownFilters): string {
  const qs = new URLSearchParams({ range: f.range })
  if (f.environment) qs.set('environment', f.environment)
  if (f.traffic_source) qs.set('traffic_source', f.traffic_source)
  if (!f.compare) qs.set('compare', '0')
  return qs.toString()
}

// ---------------------------------------------------------------- periods

/** UTC days from the day of `from` up to `to` (exclusive), as YYYY-MM-DD. */
export function periodDays(p: TPeriod): string[] {
  const start = new Date(p.from)
  const end = new Date(p.to).getTime()
  const days: string[] = []
  for (let t = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); t < end; t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10))
  return days
}

// ---------------------------------------------------------------- the table

/** The slice of a metrics row these pages read (GET /api/v1/metrics grouped by the dimension `D`). */
export type TBreakdownMetricsRow<D extends string> = { [K in D]?: string | null } & {
  bucket?: string
  cost_usd: string
  events: number
  unpriced_events?: number
  runs?: number
  tokens_in?: number
  cached_tokens_in?: number
  accepted_outcomes?: number
  cost_per_accepted_outcome_usd?: string | null
}

export type TBreakdownRow = {
  /** the dimension's value, or the page's label for "none" (e.g. "(no account)") */
  key: string
  cost_usd: string
  previous_cost_usd: string
  /** cost − previous cost, signed, exact */
  change_usd: string
  /** change ÷ previous cost; null when there was no previous spend (see is_new) */
  change_ratio: number | null
  /** spend now, none in the previous period */
  is_new: boolean
  /** share of the period's total spend */
  share: number
  events: number
  /** calls of models without a price (not in cost_usd): the row reads "unpriced" when it has no cost */
  unpriced_events: number
  /** runs started in the period (each run counted once, on its first event) */
  runs: number
  /** cached input tokens ÷ input tokens; null without input tokens */
  cache_hit_rate: number | null
  /** null when the API gave no outcome figures (a filter or grouping they can't join) */
  accepted_outcomes: number | null
  /** production cost ÷ accepted outcomes; null without accepted outcomes */
  cost_per_accepted_outcome_usd: string | null
  /** USD per UTC day of the current period, 0 for days without spend (drawing only) */
  /** spend per day of the period; null when its daily series was not fetched (see useBreakdownMetrics' sparkline limit) */
  daily: number[] | null
}

export type TBreakdownTable = {
  rows: TBreakdownRow[]
  /** the UTC days of the current period, one per `daily` value */
  days: string[]
  total_usd: string
  previous_total_usd: string
  change_usd: string
  change_ratio: number | null
  runs: number
  /** keys with spend or events in the current period ("none" not counted) */
  active: number
  /** keys with spend now and none before ("none" not counted) */
  new_keys: number
  /** share of spend on events without a value for the dimension */
  none_share: number
}

/** The row label of a metrics row: its value for `dim`, or `none` for null / empty. */
export const keyOf = <D extends string>(dim: D, none: string, r: TBreakdownMetricsRow<D>) => {
  const v = r[dim] as string | null | undefined
  return v == null || v === '' ? none : v
}

/**
 * One row per value of `dim` with spend (or outcomes) in the current period or
 * spend in the previous one (a value that stopped shows as a full decrease),
 * sorted by current spend, largest first, ties by name.
 *
 * `current` and `previous` are grouped by `dim` with no granularity; `daily` is
 * the current period grouped by `dim` with granularity=day.
 */
export function breakdownTable<D extends string>(
  dim: D,
  none: string,
  current: TBreakdownMetricsRow<D>[],
  previous: TBreakdownMetricsRow<D>[],
  daily: TBreakdownMetricsRow<D>[],
  period: TPeriod,
  /** the keys whose daily series was fetched; null: every key's */
  dailyKeys: readonly string[] | null = null,
): TBreakdownTable {
  const withDaily = dailyKeys && new Set(dailyKeys)
  type TAcc = {
    cost: bigint
    prev: bigint
    events: number
    unpriced: number
    runs: number
    tokens: number
    cached: number
    accepted: number | null
    cpao: string | null
    daily: bigint[]
  }
  const days = periodDays(period)
  const dayIndex = new Map(days.map((d, i) => [d, i]))
  const acc = new Map<string, TAcc>()
  const get = (name: string) => {
    let a = acc.get(name)
    if (!a)
      acc.set(name, (a = { cost: 0n, prev: 0n, events: 0, unpriced: 0, runs: 0, tokens: 0, cached: 0, accepted: null, cpao: null, daily: days.map(() => 0n) }))
    return a
  }
  for (const r of current) {
    const a = get(keyOf(dim, none, r))
    a.cost += micros(r.cost_usd)
    a.events += r.events
    a.unpriced += r.unpriced_events ?? 0
    a.runs += r.runs ?? 0
    a.tokens += r.tokens_in ?? 0
    a.cached += r.cached_tokens_in ?? 0
    // One row per key from the API: its outcome figures are taken as they are
    // (cost per accepted outcome divides production cost, which this page does not sum).
    if (r.accepted_outcomes !== undefined) a.accepted = (a.accepted ?? 0) + r.accepted_outcomes
    if (r.cost_per_accepted_outcome_usd != null) a.cpao = r.cost_per_accepted_outcome_usd
  }
  for (const r of previous) {
    const m = micros(r.cost_usd)
    if (m !== 0n) get(keyOf(dim, none, r)).prev += m
  }
  for (const r of daily) {
    const i = r.bucket ? dayIndex.get(r.bucket.slice(0, 10)) : undefined
    const a = acc.get(keyOf(dim, none, r))
    if (i === undefined || !a) continue
    a.daily[i] += micros(r.cost_usd)
  }

  let total = 0n
  let prevTotal = 0n
  let runs = 0
  for (const a of acc.values()) {
    total += a.cost
    prevTotal += a.prev
    runs += a.runs
  }
  const rows: TBreakdownRow[] = [...acc.entries()]
    .sort((x, y) => (y[1].cost > x[1].cost ? 1 : y[1].cost < x[1].cost ? -1 : x[0].localeCompare(y[0])))
    .map(([key, a]) => ({
      key,
      cost_usd: fromScaled(a.cost, 6),
      previous_cost_usd: fromScaled(a.prev, 6),
      change_usd: fromScaled(a.cost - a.prev, 6),
      change_ratio: a.prev === 0n ? null : ratio(a.cost - a.prev, a.prev),
      is_new: a.prev === 0n && a.cost > 0n,
      share: ratio(a.cost, total),
      events: a.events,
      unpriced_events: a.unpriced,
      runs: a.runs,
      cache_hit_rate: a.tokens > 0 ? ratio(BigInt(a.cached), BigInt(a.tokens)) : null,
      accepted_outcomes: a.accepted,
      cost_per_accepted_outcome_usd: a.cpao,
      daily: withDaily && !withDaily.has(key) ? null : a.daily.map(usd),
    }))
  const named = rows.filter((r) => r.key !== none)
  return {
    rows,
    days,
    total_usd: fromScaled(total, 6),
    previous_total_usd: fromScaled(prevTotal, 6),
    change_usd: fromScaled(total - prevTotal, 6),
    change_ratio: prevTotal === 0n ? null : ratio(total - prevTotal, prevTotal),
    runs,
    active: named.filter((r) => r.cost_usd !== '0.000000' || r.events > 0).length,
    new_keys: named.filter((r) => r.is_new).length,
    none_share: ratio(acc.get(none)?.cost ?? 0n, total),
  }
}

/**
 * The rows whose spend grew most in dollars against the previous period (new
 * ones included, the "none" row excluded: it is not a customer, workflow …),
 * at most `n`, largest growth first, ties by name.
 */
export function topMovers<R extends TBreakdownRow>(rows: R[], none: string, n = 5): R[] {
  return rows
    .filter((r) => r.key !== none && micros(r.change_usd) > 0n)
    .sort((a, b) => {
      const d = micros(b.change_usd) - micros(a.change_usd)
      return d > 0n ? 1 : d < 0n ? -1 : a.key.localeCompare(b.key)
    })
    .slice(0, n)
}

/** Whether the outcome columns have anything to show: some row has accepted outcomes. */
export function hasAcceptedOutcomes(rows: TBreakdownRow[]): boolean {
  return rows.some((r) => (r.accepted_outcomes ?? 0) > 0)
}

// ---------------------------------------------------------------- export

/** "12.3" for 0.123 (as shown, 1 decimal). */
export const csvPercent = (r: number) => (r * 100).toFixed(1)

export type TCsvColumn<R> = { header: string; cell: (r: R) => string }

/** The columns every breakdown CSV starts with: the key, spend, share, change ("new" / "" without a previous value). */
export function baseCsvColumns<R extends TBreakdownRow>(keyHeader: string): TCsvColumn<R>[] {
  return [
    { header: keyHeader, cell: (r) => r.key },
    { header: 'spend_usd', cell: (r) => r.cost_usd },
    { header: 'share_percent', cell: (r) => csvPercent(r.share) },
    { header: 'change_usd', cell: (r) => r.change_usd },
    { header: 'change_percent', cell: (r) => (r.change_ratio === null ? (r.is_new ? 'new' : '') : csvPercent(r.change_ratio)) },
  ]
}

/** The table as CSV cells: a header row, then one row per table row, in the table's order. */
export function csvRows<R>(columns: TCsvColumn<R>[], rows: R[]): string[][] {
  return [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.cell(r)))]
}

/** <prefix>-<first day>-<last day>.csv, UTC days of the period. */
export function csvFilename(prefix: string, p: TPeriod): string {
  const last = new Date(new Date(p.to).getTime() - 1).toISOString().slice(0, 10)
  return `${prefix}-${p.from.slice(0, 10)}-${last}.csv`
}
