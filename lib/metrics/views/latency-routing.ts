// The workflow page's "latency beside fallbacks and escalations" chart: the
// question an engineer brings is "when latency spiked, was it a fallback or
// escalation storm, or something else?". These pure functions choose the
// buckets, join the metrics API's per-bucket latency quantiles with its
// per-bucket outcome counts, and state in one sentence what the data shows
// (never a claim the numbers don't carry). The chart only draws.
import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { periodDays, type TPeriod } from '@/lib/metrics/breakdown'
import { formatMs } from '@/lib/format'

/**
 * Up to this many days the chart is per hour (≤ 168 buckets), beyond it per
 * UTC day. The pages' shortest range is 7 days, and a fallback storm lasts an
 * hour or two: per day it is averaged away.
 */
export const HOURLY_MAX_DAYS = 7
/** Buckets with fewer calls are drawn faint and left out of the sentence: a p95 of a handful of calls is one slow call, a rate one call's outcome. */
export const MIN_CALLS = 20
/** A bucket's p95 this many times the typical (median) p95 is a spike. */
export const SPIKE_FACTOR = 1.5
/** A rate is "elevated" in a bucket at this many times its rate over the range (and at least one percentage point above it). */
export const ELEVATED_FACTOR = 2
/** The sentence names a correlation across buckets from this Pearson r up. */
export const STRONG_R = 0.5

export type TGranularity = 'hour' | 'day'

export function latencyGranularity(period: TPeriod): TGranularity {
  return Date.parse(period.to) - Date.parse(period.from) <= HOURLY_MAX_DAYS * DAY_MS ? 'hour' : 'day'
}

/** The bucket starts of a period (ISO, UTC): every hour from the hour of `from` up to `to` (exclusive), or every UTC day. */
export function periodBuckets(period: TPeriod, granularity: TGranularity): string[] {
  if (granularity === 'day') return periodDays(period).map((d) => `${d}T00:00:00.000Z`)
  const out: string[] = []
  const end = Date.parse(period.to)
  for (let t = Math.floor(Date.parse(period.from) / HOUR_MS) * HOUR_MS; t < end; t += HOUR_MS) out.push(new Date(t).toISOString())
  return out
}

/** The slices of metrics rows read here: latency quantiles per bucket, and calls per bucket and outcome. */
type TLatencyRow = { bucket?: string; latency_p50_ms?: number | null; latency_p95_ms?: number | null }
type TOutcomeRow = { bucket?: string; outcome?: string | null; events: number }

export type TLatencyRoutingPoint = {
  /** bucket start, ISO UTC */
  bucket: string
  calls: number
  fallbacks: number
  escalations: number
  /** fallbacks ÷ calls; null in a bucket without calls (a gap, not 0) */
  fallback_rate: number | null
  escalation_rate: number | null
  /** null: no call with a latency in the bucket */
  p50_ms: number | null
  p95_ms: number | null
}

const key = (iso: string) => new Date(iso).toISOString()

/** One point per bucket of the period: `latency` is grouped by the workflow per bucket (latency_quantiles=true), `outcomes` by outcome per bucket. */
export function latencyRoutingSeries(latency: TLatencyRow[], outcomes: TOutcomeRow[], period: TPeriod, granularity: TGranularity): TLatencyRoutingPoint[] {
  const q = new Map<string, TLatencyRow>()
  for (const r of latency) if (r.bucket) q.set(key(r.bucket), r)
  const counts = new Map<string, { calls: number; fallbacks: number; escalations: number }>()
  for (const r of outcomes) {
    if (!r.bucket) continue
    const k = key(r.bucket)
    const c = counts.get(k) ?? { calls: 0, fallbacks: 0, escalations: 0 }
    c.calls += r.events
    if (r.outcome === 'fallback') c.fallbacks += r.events
    if (r.outcome === 'escalation') c.escalations += r.events
    counts.set(k, c)
  }
  return periodBuckets(period, granularity).map((bucket) => {
    const c = counts.get(bucket) ?? { calls: 0, fallbacks: 0, escalations: 0 }
    const l = q.get(bucket)
    return {
      bucket,
      ...c,
      fallback_rate: c.calls > 0 ? c.fallbacks / c.calls : null,
      escalation_rate: c.calls > 0 ? c.escalations / c.calls : null,
      p50_ms: l?.latency_p50_ms ?? null,
      p95_ms: l?.latency_p95_ms ?? null,
    }
  })
}

