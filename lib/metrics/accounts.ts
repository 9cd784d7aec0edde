// Pure logic for the Accounts page: which customer accounts drive spend, how
// each moved against the previous period, and each one's daily trend. Money is
// summed and compared as bigint micro-dollars from the API's exact decimal
// strings; only the sparkline values (drawing only) become floats.
import { fromScaled, toScaled } from '@/lib/cost/money'

const DAY_MS = 24 * 3600 * 1000
const HOUR_MS = 3600 * 1000
const micros = (s: string) => toScaled(s, 6)
const usd = (m: bigint) => Number(fromScaled(m, 6))
/** a / b as a float with 6 decimals, truncated (exact up to there); 0 when b is 0. */
const ratio = (a: bigint, b: bigint) => (b === 0n ? 0 : Number((a * 1_000_000n) / b) / 1_000_000)

/** How events without an account_id are shown (the table, the CSV). */
export const NO_ACCOUNT = '(no account)'

// ---------------------------------------------------------------- filters (URL)

export const ACCOUNT_RANGES = [7, 30, 90] as const
export const ENVIRONMENTS = ['production', 'staging', 'development'] as const
export const TRAFFIC_SOURCES = ['production', 'eval', 'replay', 'ops'] as const

export type TAccountsFilters = { days: (typeof ACCOUNT_RANGES)[number]; environment: string; traffic_source: string }
export const DEFAULT_ACCOUNTS_FILTERS: TAccountsFilters = { days: 30, environment: '', traffic_source: '' }

type TParams = { get(name: string): string | null }

/** The query string → filters; anything unknown falls back to the default, so an edited link still opens a page. */
export function parseAccountsFilters(p: TParams): TAccountsFilters {
  const days = Number(p.get('range'))
  const env = p.get('environment') ?? ''
  const src = p.get('traffic_source') ?? ''
  return {
    days: (ACCOUNT_RANGES as readonly number[]).includes(days) ? (days as TAccountsFilters['days']) : DEFAULT_ACCOUNTS_FILTERS.days,
    environment: (ENVIRONMENTS as readonly string[]).includes(env) ? env : '',
    traffic_source: (TRAFFIC_SOURCES as readonly string[]).includes(src) ? src : '',
  }
}

/** Filters → query string (range always written, so a shared link states it; empty filters left out). */
export function accountsFiltersQuery(f: TAccountsFilters): string {
  const qs = new URLSearchParams({ range: String(f.days) })
  if (f.environment) qs.set('environment', f.environment)
  if (f.traffic_source) qs.set('traffic_source', f.traffic_source)
  return qs.toString()
}

// ---------------------------------------------------------------- periods

export type TPeriod = { from: string; to: string }

/**
 * The current period is the last `days` UTC days, today included, up to the
 * next hour boundary (so queries stay stable within the hour). The previous
 * period is the same window moved back `days` days: same length, starting at
 * midnight and ending at the same hour of the day, so a partial today is
 * compared with an equally partial day.
 */
export function accountPeriods(days: number, now = new Date()): { current: TPeriod; previous: TPeriod } {
  const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days + 1)
  const to = Math.ceil((now.getTime() + 1) / HOUR_MS) * HOUR_MS
  const shift = days * DAY_MS
  const iso = (t: number) => new Date(t).toISOString()
  return { current: { from: iso(from), to: iso(to) }, previous: { from: iso(from - shift), to: iso(to - shift) } }
}

// ---------------------------------------------------------------- the table

/** The slice of a metrics row this page reads (GET /api/v1/metrics grouped by account_id). */
export type TAccountMetricsRow = {
  account_id?: string | null
  bucket?: string
  cost_usd: string
  events: number
  accepted_outcomes?: number
  cost_per_accepted_outcome_usd?: string | null
}

export type TAccountRow = {
  /** the key and the label: the account id, or NO_ACCOUNT */
  account: string
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
  /** null when the API gave no outcome figures (a filter or grouping they can't join) */
  accepted_outcomes: number | null
  /** production cost ÷ accepted outcomes; null without accepted outcomes */
  cost_per_accepted_outcome_usd: string | null
  /** USD per UTC day of the current period, 0 for days without spend (drawing only) */
  daily: number[]
}

export type TAccountsTable = {
  rows: TAccountRow[]
  /** the UTC days of the current period, one per `daily` value */
  days: string[]
  total_usd: string
  previous_total_usd: string
  change_usd: string
  change_ratio: number | null
  /** accounts with spend in the current period (NO_ACCOUNT not counted) */
  active_accounts: number
  new_accounts: number
  /** share of spend on events without an account_id */
  unattributed_share: number
}

const nameOf = (r: TAccountMetricsRow) => (r.account_id == null || r.account_id === '' ? NO_ACCOUNT : r.account_id)

/** UTC days from the day of `from` up to `to` (exclusive), as YYYY-MM-DD. */
export function periodDays(p: TPeriod): string[] {
  const start = new Date(p.from)
  const end = new Date(p.to).getTime()
  const days: string[] = []
  for (let t = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); t < end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10))
  return days
}

/**
 * One row per account with spend (or outcomes) in the current period or spend
 * in the previous one (an account that stopped shows as a full decrease),
 * sorted by current spend, largest first, ties by name.
 *
 * `current` and `previous` are grouped by account_id with no granularity;
 * `daily` is the current period grouped by account_id with granularity=day.
 */
