// Formatting at the edge: money arrives as exact decimal strings, times as ISO strings.
// Every page shows money, dates and times through these functions, so one figure
// reads the same everywhere.

const toNumber = (value: string | number) => (typeof value === 'string' ? Number(value) : value)

/**
 * "1234.567890" → "$1,234.57"; under a dollar, three significant digits
 * ("$0.0163", "$0.0180", "$0.500"), so small daily costs stay distinguishable;
 * `precise`: up to 4 decimals above a dollar (a cost per call or per run).
 */
export function formatUsd(value: string | number, opts: { precise?: boolean } = {}): string {
  const n = toNumber(value)
  if (!Number.isFinite(n)) return '—'
  const abs = Math.abs(n)
  if (abs > 0 && abs < 1) {
    return n.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumSignificantDigits: 3, maximumSignificantDigits: 3 })
  }
  return n.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: opts.precise ? 4 : 2 })
}

/**
 * Money on a chart axis: compact above a thousand ("$1.23K", "$20K"), whole
 * cents at least below a dollar ("$0.05", "$0.10", "$0.025"), up to three
 * significant digits: the "nice" ticks recharts picks (1, 2, 2.5, 5 × 10ⁿ)
 * each get a distinct label ($0, $0.05, $0.10 — never $0, $0.1, $0.1).
 */
export function formatUsdCompact(n: number): string {
  if (!Number.isFinite(n)) return '—'
  if (n === 0) return '$0'
  const s = n.toLocaleString('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 3 })
  // a cent figure keeps two decimals: "$0.1" → "$0.10"
  return Math.abs(n) < 1 ? s.replace(/\.(\d)$/, (_, d) => `.${d}0`) : s
}

/** A GPU's price per hour to the cent ("$2.49/h"); `exactUsdPerHour` is its full value for a tooltip ("$2.4875 per GPU-hour"). */
export function formatUsdPerHour(value: string | number): string {
  const n = toNumber(value)
  if (!Number.isFinite(n)) return '—'
  return `${n.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 })}/h`
}

export function exactUsdPerHour(value: string | number): string {
  const s = typeof value === 'string' ? value.replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1') : String(value)
  return `$${s} per GPU-hour`
}

/** "0.017952 of 0.014" as money: "$0.0180 of $0.0140" (alerts and notifications). */
export function formatUsdOf(value: string | number, limit: string | number): string {
  return `${formatUsd(value)} of ${formatUsd(limit)}`
}

/**
 * A figure whose calls all lack a price reads "unpriced", not "$0.00": its cost is unknown, not zero.
 * (Some priced calls beside unpriced ones: the priced cost is shown, with a note.)
 */
export function isUnpricedOnly(costUsd: string | number, unpricedEvents: number | null | undefined): boolean {
  return (unpricedEvents ?? 0) > 0 && Number(costUsd) === 0
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

export function formatCompact(n: number): string {
  return n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 })
}

export function formatPercent(ratio: number, digits = 1): string {
  if (!Number.isFinite(ratio)) return '—'
  return `${(ratio * 100).toFixed(digits)}%`
}

/**
 * A multiplier with thousands grouping: 22436.9 → "22,436.9×" (1 decimal by default; `digits` fixes how many;
 * `before`: "×22,436.9", as an alert title reads a growth factor).
 * Every "N×" a page or a message shows goes through here, so a large one reads like any other large number.
 */
export function formatMultiple(ratio: number, digits = 1, side: 'after' | 'before' = 'after'): string {
  if (!Number.isFinite(ratio)) return '—'
  const n = ratio.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  return side === 'after' ? `${n}×` : `×${n}`
}

/** A latency: "850 ms" under a second, "2.4 s" above; "—" when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—'
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}

// ---------------------------------------------------------------- dates and times

/** The time zone an organization shows its times in when it chose none. */
export const DEFAULT_TIME_ZONE = 'UTC'

/** The IANA name of a time zone ("Europe/Paris"), canonical; null when the runtime does not know it. */
export function canonicalTimeZone(tz: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone
  } catch {
    return null
  }
}

/** The time zones an organization may choose, UTC first. */
export function timeZones(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return [DEFAULT_TIME_ZONE, ...all.filter((z) => z !== DEFAULT_TIME_ZONE)]
}

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(kind: 'dateTime' | 'date' | 'time' | 'month', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone}`
  let f = formatters.get(key)
  if (!f) {
    const tz = canonicalTimeZone(timeZone) ?? DEFAULT_TIME_ZONE
    const time = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' } as const
    const options: Record<typeof kind, Intl.DateTimeFormatOptions> = {
      dateTime: { day: 'numeric', month: 'short', year: 'numeric', ...time },
      date: { day: 'numeric', month: 'short', year: 'numeric' },
      time: { ...time, second: '2-digit' },
      month: { month: 'long', year: 'numeric' },
    }
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...options[kind] })
    formatters.set(key, f)
  }
  return f
}

const asDate = (t: string | number | Date) => (t instanceof Date ? t : new Date(t))
const valid = (d: Date) => !Number.isNaN(d.getTime())

/** "6 Dec 2026, 03:35 UTC": the one way a moment is shown (in the organization's time zone). */
export function formatDateTime(t: string | number | Date, timeZone = DEFAULT_TIME_ZONE): string {
  const d = asDate(t)
  return valid(d) ? formatter('dateTime', timeZone).format(d) : '—'
}

/** "6 Dec 2026": a day (a moment's day in the time zone; a YYYY-MM-DD day as it is). */
export function formatDate(t: string | number | Date, timeZone = DEFAULT_TIME_ZONE): string {
  if (typeof t === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(t)) return formatter('date', 'UTC').format(new Date(`${t}T00:00:00Z`))
  const d = asDate(t)
  return valid(d) ? formatter('date', timeZone).format(d) : '—'
}

/** "03:35:55 UTC": a moment of today (the latest calls). */
export function formatTime(t: string | number | Date, timeZone = DEFAULT_TIME_ZONE): string {
  const d = asDate(t)
  return valid(d) ? formatter('time', timeZone).format(d) : '—'
}

/** "December 2026": a calendar month (UTC: months are UTC months in every report). */
export function formatMonth(t: string | number | Date): string {
  const d = asDate(t)
  return valid(d) ? formatter('month', 'UTC').format(d) : '—'
}