/** A chart point: the figures of a bucket with MIN_CALLS calls or more, else the same figures under the `_few` keys (drawn faint). */
export type TLatencyChartPoint = {
  bucket: string
  p50_ms: number | null
  p95_ms: number | null
  fallback_rate: number | null
  escalation_rate: number | null
  p50_few: number | null
  p95_few: number | null
  fallback_few: number | null
  escalation_few: number | null
  point: TLatencyRoutingPoint
}

export function chartPoints(points: readonly TLatencyRoutingPoint[]): TLatencyChartPoint[] {
  return points.map((p) => {
    const few = p.calls < MIN_CALLS
    const main = (v: number | null) => (few ? null : v)
    const faint = (v: number | null) => (few ? v : null)
    return {
      bucket: p.bucket,
      p50_ms: main(p.p50_ms),
      p95_ms: main(p.p95_ms),
      fallback_rate: main(p.fallback_rate),
      escalation_rate: main(p.escalation_rate),
      p50_few: faint(p.p50_ms),
      p95_few: faint(p.p95_ms),
      fallback_few: faint(p.fallback_rate),
      escalation_few: faint(p.escalation_rate),
      point: p,
    }
  })
}

const RATE_STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25]

/**
 * The rate axis (fallbacks + escalations stacked, faint buckets included): at
 * least 5% high (a calm range does not blow 1% up to full height), with up to
 * 5 round steps (1, 2, 5, 10, 20 or 25 points) and its ticks.
 */
export function rateAxis(points: readonly TLatencyChartPoint[]): { max: number; ticks: number[] } {
  const top = Math.max(0.05, ...points.map((p) => (p.fallback_rate ?? p.fallback_few ?? 0) + (p.escalation_rate ?? p.escalation_few ?? 0)))
  const step = RATE_STEPS.find((s) => top <= 5 * s + 1e-9) ?? 0.25
  const n = Math.ceil(top / step - 1e-9)
  const ticks = Array.from({ length: n + 1 }, (_, i) => Math.round(i * step * 100) / 100)
  return { max: ticks[n], ticks }
}

/** Pearson's r of two equally long series; null when either does not vary or there are fewer than 3 pairs. */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length
  if (n < 3 || ys.length !== n) return null
  const mx = xs.reduce((s, x) => s + x, 0) / n
  const my = ys.reduce((s, y) => s + y, 0) / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx
    const dy = ys[i] - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "3 Dec 14:00 UTC" (hour) or "3 Dec (UTC)" (day). */
export function bucketLabel(iso: string, granularity: TGranularity): string {
  const d = new Date(iso)
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`
  return granularity === 'hour' ? `${day} ${String(d.getUTCHours()).padStart(2, '0')}:00 UTC` : `${day} (UTC)`
}

/** A share of calls in words: "18%", "1.2%", "0%". */
export function pct(ratio: number): string {
  if (ratio === 0) return '0%'
  const p = ratio * 100
  return p >= 10 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`
}

export type TLatencyStory = {
  /** spike: p95 at SPIKE_FACTOR× its typical level; with the outcomes elevated then, or neither (`unrelated`); `steady`: no spike */
  kind: 'fallback' | 'escalation' | 'both' | 'unrelated' | 'steady'
  /** the bucket of the highest p95 */
  peak: string
  text: string
}

