// The date range every analytics page shows, as the URL carries it (`range=`):
// a preset ("mtd", "last_month", "qtd", "7", "30", "90") or a custom span of
// UTC days ("2026-11-03..2026-11-20", both days included), and the period it
// is compared with. Days are UTC days, like the rollups and every daily chart.
// Pure and client-safe: the pages, the picker and the tests read it.
import { DAY_MS, HOUR_MS } from '@/lib/domain'

export const RANGE_PRESETS = [
  { value: 'mtd', label: 'Month to date' },
  { value: 'last_month', label: 'Last month' },
  { value: 'qtd', label: 'Quarter to date' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
] as const
export type TRangePreset = (typeof RANGE_PRESETS)[number]['value']
/** The presets counted in days (7, 30, 90), for pages whose own period is a number of days (the Calls explorer). */
export const DAY_PRESETS = RANGE_PRESETS.filter((p) => /^\d+$/.test(p.value)).map((p) => ({ days: Number(p.value), label: p.label }))
export const DEFAULT_RANGE: TRangePreset = '30'
/** The longest custom range (the daily charts and the metrics API's day buckets stay bounded). */
export const MAX_CUSTOM_DAYS = 366

export type TPeriod = { from: string; to: string }
export type TPeriods = { current: TPeriod; previous: TPeriod }

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/
const isDay = (s: string) => DAY_RE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)
const dayMs = (s: string) => Date.parse(`${s}T00:00:00Z`)
const iso = (t: number) => new Date(t).toISOString()
const isoDay = (t: number) => iso(t).slice(0, 10)

/** A custom range's days, or null when `s` is not "YYYY-MM-DD..YYYY-MM-DD" with from ≤ to within MAX_CUSTOM_DAYS. */
export function parseCustomRange(s: string): { from: string; to: string } | null {
  const [from, to, ...rest] = s.split('..')
  if (rest.length > 0 || !from || !to || !isDay(from) || !isDay(to)) return null
  const days = (dayMs(to) - dayMs(from)) / DAY_MS + 1
  return days >= 1 && days <= MAX_CUSTOM_DAYS ? { from, to } : null
}

export const customRange = (from: string, to: string) => `${from}..${to}`

/** The URL's range → a known preset or a valid custom range; anything else is the default (an edited link still opens). */
export function normalizeRange(s: string | null | undefined): string {
  if (!s) return DEFAULT_RANGE
  if (RANGE_PRESETS.some((p) => p.value === s)) return s
  return parseCustomRange(s) ? s : DEFAULT_RANGE
}

export const isPreset = (range: string): range is TRangePreset => RANGE_PRESETS.some((p) => p.value === range)

const LABEL_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' })

/** "Month to date", "Last 7 days", "3 Nov 2026 – 20 Nov 2026". */
export function rangeLabel(range: string): string {
  const preset = RANGE_PRESETS.find((p) => p.value === range)
  if (preset) return preset.label
  const c = parseCustomRange(range)
  if (!c) return rangeLabel(DEFAULT_RANGE)
  return c.from === c.to ? LABEL_DAY.format(dayMs(c.from)) : `${LABEL_DAY.format(dayMs(c.from))} – ${LABEL_DAY.format(dayMs(c.to))}`
}

/** The next hour boundary after `now`: "to date" periods end there, so queries stay stable within the hour and the current hour is included. */
const nextHour = (now: Date) => Math.ceil((now.getTime() + 1) / HOUR_MS) * HOUR_MS
const startOfDay = (now: Date) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
const monthStart = (y: number, m: number) => Date.UTC(y, m, 1)

/**
 * The last `days` UTC days, today included, up to the next hour boundary; the
 * previous period is the same window moved back `days` days (same length,
 * ending at the same hour of the day, so a partial today is compared with an
 * equally partial day).
 */
export function periods(days: number, now = new Date()): TPeriods {
  const from = startOfDay(now) - (days - 1) * DAY_MS
  const to = nextHour(now)
  const shift = days * DAY_MS
  return { current: { from: iso(from), to: iso(to) }, previous: { from: iso(from - shift), to: iso(to - shift) } }
}

/**
 * A range's period and the one it is compared with:
 * - last N days and a custom range: the same number of days just before;
 * - month to date: the previous month from its first day to the same day and
 *   hour (clamped to its end: 31 March compares with all of February);
 * - last month: the whole month before it;
 * - quarter to date: the previous quarter to the same day and hour of its month.
 * A period that reaches today ends at the next hour boundary; one in the past at midnight after its last day.
 */
export function rangePeriods(range: string, now = new Date()): TPeriods {
  const r = normalizeRange(range)
  const y = now.getUTCFullYear()
  const m = now.getUTCMonth()
  // the previous period ends at the same calendar moment `months` earlier (clamped to this period's start: 31 March → 1 March)
  const sinceStart = (start: number, months: number) => {
    const to = nextHour(now)
    const t = new Date(to)
    const prevTo = Date.UTC(t.getUTCFullYear(), t.getUTCMonth() - months, t.getUTCDate(), t.getUTCHours())
    const prevStart = Date.UTC(new Date(start).getUTCFullYear(), new Date(start).getUTCMonth() - months, 1)
    return { current: { from: iso(start), to: iso(to) }, previous: { from: iso(prevStart), to: iso(Math.min(prevTo, start)) } }
  }
  switch (r) {
    case 'mtd':
      return sinceStart(monthStart(y, m), 1)
    case 'qtd': {
      const q = m - (m % 3)
      return sinceStart(monthStart(y, q), 3)
    }
    case 'last_month':
      return {
        current: { from: iso(monthStart(y, m - 1)), to: iso(monthStart(y, m)) },
        previous: { from: iso(monthStart(y, m - 2)), to: iso(monthStart(y, m - 1)) },
      }
    case '7':
    case '30':
    case '90':
      return periods(Number(r), now)
  }
  const c = parseCustomRange(r)!
  const today = startOfDay(now)
  const from = Math.min(dayMs(c.from), today)
  const lastDay = Math.min(dayMs(c.to), today)
  // a range that includes today ends with the current hour, like the presets
  const to = lastDay >= today ? nextHour(now) : lastDay + DAY_MS
  const shift = Math.round((lastDay - from) / DAY_MS + 1) * DAY_MS
  return { current: { from: iso(from), to: iso(to) }, previous: { from: iso(from - shift), to: iso(to - shift) } }
}

/** The UTC day of `now` when the period reaches it (today's bar is partial), else null. */
export function partialDay(period: TPeriod, now = new Date()): string | null {
  const today = startOfDay(now)
  return Date.parse(period.to) > today && Date.parse(period.from) <= today ? isoDay(today) : null
}

/** The custom range a picker starts from: the period's first and last UTC days. */
export function periodDayBounds(p: TPeriod): { from: string; to: string } {
  return { from: p.from.slice(0, 10), to: isoDay(Date.parse(p.to) - 1) }
}
