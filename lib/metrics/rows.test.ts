import { describe, expect, it } from 'vitest'
import { countOf, decimalOf, metricsRowOf, outcomeSumsOf, stepMedianOf } from '@/lib/metrics/rows'
import { histogramOf, histogramQuantile } from '@/lib/metrics/latency'

describe('row mappers', () => {
  it('turns int8 strings into numbers and refuses what is not an exact integer', () => {
    expect(countOf('9007199254740991', 'events')).toBe(2 ** 53 - 1)
    expect(countOf(null, 'events')).toBe(0)
    expect(() => countOf('9007199254740993', 'tokens_in')).toThrow('column tokens_in: expected an integer below 2^53')
    expect(() => countOf('1.5', 'events')).toThrow()
  })

  it('keeps money an exact decimal string', () => {
    expect(decimalOf('12345678901234.123456789012', 'cost_usd')).toBe('12345678901234.123456789012')
    expect(() => decimalOf(1.5, 'cost_usd')).toThrow('column cost_usd: expected a decimal string, got number')
  })

  it('maps a cost rollup row: bucket, dimensions, counts, money, floats, latency quantiles; only the selected columns', () => {
    const hist = histogramOf([100, 200, 300, 400])
    const row = metricsRowOf({
      bucket: new Date('2026-12-01T00:00:00Z'),
      workflow_id: 'support',
      model: null,
      events: '12',
      runs: '3',
      cost_usd: '1.250000',
      cache_hit_rate: 0.25,
      avg_latency_ms: null,
      latency_hist: hist.map(String), // int8[]: strings
    })
    expect(row).toEqual({
      bucket: '2026-12-01T00:00:00.000Z',
      workflow_id: 'support',
      model: null,
      events: 12,
      runs: 3,
      cost_usd: '1.250000',
      cache_hit_rate: 0.25,
      avg_latency_ms: null,
      latency_p50_ms: Math.round(histogramQuantile(hist, 0.5)!),
      latency_p95_ms: Math.round(histogramQuantile(hist, 0.95)!),
      latency_p99_ms: Math.round(histogramQuantile(hist, 0.99)!),
    })
    expect(Object.keys(metricsRowOf({ events: '1', cost_usd: '0.000001' }))).toEqual(['events', 'cost_usd'])
    expect(() => metricsRowOf({ events: '1', secret: 'x' })).toThrow('column secret')
  })

  it('maps outcome sums and step medians', () => {
    expect(outcomeSumsOf({ bucket: new Date('2026-12-01T00:00:00Z'), feature: 'chat', outcomes: '5', accepted_outcomes: '2' })).toEqual({
      bucket: '2026-12-01T00:00:00.000Z',
      feature: 'chat',
      outcomes: 5,
      accepted_outcomes: 2,
    })
    expect(stepMedianOf({ workflow_id: null, step: 'draft', accounts: 4, median_calls_per_run: 1.5 })).toEqual({
      workflow_id: null,
      step: 'draft',
      accounts: 4,
      median_calls_per_run: 1.5,
    })
  })
})
