// The "What changed" page's pure logic: the two periods and the scope kept in
// the URL, the link from a day of a spend chart, the waterfall's bars and the
// CSV of what the page shows. Money stays exact decimal except the bar
// heights (drawing only).
import { DAY_MS, ENVIRONMENTS, TRAFFIC_SOURCES } from '@/lib/domain'
import type { TPeriod } from '@/lib/metrics/breakdown'
import { isPreset, normalizeRange, rangeLabel, rangePeriods } from '@/lib/metrics/range'
import { CHANGE_PARTS, PART_LABELS, type TChangePart } from '@/lib/changes/decompose'
import type { z } from 'zod'
import type { TChangesResponse, ZChangesQuery } from '@/lib/changes/schema'

const DATE = /^\d{4}-\d{2}-\d{2}$/

export type TChangesView = {
  /** baseline and compared periods, ISO, `to` exclusive */
  a: TPeriod
  b: TPeriod
  /** the same periods as inclusive UTC days (what the date inputs show) */
  days: { a_from: string; a_to: string; b_from: string; b_to: string }
  /** periods chosen in the URL (else: the last `range` days vs the `range` before) */
  custom: boolean
  /** the default comparison (`range` in the URL, the pages' range vocabulary: 7, 30, 90, mtd, last_month, qtd or a custom span; 7 when absent) vs the period before */
  range: string
  workflow_id: string
  account_id: string
  environment: string
  traffic_source: string
}

type TParams = { get(name: string): string | null }

const validDay = (s: string | null): s is string => {
  const t = s && DATE.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN
  // 2026-02-31 parses (as March 3): only a date that reads back the same is one
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s
}
const dayStart = (d: string) => new Date(`${d}T00:00:00Z`).toISOString()
const dayEnd = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString()
const lastDay = (iso: string) => new Date(Date.parse(iso) - 1).toISOString().slice(0, 10)
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)

/** "the last 30 days", "month to date": the default comparison in words. */
export const changesRangeLabel = (range: string) => (isPreset(range) ? rangeLabel(range).toLowerCase() : rangeLabel(range))

/**
 * The query string → the view. Four valid days with from ≤ to select whole
 * UTC days; otherwise the default: the last `range` days (7 unless the URL
 * says 30 or 90; today up to the next hour) vs the as many days before, ending
 * at the same hour (see periods(): the overview's top movers use the same).
 */
export function parseChangesParams(p: TParams, now = new Date()): TChangesView {
  const [af, at, bf, bt] = ['a_from', 'a_to', 'b_from', 'b_to'].map((k) => p.get(k))
  const env = p.get('environment') ?? ''
  const src = p.get('traffic_source') ?? ''
  const r = p.get('range')
  // a range of the pages' vocabulary; absent or unknown: the last 7 days
  const range = r && normalizeRange(r) === r ? r : '7'
  const scope = {
    workflow_id: p.get('workflow_id') ?? '',
    account_id: p.get('account_id') ?? '',
    environment: (ENVIRONMENTS as readonly string[]).includes(env) ? env : '',
    traffic_source: (TRAFFIC_SOURCES as readonly string[]).includes(src) ? src : '',
  }
  if (validDay(af) && validDay(at) && validDay(bf) && validDay(bt) && af <= at && bf <= bt) {
    return {
      a: { from: dayStart(af), to: dayEnd(at) },
      b: { from: dayStart(bf), to: dayEnd(bt) },
      days: { a_from: af, a_to: at, b_from: bf, b_to: bt },
      custom: true,
      range,
      ...scope,
    }
  }
  const { current, previous } = rangePeriods(range, now)
  return {
    a: previous,
    b: current,
    days: { a_from: previous.from.slice(0, 10), a_to: lastDay(previous.to), b_from: current.from.slice(0, 10), b_to: lastDay(current.to) },
    custom: false,
    range,
    ...scope,
  }
}

export type TChangesUrlState = {
  days?: TChangesView['days'] | null
  /** the default comparison (a range of the pages' vocabulary); left out when 7 or when days are chosen */
  range?: string | number | null
  workflow_id?: string
  account_id?: string
  environment?: string
  traffic_source?: string
}

/** The page's query string: the days when chosen, the scope and the filters; empty values left out. */
export function changesQuery(s: TChangesUrlState): string {
  const qs = new URLSearchParams()
  if (s.days) for (const [k, v] of Object.entries(s.days)) qs.set(k, v)
  else if (s.range && String(s.range) !== '7') qs.set('range', String(s.range))
  for (const k of ['workflow_id', 'account_id', 'environment', 'traffic_source'] as const) if (s[k]) qs.set(k, s[k]!)
  return qs.toString()
}

