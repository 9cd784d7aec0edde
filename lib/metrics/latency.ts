// Latency quantiles from hourly rollups: each rollup row carries a histogram
// of its calls' latencies on fixed log-scale buckets, so p50/p95 of any
// grouping is a sum of histograms, never a scan of raw events.
//
// Bucket 0 holds [0, 1) ms; bucket k ≥ 1 holds [2^((k−1)/4), 2^(k/4)) ms, four
// buckets per doubling (each ≈ 19% wide); the last bucket holds everything from
// 2^17 ms (≈ 131 s) up. The SQL migration that backfills existing rollups
// (prisma/migrations/*_latency_histograms) uses the same rule.

export const LATENCY_BUCKETS = 70
const PER_DOUBLING = 4
const LAST = LATENCY_BUCKETS - 1

/** The bucket of a latency in milliseconds. */
export function latencyBucket(ms: number): number {
  if (!(ms >= 1)) return 0
  return Math.min(LAST, 1 + Math.floor(PER_DOUBLING * Math.log2(ms)))
}

/** Lower and upper bound of bucket k in ms (the last bucket's upper bound is its lower bound: it is open). */
export function bucketBounds(k: number): [number, number] {
  if (k <= 0) return [0, 1]
  const lo = 2 ** ((k - 1) / PER_DOUBLING)
  return k >= LAST ? [lo, lo] : [lo, 2 ** (k / PER_DOUBLING)]
}

/** A histogram as stored: counts by bucket index, trailing zeros trimmed (null when there is no latency). */
export type THistogram = number[]

/** Count latencies into a histogram. */
export function histogramOf(latencies: Iterable<number>): THistogram {
  const h: number[] = []
  for (const ms of latencies) addToHistogram(h, ms)
  return h
}

export function addToHistogram(h: THistogram, ms: number): void {
  const k = latencyBucket(ms)
  while (h.length <= k) h.push(0)
  h[k]++
}

/** Element-wise sum (the SQL aggregate outlay_hist_sum does the same). */
export function mergeHistograms(a: readonly number[], b: readonly number[]): THistogram {
  const out = a.length >= b.length ? [...a] : [...b]
  const other = a.length >= b.length ? b : a
  for (let i = 0; i < other.length; i++) out[i] += other[i]
  return out
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram, in ms, or null when it is empty.
 * Nearest rank: the bucket holding the ⌈q·n⌉-th smallest latency; within it the
 * value is interpolated geometrically by rank, so the answer is within the
 * bucket's bounds (≈ ±19% of the true value at worst, ±9% typically).
 */
export function histogramQuantile(h: readonly (number | string)[] | null | undefined, q: number): number | null {
  if (!h || h.length === 0) return null
  const counts = h.map(Number)
  const n = counts.reduce((s, c) => s + c, 0)
  if (n <= 0) return null
  const rank = Math.max(1, Math.ceil(q * n))
  let seen = 0
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k]
    if (c <= 0) continue
    if (seen + c >= rank) {
      const [lo, hi] = bucketBounds(k)
      const f = (rank - seen - 0.5) / c // position inside the bucket, 0..1
      if (k === 0) return lo + (hi - lo) * f
      return lo * (hi / lo) ** f
    }
    seen += c
  }
  return null
}

/** Postgres int array literal of a histogram, e.g. "{0,3,1}" (null when empty). */
export function histogramLiteral(h: THistogram): string | null {
  return h.length === 0 ? null : `{${h.join(',')}}`
}
