import { describe, expect, it } from 'vitest'
import { histAbove, histQuantile, OUTPUT_BUCKET_LOWS, outputBucket, outputStepsFromHists, type TOutputRow } from '@/lib/opportunities/output-hist'

const histOf = (values: number[]) => {
  const h: number[] = []
  for (const v of values) {
    const b = outputBucket(v)
    while (h.length <= b) h.push(0)
    h[b]++
  }
  return h
}
const exactQuantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1]

describe('output buckets', () => {
  it('hold every size below 16 exactly, then 8 per doubling, ascending', () => {
    expect(OUTPUT_BUCKET_LOWS.slice(0, 20)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 21])
    for (let i = 1; i < OUTPUT_BUCKET_LOWS.length; i++) expect(OUTPUT_BUCKET_LOWS[i]).toBeGreaterThan(OUTPUT_BUCKET_LOWS[i - 1])
    expect(OUTPUT_BUCKET_LOWS.at(-1)).toBe(2 ** 24)
    expect([0, 15, 16, 18, 19, 1000, 2 ** 30].map(outputBucket)).toEqual([0, 15, 16, 17, 18, outputBucket(1000), OUTPUT_BUCKET_LOWS.length - 1])
    expect(OUTPUT_BUCKET_LOWS[outputBucket(1000)]).toBeLessThanOrEqual(1000)
    expect(OUTPUT_BUCKET_LOWS[outputBucket(1000) + 1]).toBeGreaterThan(1000)
  })
})

describe('histQuantile', () => {
  it('is exact below 16 tokens', () => {
    const v = [1, 2, 2, 3, 5, 8, 13, 13, 14, 15]
    for (const q of [0.1, 0.5, 0.95, 1]) expect(histQuantile(histOf(v), q, 15)).toBe(exactQuantile(v, q))
  })

  it('is within 4.5% above for many calls spread over the buckets, and never above the calls’ max', () => {
    const v = Array.from({ length: 1000 }, (_, i) => 100 + ((i * 7919) % 900))
    for (const q of [0.5, 0.95, 0.99]) {
      const got = histQuantile(histOf(v), q, Math.max(...v))
      expect(Math.abs(got - exactQuantile(v, q)) / exactQuantile(v, q)).toBeLessThan(0.045)
    }
    expect(histQuantile(histOf([5000]), 0.99, 5000)).toBe(5000)
    expect(histQuantile([], 0.5, 0)).toBe(0)
  })
})

describe('histAbove', () => {
  it('counts the calls above a cut and their output beyond it, exactly where buckets are one token wide', () => {
    expect(histAbove(histOf([1, 5, 9, 12]), 6, 12)).toEqual({ calls: 2, excess: 3 + 6 })
  })

  it('reads a wide bucket pro rata, bounded by the max', () => {
    const v = [100, 2000, 2100, 2200]
    const { calls, excess } = histAbove(histOf(v), 150, 2200)
    expect(calls).toBe(3)
    const exact = 1850 + 1950 + 2050
    expect(Math.abs(excess - exact) / exact).toBeLessThan(0.06)
  })
})

describe('outputStepsFromHists', () => {
  it('gives the step’s percentiles over its models and caps, and the uncapped calls’ excess per model', () => {
    const row = (model: string, max_tokens: number, values: number[]): TOutputRow => ({
      workflow_id: 'wf',
      step: 's',
      provider: 'p',
      model,
      max_tokens,
      calls: values.length,
      max: Math.max(...values),
      hist: histOf(values),
    })
    const [s] = outputStepsFromHists([row('a', 0, [1, 2, 3, 4, 14]), row('a', 10, [5, 6]), row('b', 100, [7, 8, 9])])
    expect(s).toMatchObject({ calls: 10, p50: 5, p95: 14, p99: 14, max: 14 })
    // p95 = 14: the 4× cap is 56, so max_tokens 100 is uncapped too; 10 is a cap
    expect(s.models).toEqual([
      { provider: 'p', model: 'a', calls: 7, no_cap_calls: 5, uncapped_calls: 5, over_p95_calls: 0, excess_tokens_out: 0 },
      { provider: 'p', model: 'b', calls: 3, no_cap_calls: 0, uncapped_calls: 3, over_p95_calls: 0, excess_tokens_out: 0 },
    ])
  })
})
