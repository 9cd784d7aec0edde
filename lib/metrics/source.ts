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
}

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
): TSourcePlan {
  const plan = planDays(tables, dims, range, granularity)
  const narrow = hourlyTables.find((t) => dims.every((d) => t.dims.includes(d)))
  return narrow && plan.hourly.length ? { ...plan, hourlyTable: narrow.table } : plan
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

/**
 * `( SELECT <time> AS at, <columns> FROM … UNION ALL … ) AS src` for a plan.
 * `params` holds the organization id as $1 and the filters' values already;
 * `filters` are the WHERE clauses shared by every branch. Appends the
 * branches' time bounds to `params`.
 */
export function sourceSql(plan: TSourcePlan, hourlyTable: string, columns: readonly string[], filters: readonly string[], params: unknown[]): string {
  const cols = columns.join(', ')
  const branch = (table: string, time: 'hour' | 'day' | 'week', r: TRange) => {
    params.push(r.from.toISOString(), r.to.toISOString())
    const where = [`org_id = $1`, `${time} >= $${params.length - 1}::timestamptz`, `${time} < $${params.length}::timestamptz`, ...filters]
    return `SELECT ${time} AS at, ${cols} FROM ${table} WHERE ${where.join(' AND ')}`
  }
  const days: TRange[] = !plan.daily
    ? []
    : !plan.weekly
      ? [plan.daily]
      : [
          { from: plan.daily.from, to: plan.weekly.from },
          { from: plan.weekly.to, to: plan.daily.to },
        ].filter((r) => r.from < r.to)
  const branches = [
    ...(plan.weekly ? [branch(plan.weekly.table, 'week', plan.weekly)] : []),
    ...days.map((r) => branch(plan.daily!.table, 'day', r)),
    ...plan.hourly.map((r) => branch(plan.hourlyTable ?? hourlyTable, 'hour', r)),
  ]
  return `(${branches.join('\n  UNION ALL\n  ')}) AS src`
}
