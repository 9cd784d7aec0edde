// Pure "prepare" functions for the overview's charts: they decide buckets,
// gaps, units and top-N; the recharts components only draw. Money is summed
// as bigint micro-dollars from the API's exact decimal strings.
import { DAY_MS, micros, microsToNumber as usd } from '@/lib/domain'
import { fromScaled } from '@/lib/cost/money'

export type TCostRow = { bucket?: string; cost_usd: string } & Record<string, unknown>

export type TDailyPoint = { day: string; total: number } & Record<string, number | string>

/**
 * One point per UTC day from `from` to `to` (missing days are 0, not gaps),
 * with the cost of each series (e.g. each traffic source) as its own key.
 */
export function dailySeries(rows: TCostRow[], seriesKey: string | null, from: Date, to: Date): { points: TDailyPoint[]; series: string[] } {
  const byDay = new Map<string, Map<string, bigint>>()
  const seriesTotals = new Map<string, bigint>()
  for (const r of rows) {
    if (!r.bucket) continue
    const day = r.bucket.slice(0, 10)
    const s = seriesKey ? String(r[seriesKey] ?? '(none)') : 'cost'
    const m = byDay.get(day) ?? new Map<string, bigint>()
    m.set(s, (m.get(s) ?? 0n) + micros(r.cost_usd))
    byDay.set(day, m)
    seriesTotals.set(s, (seriesTotals.get(s) ?? 0n) + micros(r.cost_usd))
  }
  const series = [...seriesTotals.entries()].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0)).map(([s]) => s)
  const points: TDailyPoint[] = []
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate())
  for (let t = start; t < to.getTime(); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10)
    const m = byDay.get(day)
    let total = 0n
    const p: TDailyPoint = { day, total: 0 }
    for (const s of series) {
      const v = m?.get(s) ?? 0n
      total += v
      p[s] = usd(v)
    }
    p.total = usd(total)
    points.push(p)
  }
  return { points, series }
}

/** unpriced_events: calls of models without a price (their cost is not in cost_usd) */
export type TBreakdownItem = {
  name: string
  cost_usd: string
  value: number
  share: number
  events: number
  unpriced_events: number
  /** the "Other" row: the names it sums ("(none)" left out), so it can drill down to their calls */
  members?: string[]
}

/** Rows grouped by one dimension → the top N by cost, the rest summed as "Other", with shares of the total. */
export function topN(rows: (TCostRow & { events?: number; unpriced_events?: number })[], key: string, n = 8): { items: TBreakdownItem[]; total_usd: string } {
  const acc = new Map<string, { m: bigint; events: number; unpriced: number }>()
  let total = 0n
  for (const r of rows) {
    const name = r[key] == null ? '(none)' : String(r[key])
    const a = acc.get(name) ?? { m: 0n, events: 0, unpriced: 0 }
    a.m += micros(r.cost_usd)
    a.events += r.events ?? 0
    a.unpriced += r.unpriced_events ?? 0
    acc.set(name, a)
    total += micros(r.cost_usd)
  }
  const sorted = [...acc.entries()].sort((a, b) => (b[1].m > a[1].m ? 1 : b[1].m < a[1].m ? -1 : a[0].localeCompare(b[0])))
  const head = sorted.slice(0, n)
  const tail = sorted.slice(n)
  if (tail.length)
    head.push([
      'Other',
      tail.reduce((s, [, v]) => ({ m: s.m + v.m, events: s.events + v.events, unpriced: s.unpriced + v.unpriced }), { m: 0n, events: 0, unpriced: 0 }),
    ])
  const share = (m: bigint) => (total === 0n ? 0 : Number((m * 1_000_000n) / total) / 1_000_000)
  const members = tail.map(([name]) => name).filter((name) => name !== '(none)')
  return {
    items: head.map(([name, v], i) => ({
      name,
      cost_usd: fromScaled(v.m, 6),
      value: usd(v.m),
      share: share(v.m),
      events: v.events,
      unpriced_events: v.unpriced,
      ...(tail.length && i === head.length - 1 ? { members } : {}),
    })),
    total_usd: fromScaled(total, 6),
  }
}

export type TTotals = {
  cost_usd: string
  cache_savings_usd: string
  /** calls answered from a response cache, and what they saved (0 when the rows do not carry them) */
  response_cache_hits: number
  response_cache_savings_usd: string
  events: number
  tokens_in: number
  cached_tokens_in: number
  tokens_out: number
  unpriced_events: number
  cache_hit_rate: number
}

export function totals(
  rows: {
    cost_usd: string
    cache_savings_usd?: string
    response_cache_hits?: number
    response_cache_savings_usd?: string
    events: number
    tokens_in: number
    cached_tokens_in: number
    tokens_out: number
    unpriced_events: number
  }[],
): TTotals {
  let cost = 0n
  let savings = 0n
  let responseCacheSavings = 0n
  const t = { response_cache_hits: 0, events: 0, tokens_in: 0, cached_tokens_in: 0, tokens_out: 0, unpriced_events: 0 }
  for (const r of rows) {
    cost += micros(r.cost_usd)
    savings += micros(r.cache_savings_usd ?? '0')
    responseCacheSavings += micros(r.response_cache_savings_usd ?? '0')
    t.response_cache_hits += r.response_cache_hits ?? 0
    t.events += r.events
    t.tokens_in += r.tokens_in
    t.cached_tokens_in += r.cached_tokens_in
    t.tokens_out += r.tokens_out
    t.unpriced_events += r.unpriced_events
  }
  return {
    ...t,
    cost_usd: fromScaled(cost, 6),
    cache_savings_usd: fromScaled(savings, 6),
    response_cache_savings_usd: fromScaled(responseCacheSavings, 6),
    cache_hit_rate: t.tokens_in ? t.cached_tokens_in / t.tokens_in : 0,
  }
}

/** Spend of internal traffic (traffic_source other than production: eval, replay, ops) and its share of all spend, from rows grouped by traffic_source. */
export function internalTraffic(rows: (TCostRow & { traffic_source?: string | null })[]): { internal_usd: string; share: number } {
  let all = 0n
  let internal = 0n
  for (const r of rows) {
    const m = micros(r.cost_usd)
    all += m
    if ((r.traffic_source ?? 'production') !== 'production') internal += m
  }
  return { internal_usd: fromScaled(internal, 6), share: all === 0n ? 0 : Number((internal * 1_000_000n) / all) / 1_000_000 }
}
