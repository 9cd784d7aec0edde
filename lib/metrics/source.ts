// Which rollup tables answer a read, and the SQL that reads them.
//
// A read covers the hours from the hour of `from` up to `to` (exclusive), as
// rollups_hourly has always been read. The whole UTC days inside that span come
// from the narrowest daily table whose key holds every dimension the read groups
// or filters by; the hours before the first whole day and after the last one
// (a page's "today so far") come from rollups_hourly. Both are sums of the same
// events, so the answer is the hourly answer: money to the last decimal.
// Hour granularity, or no daily table with the dimensions, reads hourly only.
// Without a per-day answer, the whole ISO weeks inside the days come from the
// daily table's weekly twin when it has one (the widest tables: see
// WEEKLY_ROLLUPS); the days before and after them from the daily table.
// Reads whose measures are all sums may take a ragged day as its whole day
// minus its other hours where those are fewer (withComplements: a page's
// "today" is then one daily read, not up to 23 hours of hourly rows), and
// five or more ragged days beside the whole weeks as their whole week minus its
// other days.
import { DAY_MS, HOUR_MS, WEEK_MS } from '@/lib/domain'

export type TRange = { from: Date; to: Date }
export type TSourcePlan = {
  /** the daily table and the whole days [from, to) it answers; null: the hourly table answers everything */
  daily: { table: string; from: Date; to: Date } | null
  /** the daily table's weekly twin and the whole ISO weeks [from, to) inside the days, which it answers instead */
  weekly?: { table: string; from: Date; to: Date } | null
  /** hourly spans, each read as `hour >= from AND hour < to` */
  hourly: TRange[]
  /** the narrow hourly table that answers the hourly spans (its key holds every dimension needed); absent: the caller's (rollups_hourly) */
  hourlyTable?: string
  /**
   * A ragged end read as its whole day minus the day's other hours (planSource's `additive` reads only): `days` from
   * the daily table, added; `hours` from the hourly table, subtracted. Chosen where the other hours are fewer — the
   * range's first day when it starts late in the day, its last when it ends late (the hours after now hold nothing).
   */
  complement?: {
    days: TRange[]
    hours: TRange[]
    /**
     * Ragged days at an end of the whole weeks, read as their whole ISO week minus the week's other days (additive
     * reads with a weekly twin, when at least COMPLEMENT_WEEK_DAYS days of the week are in the range): `weeks` from
     * the weekly table, added; `minusDays` from the daily table, subtracted. Absent: none.
     */
    weeks?: TRange[]
    minusDays?: TRange[]
  }
}

/**
 * A ragged week's days at an end of a range are read as the whole week minus its other days once this many of its 7
 * are in the range: one week's rows plus at most two days' against five or more days' (on the 10M-event bench
 * organization a week of rollups_weekly_account_steps is about 1.2 days' rows of the daily table, so four days would
 * gain nothing).
 */
export const COMPLEMENT_WEEK_DAYS = 5

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit
const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit
// ISO weeks start on Monday; the epoch (1970-01-01) was a Thursday, 3 days after one.
const MONDAY_OFFSET = 4 * DAY_MS
const floorWeek = (t: number) => floorTo(t - MONDAY_OFFSET, WEEK_MS) + MONDAY_OFFSET
const ceilWeek = (t: number) => ceilTo(t - MONDAY_OFFSET, WEEK_MS) + MONDAY_OFFSET

/**
 * The plan for reading [from, to) needing `dims`: `tables` are the daily
 * tables, narrowest first; `hourlyTables` the narrow hourly ones (the hours
 * then come from the first whose key holds `dims`, else from rollups_hourly).
 */
export function planSource(
  tables: readonly { table: string; dims: readonly string[]; weekly?: string }[],
  dims: readonly string[],
  range: TRange,
  granularity: 'hour' | 'day' | 'none',
  hourlyTables: readonly { table: string; dims: readonly string[] }[] = [],
  opts: { additive?: boolean; now?: Date } = {},
): TSourcePlan {
  const days = planDays(tables, dims, range, granularity)
  const plan = opts.additive ? withComplements(days, range, (opts.now ?? new Date()).getTime()) : days
  const narrow = hourlyTables.find((t) => dims.every((d) => t.dims.includes(d)))
  return narrow && (plan.hourly.length || plan.complement?.hours.length) ? { ...plan, hourlyTable: narrow.table } : plan
}