/**
 * The sentence under the chart, from the buckets with MIN_CALLS calls or
 * more that have a latency: where p95 peaked, whether it is a spike against
 * the typical (median) p95, whether the fallback and escalation rates were
 * elevated in that bucket against their rates over the range, and, when
 * strong (and not beside "not a storm"), the correlation of p95 with either
 * rate across the buckets. Null
 * when fewer than 3 buckets qualify (nothing to compare).
 */
export function latencyRoutingStory(points: readonly TLatencyRoutingPoint[], granularity: TGranularity): TLatencyStory | null {
  const used = points.filter((p): p is TLatencyRoutingPoint & { p95_ms: number } => p.calls >= MIN_CALLS && p.p95_ms !== null)
  if (used.length < 3) return null
  const peak = used.reduce((a, b) => (b.p95_ms > a.p95_ms ? b : a))
  const typical = median(used.map((p) => p.p95_ms))
  const calls = points.reduce((s, p) => s + p.calls, 0)
  const fbAll = points.reduce((s, p) => s + p.fallbacks, 0) / calls
  const escAll = points.reduce((s, p) => s + p.escalations, 0) / calls
  const fb = peak.fallbacks / peak.calls
  const esc = peak.escalations / peak.calls
  const elevated = (count: number, rate: number, all: number) => count >= 2 && rate >= ELEVATED_FACTOR * all && rate - all >= 0.01
  const fbUp = elevated(peak.fallbacks, fb, fbAll)
  const escUp = elevated(peak.escalations, esc, escAll)
  const when = bucketLabel(peak.bucket, granularity)
  const spike = peak.p95_ms >= SPIKE_FACTOR * typical

  let kind: TLatencyStory['kind']
  let text: string
  if (!spike) {
    kind = 'steady'
    text = `No latency spike: p95 stayed within ${SPIKE_FACTOR}× its typical ${formatMs(typical)} (highest ${formatMs(peak.p95_ms)} on ${when}).`
  } else if (fbUp || escUp) {
    kind = fbUp && escUp ? 'both' : fbUp ? 'fallback' : 'escalation'
    const parts = [
      ...(fbUp ? [`${pct(fb)} of calls fell back (${pct(fbAll)} over the range)`] : []),
      ...(escUp ? [`${pct(esc)} ${fbUp ? '' : 'of calls '}were escalated (${pct(escAll)} over the range)`] : []),
    ]
    text = `Latency p95 peaked at ${formatMs(peak.p95_ms)} on ${when} (typical ${formatMs(typical)}), when ${parts.join(' and ')}.`
  } else {
    kind = 'unrelated'
    text =
      `Latency p95 peaked at ${formatMs(peak.p95_ms)} on ${when} (typical ${formatMs(typical)}), while fallbacks (${pct(fb)} of calls) and ` +
      `escalations (${pct(esc)}) were at their usual rates: not a fallback or escalation storm.`
  }

  const p95s = used.map((p) => p.p95_ms)
  const rs = [
    {
      what: 'fallback',
      r: pearson(
        p95s,
        used.map((p) => p.fallbacks / p.calls),
      ),
    },
    {
      what: 'escalation',
      r: pearson(
        p95s,
        used.map((p) => p.escalations / p.calls),
      ),
    },
  ].filter((x): x is { what: string; r: number } => x.r !== null && x.r >= STRONG_R)
  const strongest = rs.sort((a, b) => b.r - a.r)[0]
  // a one-hour blip of a rate correlates with a one-hour spike trivially: not said beside "not a storm"
  if (strongest && kind !== 'unrelated') {
    const unit = granularity === 'hour' ? 'hours' : 'days'
    text += ` Across the ${used.length} ${unit} with ${MIN_CALLS}+ calls, p95 rises and falls with the ${strongest.what} rate (r = ${strongest.r.toFixed(2)}).`
  }
  return { kind, peak: peak.bucket, text }
}
