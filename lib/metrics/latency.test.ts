import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { bucketBounds, histogramLiteral, histogramOf, histogramQuantile, latencyBucket, LATENCY_BUCKETS, mergeHistograms } from './latency'

/** The exact nearest-rank quantile. */
function exactQuantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.max(1, Math.ceil(q * s.length)) - 1]
}

describe('latency buckets', () => {
  it('puts each latency inside its bucket bounds', () => {
    for (const ms of [0, 0.4, 1, 1.18, 1.19, 2, 3, 100, 250, 999, 1000, 30_000, 131_071, 131_072, 10_000_000]) {
      const k = latencyBucket(ms)
      const [lo, hi] = bucketBounds(k)
      expect(ms, `bucket ${k}`).toBeGreaterThanOrEqual(lo)
      if (k < LATENCY_BUCKETS - 1) expect(ms).toBeLessThan(hi)
    }
  })

  it('has four buckets per doubling, 0 below 1 ms and an open last bucket', () => {
    expect(latencyBucket(0)).toBe(0)
    expect(latencyBucket(0.99)).toBe(0)
    expect(latencyBucket(1)).toBe(1)
    expect(latencyBucket(2)).toBe(5)
    expect(latencyBucket(1024)).toBe(41)
    expect(latencyBucket(2 ** 17)).toBe(LATENCY_BUCKETS - 1)
    expect(latencyBucket(1e9)).toBe(LATENCY_BUCKETS - 1)
    expect(latencyBucket(Number.NaN)).toBe(0)
  })
})

describe('histogramQuantile', () => {
  it('is null for an empty histogram', () => {
    expect(histogramQuantile([], 0.5)).toBeNull()
    expect(histogramQuantile(null, 0.5)).toBeNull()
    expect(histogramQuantile([0, 0, 0], 0.5)).toBeNull()
  })

  it('stays within one bucket of the exact quantile (≤ 19% off) on any sample', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99),
        (xs, q) => {
          const est = histogramQuantile(histogramOf(xs), q)!
          const exact = exactQuantile(xs, q)
          const [lo, hi] = bucketBounds(latencyBucket(exact))
          expect(est).toBeGreaterThanOrEqual(lo)
          expect(est).toBeLessThanOrEqual(hi)
          expect(Math.abs(est - exact) / exact).toBeLessThan(0.19)
        },
      ),
    )
  })

  it('reads numbers or the strings PostgreSQL returns for int8[]', () => {
    const h = histogramOf([100, 200, 300, 400, 5000])
    expect(histogramQuantile(h.map(String), 0.5)).toBe(histogramQuantile(h, 0.5))
    expect(histogramQuantile(h, 0.5)!).toBeGreaterThan(250)
    expect(histogramQuantile(h, 0.5)!).toBeLessThan(360)
    expect(histogramQuantile(h, 1)!).toBeGreaterThan(4000)
  })
})

describe('histograms', () => {
  it('merge element-wise, whatever their lengths', () => {
    expect(mergeHistograms([1, 2], [0, 1, 0, 4])).toEqual([1, 3, 0, 4])
    expect(mergeHistograms([1, 2, 3], [])).toEqual([1, 2, 3])
    const a = [5, 50, 500]
    const b = [7, 70, 7000]
    expect(mergeHistograms(histogramOf(a), histogramOf(b))).toEqual(histogramOf([...a, ...b]))
  })

  it('print as PostgreSQL array literals, trailing zeros never stored', () => {
    expect(histogramLiteral([])).toBeNull()
    expect(histogramLiteral(histogramOf([0.5, 1]))).toBe('{1,1}')
  })
})