/**
 * For reads whose every measure is a sum (`additive`: sourceSql negates them): a ragged end is read as the whole day
 * from the daily table minus the day's other hours from the hourly one where those other hours are fewer. The same
 * sums, from fewer rows: a 90-day range that starts at 01:10 read 23 hours of rollups_hourly (~50k rows on the
 * 10M-event bench organization) for its first day, and reads one day of a narrow daily table and one hour instead.
 * The hours after `now` hold nothing (but events stamped ahead of the clock) and cost nothing to subtract, so a range
 * that ends at the current hour (a page's "today so far") always takes its day whole: today's daily rows hold only
 * today's calls so far, fewer rows than their hours (12 hours of rollups_hourly at noon: 20k rows, the day of
 * rollups_daily_account_steps: 2.6k).
 */
function withComplements(plan: TSourcePlan, range: TRange, now: number): TSourcePlan {
  if (!plan.daily) return plan
  const half = DAY_MS / 2
  const hourly: TRange[] = []
  const complement: { days: TRange[]; hours: TRange[] } = { days: [], hours: [] }
  for (const r of plan.hourly) {
    if (r.to.getTime() === plan.daily.from.getTime()) {
      // the first day's hours from the range's hour: [hFrom, dFrom) = day(dFrom - 1) - [dFrom - 1 day, hFrom)
      const day = plan.daily.from.getTime() - DAY_MS
      if (plan.daily.from.getTime() - r.from.getTime() > half) {
        // (a ragged start is never at midnight: then that day would be whole)
        complement.days.push({ from: new Date(day), to: plan.daily.from })
        complement.hours.push({ from: new Date(day), to: r.from })
        continue
      }
    } else if (r.from.getTime() === plan.daily.to.getTime()) {
      // the last day's hours up to `to` (hour >= dTo AND hour < to) = day(dTo) - (hour >= to AND hour < dTo + 1 day)
      const next = plan.daily.to.getTime() + DAY_MS
      const end = ceilTo(range.to.getTime(), HOUR_MS)
      // the day's hours after the range that hold calls: up to the end of the current hour at most
      const other = Math.max(0, Math.min(next, ceilTo(now, HOUR_MS)) - end)
      if (end - r.from.getTime() > other) {
        complement.days.push({ from: plan.daily.to, to: new Date(next) })
        complement.hours.push({ from: range.to, to: new Date(next) })
        continue
      }
    }
    hourly.push(r)
  }
  // ragged days beside the whole weeks (a 90-day page's range starts mid-week and ends mid-week)
  const weeks: TRange[] = []
  const minusDays: TRange[] = []
  if (plan.weekly) {
    const { from: wFrom, to: wTo } = plan.weekly
    if (wFrom.getTime() - plan.daily.from.getTime() >= COMPLEMENT_WEEK_DAYS * DAY_MS) {
      // [dFrom, wFrom) = week(wFrom - 7 days) - [wFrom - 7 days, dFrom)
      const start = new Date(wFrom.getTime() - WEEK_MS)
      weeks.push({ from: start, to: wFrom })
      minusDays.push({ from: start, to: plan.daily.from })
    }
    if (plan.daily.to.getTime() - wTo.getTime() >= COMPLEMENT_WEEK_DAYS * DAY_MS) {
      // [wTo, dTo) = week(wTo) - [dTo, wTo + 7 days)
      const end = new Date(wTo.getTime() + WEEK_MS)
      weeks.push({ from: wTo, to: end })
      minusDays.push({ from: plan.daily.to, to: end })
    }
  }
  if (!weeks.length) return complement.days.length ? { ...plan, hourly, complement } : plan
  // A day the day complement adds whole and the week complement subtracts whole cancels out: read it from neither.
  for (let i = complement.days.length - 1; i >= 0; i--) {
    const day = complement.days[i]
    const m = minusDays.findIndex((x) => x.from.getTime() === day.from.getTime() || x.to.getTime() === day.to.getTime())
    if (m < 0) continue
    const x = minusDays[m]
    minusDays[m] = x.from.getTime() === day.from.getTime() ? { from: day.to, to: x.to } : { from: x.from, to: day.from }
    if (minusDays[m].from >= minusDays[m].to) minusDays.splice(m, 1)
    complement.days.splice(i, 1)
  }
  return { ...plan, hourly, complement: { ...complement, weeks, minusDays } }
}