export function accountsTable(current: TAccountMetricsRow[], previous: TAccountMetricsRow[], daily: TAccountMetricsRow[], period: TPeriod): TAccountsTable {
  type TAcc = { cost: bigint; prev: bigint; events: number; accepted: number | null; cpao: string | null; daily: bigint[] }
  const days = periodDays(period)
  const dayIndex = new Map(days.map((d, i) => [d, i]))
  const acc = new Map<string, TAcc>()
  const get = (name: string) => {
    let a = acc.get(name)
    if (!a) acc.set(name, (a = { cost: 0n, prev: 0n, events: 0, accepted: null, cpao: null, daily: days.map(() => 0n) }))
    return a
  }
  for (const r of current) {
    const a = get(nameOf(r))
    a.cost += micros(r.cost_usd)
    a.events += r.events
    // One row per account from the API: its outcome figures are taken as they are
    // (cost per accepted outcome divides production cost, which this page does not sum).
    if (r.accepted_outcomes !== undefined) a.accepted = (a.accepted ?? 0) + r.accepted_outcomes
    if (r.cost_per_accepted_outcome_usd != null) a.cpao = r.cost_per_accepted_outcome_usd
  }
  for (const r of previous) {
    const m = micros(r.cost_usd)
    if (m !== 0n) get(nameOf(r)).prev += m
  }
  for (const r of daily) {
    const i = r.bucket ? dayIndex.get(r.bucket.slice(0, 10)) : undefined
    const a = acc.get(nameOf(r))
    if (i === undefined || !a) continue
    a.daily[i] += micros(r.cost_usd)
  }

  let total = 0n
  let prevTotal = 0n
  for (const a of acc.values()) {
    total += a.cost
    prevTotal += a.prev
  }
  const rows: TAccountRow[] = [...acc.entries()]
    .sort((x, y) => (y[1].cost > x[1].cost ? 1 : y[1].cost < x[1].cost ? -1 : x[0].localeCompare(y[0])))
    .map(([account, a]) => ({
      account,
      cost_usd: fromScaled(a.cost, 6),
      previous_cost_usd: fromScaled(a.prev, 6),
      change_usd: fromScaled(a.cost - a.prev, 6),
      change_ratio: a.prev === 0n ? null : ratio(a.cost - a.prev, a.prev),
      is_new: a.prev === 0n && a.cost > 0n,
      share: ratio(a.cost, total),
      events: a.events,
      accepted_outcomes: a.accepted,
      cost_per_accepted_outcome_usd: a.cpao,
      daily: a.daily.map(usd),
    }))
  const customers = rows.filter((r) => r.account !== NO_ACCOUNT)
  const unattributed = acc.get(NO_ACCOUNT)?.cost ?? 0n
  return {
    rows,
    days,
    total_usd: fromScaled(total, 6),
    previous_total_usd: fromScaled(prevTotal, 6),
    change_usd: fromScaled(total - prevTotal, 6),
    change_ratio: prevTotal === 0n ? null : ratio(total - prevTotal, prevTotal),
    active_accounts: customers.filter((r) => r.cost_usd !== '0.000000' || r.events > 0).length,
    new_accounts: customers.filter((r) => r.is_new).length,
    unattributed_share: ratio(unattributed, total),
  }
}

/**
 * The customer accounts whose spend grew most in dollars against the previous
 * period (new accounts included, events without an account excluded: they are
 * not a customer), at most `n`, largest growth first, ties by name.
 */
export function topMovers(rows: TAccountRow[], n = 5): TAccountRow[] {
  return rows
    .filter((r) => r.account !== NO_ACCOUNT && micros(r.change_usd) > 0n)
    .sort((a, b) => {
      const d = micros(b.change_usd) - micros(a.change_usd)
      return d > 0n ? 1 : d < 0n ? -1 : a.account.localeCompare(b.account)
    })
    .slice(0, n)
}

// ---------------------------------------------------------------- export

/** "12.3" for 0.123; "new" / "" for a change without a previous value. */
const percent = (r: number) => (r * 100).toFixed(1)

export const ACCOUNTS_CSV_HEADER = ['account', 'spend_usd', 'share_percent', 'change_usd', 'change_percent', 'events', 'accepted_outcomes', 'cost_per_accepted_outcome_usd'] as const

/** Whether the outcome columns have anything to show: some account has accepted outcomes. */
export function hasAcceptedOutcomes(rows: TAccountRow[]): boolean {
  return rows.some((r) => (r.accepted_outcomes ?? 0) > 0)
}

/**
 * The table as CSV cells, in the table's order and with its columns (the two
 * outcome columns only when the table shows them): money as exact decimal
 * strings, percentages as shown (1 decimal).
 */
export function accountsCsvRows(rows: TAccountRow[], opts: { outcomes: boolean }): string[][] {
  const cols = opts.outcomes ? ACCOUNTS_CSV_HEADER.length : ACCOUNTS_CSV_HEADER.length - 2
  return [
    ACCOUNTS_CSV_HEADER.slice(0, cols),
    ...rows.map((r) => [
      r.account,
      r.cost_usd,
      percent(r.share),
      r.change_usd,
      r.change_ratio === null ? (r.is_new ? 'new' : '') : percent(r.change_ratio),
      String(r.events),
      r.accepted_outcomes === null ? '' : String(r.accepted_outcomes),
      r.cost_per_accepted_outcome_usd ?? '',
    ].slice(0, cols)),
  ]
}

/** accounts-<first day>-<last day>.csv, UTC days of the period. */
export function accountsCsvFilename(p: TPeriod): string {
  const last = new Date(new Date(p.to).getTime() - 1).toISOString().slice(0, 10)
  return `accounts-${p.from.slice(0, 10)}-${last}.csv`
}