/** GET /api/v1/changes's query for a view (periods as ISO instants; empty filters left out). */
export function changesApiQuery(v: TChangesView): z.input<typeof ZChangesQuery> {
  const q: z.input<typeof ZChangesQuery> = { a_from: v.a.from, a_to: v.a.to, b_from: v.b.from, b_to: v.b.to }
  for (const k of ['workflow_id', 'account_id', 'environment', 'traffic_source'] as const) if (v[k]) q[k] = v[k]
  return q
}

/** One UTC day (YYYY-MM-DD) compared with the same weekday a week earlier: the link from a spike. */
export function spikeQuery(
  day: string,
  filters: { environment?: string; traffic_source?: string } = {},
  scope: { workflow_id?: string; account_id?: string } = {},
): string {
  const before = addDays(day, -7)
  return changesQuery({
    days: { a_from: before, a_to: before, b_from: day, b_to: day },
    environment: filters.environment,
    traffic_source: filters.traffic_source,
    ...scope,
  })
}

// ---------------------------------------------------------------- waterfall

export type TWaterfallBar = {
  name: string
  kind: 'total' | 'up' | 'down'
  /** invisible offset under the bar, and its visible height (USD, drawing only) */
  base: number
  size: number
  /** exact, signed for parts */
  usd: string
}

/** Total A, then each part stacked on the running total, then total B. */
export function waterfallBars(r: Pick<TChangesResponse, 'a' | 'b' | 'parts'>): TWaterfallBar[] {
  const bars: TWaterfallBar[] = [{ name: 'Period A', kind: 'total', base: 0, size: Number(r.a.cost_usd), usd: r.a.cost_usd }]
  let running = Number(r.a.cost_usd)
  for (const p of r.parts) {
    const d = Number(p.usd)
    const next = running + d
    bars.push({ name: PART_LABELS[p.part], kind: d < 0 ? 'down' : 'up', base: Math.min(running, next), size: Math.abs(d), usd: p.usd })
    running = next
  }
  bars.push({ name: 'Period B', kind: 'total', base: 0, size: Number(r.b.cost_usd), usd: r.b.cost_usd })
  return bars
}

/**
 * Where the waterfall's value axis starts: near the data, not at $0, so parts of a
 * few percent are visible between two large totals. The lowest running total less a
 * fifth of the spread between the lowest and highest, rounded down to a round
 * number of the spread's order; $0 when that is at or below 0 or when the lowest
 * total is under a quarter of the highest (the change is then large enough to see).
 */
export function waterfallFloor(bars: TWaterfallBar[]): number {
  const levels = bars.flatMap((b) => (b.kind === 'total' ? [b.size] : [b.base, b.base + b.size]))
  if (levels.length === 0) return 0
  const lo = Math.min(...levels)
  const hi = Math.max(...levels)
  if (hi <= 0 || lo <= 0 || lo < hi / 4) return 0
  const spread = hi - lo
  if (spread === 0) return 0
  const step = 10 ** Math.floor(Math.log10(spread))
  const floor = Math.floor((lo - spread / 5) / step) * step
  return floor > 0 ? floor : 0
}

// ---------------------------------------------------------------- export

export const CONTRIBUTOR_SECTIONS = [
  { key: 'workflows', title: 'Workflows', section: 'workflow' },
  { key: 'steps', title: 'Steps', section: 'step' },
  { key: 'accounts', title: 'Accounts', section: 'account' },
  { key: 'models', title: 'Models', section: 'model' },
] as const

/** What the page shows as CSV cells: the totals, the five parts with their explanation, then every contributor list. */
export function changesCsvRows(r: TChangesResponse): string[][] {
  const rows: string[][] = [['section', 'item', 'period_a_usd', 'period_b_usd', 'change_usd', 'explanation']]
  rows.push(['total', 'spend', r.a.cost_usd, r.b.cost_usd, r.delta_usd, `A ${r.a.from} to ${r.a.to}, B ${r.b.from} to ${r.b.to} (UTC, end exclusive)`])
  const byPart = new Map(r.parts.map((p) => [p.part, p]))
  for (const part of CHANGE_PARTS as readonly TChangePart[]) {
    const p = byPart.get(part)
    if (p) rows.push(['part', part, '', '', p.usd, p.explanation])
  }
  for (const s of CONTRIBUTOR_SECTIONS) for (const c of r.contributors[s.key]) rows.push([s.section, c.key, c.a_usd, c.b_usd, c.delta_usd, ''])
  return rows
}

/** changes-<B first day>-vs-<A first day>.csv */
export const changesCsvFilename = (v: TChangesView) => `changes-${v.days.b_from}-${v.days.b_to}-vs-${v.days.a_from}-${v.days.a_to}.csv`