function planDays(
  tables: readonly { table: string; dims: readonly string[]; weekly?: string }[],
  dims: readonly string[],
  range: TRange,
  granularity: 'hour' | 'day' | 'none',
): TSourcePlan {
  const hFrom = floorTo(range.from.getTime(), HOUR_MS)
  const to = range.to.getTime()
  const hourlyOnly: TSourcePlan = { daily: null, hourly: [{ from: new Date(hFrom), to: range.to }] }
  if (granularity === 'hour') return hourlyOnly
  const table = tables.find((t) => dims.every((d) => t.dims.includes(d)))
  if (!table) return hourlyOnly
  // the hours read are [hFrom, ceil-to-hour(to)); the whole days inside them
  const dFrom = ceilTo(hFrom, DAY_MS)
  const dTo = floorTo(ceilTo(to, HOUR_MS), DAY_MS)
  if (dFrom >= dTo) return hourlyOnly
  const hourly: TRange[] = []
  if (hFrom < dFrom) hourly.push({ from: new Date(hFrom), to: new Date(dFrom) })
  if (dTo < to) hourly.push({ from: new Date(dTo), to: range.to })
  const plan: TSourcePlan = { daily: { table: table.table, from: new Date(dFrom), to: new Date(dTo) }, hourly }
  // Whole weeks from the weekly twin, when the table has one and the answer is not per day.
  const wFrom = ceilWeek(dFrom)
  const wTo = floorWeek(dTo)
  if (table.weekly && granularity === 'none' && wFrom < wTo) plan.weekly = { table: table.weekly, from: new Date(wFrom), to: new Date(wTo) }
  return plan
}

/** The latency histogram with every bucket's count negated (outlay_hist_sum then subtracts it), in bucket order. */
const NEGATED_HISTOGRAM = `ARRAY(SELECT -x FROM unnest(latency_hist) WITH ORDINALITY AS u(x, i) ORDER BY i)`

/**
 * `( SELECT <time> AS at, <columns> FROM … UNION ALL … ) AS src` for a plan.
 * `params` holds the organization id as $1 and the filters' values already;
 * `filters` are the WHERE clauses shared by every branch. Appends the
 * branches' time bounds to `params`.
 */
export function sourceSql(
  plan: TSourcePlan,
  hourlyTable: string,
  columns: readonly string[],
  filters: readonly string[],
  params: unknown[],
  /** the sums among `columns` (the latency histogram's counts too), negated in a plan's subtracted hours (planSource's `additive`) */
  sums: readonly string[] = [],
): string {
  const cols = columns.join(', ')
  const branch = (table: string, time: 'hour' | 'day' | 'week', r: TRange, select = cols) => {
    params.push(r.from.toISOString(), r.to.toISOString())
    const where = [`org_id = $1`, `${time} >= $${params.length - 1}::timestamptz`, `${time} < $${params.length}::timestamptz`, ...filters]
    return `SELECT ${time} AS at, ${select} FROM ${table} WHERE ${where.join(' AND ')}`
  }
  const complement = plan.complement ?? { days: [], hours: [] }
  const weeks = complement.weeks ?? []
  if ((complement.hours.length || weeks.length) && !sums.length)
    throw new Error('sourceSql: a plan with subtracted hours or days needs the columns that are sums')
  const negated = columns.map((c) => (!sums.includes(c) ? c : c === 'latency_hist' ? `${NEGATED_HISTOGRAM} AS ${c}` : `-${c} AS ${c}`)).join(', ')
  const days: TRange[] = !plan.daily
    ? []
    : !plan.weekly
      ? [plan.daily]
      : [
          { from: plan.daily.from, to: plan.weekly.from },
          { from: plan.weekly.to, to: plan.daily.to },
        ].filter((r) => r.from < r.to && !weeks.some((w) => w.from <= r.from && r.to <= w.to)) // a ragged week read whole
  const branches = [
    ...(plan.weekly ? [branch(plan.weekly.table, 'week', plan.weekly)] : []),
    ...days.map((r) => branch(plan.daily!.table, 'day', r)),
    ...plan.hourly.map((r) => branch(plan.hourlyTable ?? hourlyTable, 'hour', r)),
    ...complement.days.map((r) => branch(plan.daily!.table, 'day', r)),
    ...complement.hours.map((r) => branch(plan.hourlyTable ?? hourlyTable, 'hour', r, negated)),
    ...weeks.map((r) => branch(plan.weekly!.table, 'week', r)),
    ...(complement.minusDays ?? []).map((r) => branch(plan.daily!.table, 'day', r, negated)),
  ]
  return `(${branches.join('\n  UNION ALL\n  ')}) AS src`
}
