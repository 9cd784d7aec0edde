// Pure logic of the Calls explorer and the run view (components/calls): the explorer's URL ↔ the API's query,
// the drill-down links other pages build into it, and the run timeline's geometry. Client-safe.
import { CALLS_FILTERS, type TCall } from '@/lib/calls/schema'
import { periods } from '@/lib/metrics/breakdown'
import { DAY_PRESETS, rangePeriods } from '@/lib/metrics/range'

/** The explorer's day presets (its own select; other ranges arrive as from/to). */
const CALLS_RANGES: readonly number[] = DAY_PRESETS.map((p) => p.days)

/** The explorer's URL keys besides the period: the API's own names, so a link reads like the API call. */
export const CALLS_URL_KEYS = [...CALLS_FILTERS, 'run_id', 'min_cost_usd', 'max_cost_usd', 'unpriced'] as const
export type TCallsUrlKey = (typeof CALLS_URL_KEYS)[number]

type TParams = { get(name: string): string | null }

/** The explorer's state: the period (`range` days, or explicit from/to) and the filters, as strings from the URL. */
export type TCallsView = { range: number; from: string; to: string } & Partial<Record<TCallsUrlKey, string>>

export function parseCallsUrl(p: TParams): TCallsView {
  const range = Number(p.get('range'))
  const view: TCallsView = {
    range: CALLS_RANGES.includes(range) ? range : 30,
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
  }
  for (const k of CALLS_URL_KEYS) {
    const v = p.get(k)?.trim()
    if (v) view[k] = v
  }
  return view
}

/** The state → the explorer's query string (empty values left out; the range only without explicit dates). */
export function callsUrlQuery(v: Partial<TCallsView>): string {
  const qs = new URLSearchParams()
  if (v.from || v.to) {
    if (v.from) qs.set('from', v.from)
    if (v.to) qs.set('to', v.to)
  } else if (v.range) qs.set('range', String(v.range))
  for (const k of CALLS_URL_KEYS) if (v[k]) qs.set(k, v[k] as string)
  return qs.toString()
}

/** The state → GET /api/v1/calls's query (the range becomes the same period the other pages read: lib/metrics/breakdown). */
export function callsApiQuery(v: TCallsView, now = new Date()): Record<string, string> {
  const p = periods(v.range, now).current
  const q: Record<string, string> = { from: v.from || p.from, to: v.to || p.to }
  for (const k of CALLS_URL_KEYS) if (v[k]) q[k] = v[k] as string
  return q
}

/** A drill-down link into the explorer: the page's filters (range, environment, traffic source) and the row's. */
/** A page's range (the pages' vocabulary: 7, 30, 90, mtd, last_month, qtd, a custom span) as the explorer's period: its day preset, else the period's instants. */
export function callsPeriod(range: string, now = new Date()): { range: number } | { from: string; to: string } {
  if (CALLS_RANGES.some((d) => String(d) === range)) return { range: Number(range) }
  const { current } = rangePeriods(range, now)
  return { from: current.from, to: current.to }
}

export function callsHref(org: string, filters: Partial<Record<TCallsUrlKey | 'range' | 'from' | 'to', string | number | null | undefined>>): string {
  const qs = new URLSearchParams()
  if (filters.from || filters.to) {
    if (filters.from) qs.set('from', String(filters.from))
    if (filters.to) qs.set('to', String(filters.to))
  } else if (filters.range) qs.set('range', String(filters.range))
  for (const k of CALLS_URL_KEYS) {
    const v = filters[k]
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
  }
  return `/${org}/calls?${qs}`
}

/** "openai/gpt-4o" (the pages' model names) → the provider and model filters (a provider name has no "/"). */
export function modelFilters(name: string): { provider: string; model: string } | null {
  const i = name.indexOf('/')
  return i > 0 && i < name.length - 1 ? { provider: name.slice(0, i), model: name.slice(i + 1) } : null
}

/**
 * Several "provider/model" names (an "Other" row) → provider and model comma lists, when those lists select exactly
 * these pairs (no other pair of their cross product is among `all`, the names the row was split from); else null.
 */
export function modelsFilters(names: string[], all: string[]): { provider: string; model: string } | null {
  const pairs = names.map(modelFilters)
  if (!pairs.length || pairs.some((p) => p === null)) return null
  const providers = [...new Set(pairs.map((p) => p!.provider))]
  const models = [...new Set(pairs.map((p) => p!.model))]
  const chosen = new Set(names)
  const stray = all.some((n) => {
    const p = modelFilters(n)
    return p !== null && !chosen.has(n) && providers.includes(p.provider) && models.includes(p.model)
  })
  return stray ? null : { provider: providers.join(','), model: models.join(',') }
}

/** The run view's link for a run id. */
export const runHref = (org: string, runId: string) => `/${org}/calls/runs/${encodeURIComponent(runId)}`

/** "2026-12-06 09:00:01.234 UTC": one instant, to the millisecond, in UTC. */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`
}

export type TTimelineBar = { call: TCall; offset_ms: number; left: number; width: number }

/**
 * Each call as a bar on the run's time axis: it starts at its timestamp and lasts its latency (a call without one
 * is drawn as a tick). left and width are fractions of the axis, from the run's start to its end.
 */
export function timelineBars(calls: TCall[], startedAt: string, durationMs: number): TTimelineBar[] {
  const start = Date.parse(startedAt)
  const span = Math.max(durationMs, 1)
  return calls.map((call) => {
    const offset = Date.parse(call.timestamp) - start
    const left = Math.min(1, Math.max(0, offset / span))
    return { call, offset_ms: offset, left, width: Math.min(1 - left, Math.max(0, (call.latency_ms ?? 0) / span)) }
  })
}
