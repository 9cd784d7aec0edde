import { describe, expect, it } from 'vitest'
import {
  bucketLabel,
  chartPoints,
  rateAxis,
  latencyGranularity,
  latencyRoutingSeries,
  latencyRoutingStory,
  pct,
  pearson,
  periodBuckets,
  type TLatencyRoutingPoint,
} from './latency-routing'

const week = { from: '2026-11-30T00:00:00.000Z', to: '2026-12-06T10:00:00.000Z' }

describe('buckets', () => {
  it('is per hour up to 7 days and per UTC day beyond', () => {
    expect(latencyGranularity(week)).toBe('hour')
    expect(latencyGranularity({ from: '2026-11-07T00:00:00.000Z', to: '2026-12-06T10:00:00.000Z' })).toBe('day')
  })

  it('lists every hour from the hour of from up to to, or every UTC day', () => {
    const hours = periodBuckets(week, 'hour')
    expect(hours).toHaveLength(6 * 24 + 10)
    expect(hours[0]).toBe('2026-11-30T00:00:00.000Z')
    expect(hours.at(-1)).toBe('2026-12-06T09:00:00.000Z')
    expect(periodBuckets({ from: '2026-12-01T13:20:00.000Z', to: '2026-12-01T15:00:00.000Z' }, 'hour')).toEqual([
      '2026-12-01T13:00:00.000Z',
      '2026-12-01T14:00:00.000Z',
    ])
    const days = periodBuckets(week, 'day')
    expect(days).toHaveLength(7)
    expect(days[6]).toBe('2026-12-06T00:00:00.000Z')
  })
})

describe('latencyRoutingSeries', () => {
  const period = { from: '2026-12-01T12:00:00.000Z', to: '2026-12-01T15:00:00.000Z' }
  const points = latencyRoutingSeries(
    [
      { bucket: '2026-12-01T12:00:00.000Z', latency_p50_ms: 800, latency_p95_ms: 2100 },
      { bucket: '2026-12-01T14:00:00+00:00', latency_p50_ms: 900, latency_p95_ms: null },
    ],
    [
      { bucket: '2026-12-01T12:00:00.000Z', outcome: 'success', events: 90 },
      { bucket: '2026-12-01T12:00:00.000Z', outcome: 'fallback', events: 6 },
      { bucket: '2026-12-01T12:00:00.000Z', outcome: 'escalation', events: 4 },
      { bucket: '2026-12-01T14:00:00.000Z', outcome: null, events: 10 },
    ],
    period,
    'hour',
  )

  it('joins quantiles and outcome counts per bucket, rates of all calls', () => {
    expect(points[0]).toEqual({
      bucket: '2026-12-01T12:00:00.000Z',
      calls: 100,
      fallbacks: 6,
      escalations: 4,
      fallback_rate: 0.06,
      escalation_rate: 0.04,
      p50_ms: 800,
      p95_ms: 2100,
    })
  })

  it('leaves a bucket without calls as a gap (null rates and latencies), not zero', () => {
    expect(points[1]).toMatchObject({ calls: 0, fallback_rate: null, escalation_rate: null, p50_ms: null, p95_ms: null })
  })

  it('matches buckets whatever the offset notation', () => {
    expect(points[2]).toMatchObject({ calls: 10, fallback_rate: 0, p50_ms: 900, p95_ms: null })
  })
})

describe('chartPoints', () => {
  it('moves a bucket with few calls to the faint keys, keeps the others, and leaves the figures on the point', () => {
    const busy = { bucket: 'a', calls: 20, fallbacks: 2, escalations: 0, fallback_rate: 0.1, escalation_rate: 0, p50_ms: 500, p95_ms: 2000 }
    const quiet = { ...busy, bucket: 'b', calls: 4, fallbacks: 1, fallback_rate: 0.25, p95_ms: 30_000 }
    const [a, b] = chartPoints([busy, quiet])
    expect(a).toMatchObject({ p95_ms: 2000, fallback_rate: 0.1, escalation_rate: 0, p95_few: null, fallback_few: null, point: busy })
    expect(b).toMatchObject({
      p50_ms: null,
      p95_ms: null,
      fallback_rate: null,
      p50_few: 500,
      p95_few: 30_000,
      fallback_few: 0.25,
      escalation_few: 0,
      point: quiet,
    })
  })

  it('tops the rate axis at 5% or more, stacked rates and faint buckets included, in round steps', () => {
    const axis = (rates: [number, number][]) =>
      rateAxis(
        chartPoints(
          rates.map(([f, e], i) => ({
            bucket: String(i),
            calls: i === 0 ? 5 : 50,
            fallbacks: 0,
            escalations: 0,
            fallback_rate: f,
            escalation_rate: e,
            p50_ms: 1,
            p95_ms: 1,
          })),
        ),
      )
    expect(axis([[0, 0]])).toEqual({ max: 0.05, ticks: [0, 0.01, 0.02, 0.03, 0.04, 0.05] })
    expect(
      axis([
        [0.2, 0.03],
        [0.01, 0.01],
      ]),
    ).toEqual({ max: 0.25, ticks: [0, 0.05, 0.1, 0.15, 0.2, 0.25] })
    expect(
      axis([
        [0.01, 0],
        [0.05, 0.02],
      ]),
    ).toEqual({ max: 0.08, ticks: [0, 0.02, 0.04, 0.06, 0.08] })
    expect(
      axis([
        [0, 0],
        [1, 0],
      ]),
    ).toEqual({ max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] })
  })
})

describe('pearson', () => {
  it('is 1 for a linear rise, −1 for a fall, null without variation or pairs', () => {
    expect(pearson([1, 2, 3], [10, 20, 30])).toBeCloseTo(1)
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1)
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNull()
    expect(pearson([1, 2], [1, 2])).toBeNull()
  })
})

describe('words', () => {
  it('labels buckets and shares', () => {
    expect(bucketLabel('2026-12-03T14:00:00.000Z', 'hour')).toBe('3 Dec 14:00 UTC')
    expect(bucketLabel('2026-12-03T00:00:00.000Z', 'day')).toBe('3 Dec (UTC)')
    expect([pct(0), pct(0.012), pct(0.1849)]).toEqual(['0%', '1.2%', '18%'])
  })
})

/** A steady day of hours: 100 calls, p95 2 s, 1 fallback and 3 escalations each. */
function hours(n: number, over: Record<number, Partial<TLatencyRoutingPoint>> = {}): TLatencyRoutingPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const p = { bucket: new Date(Date.UTC(2026, 11, 3, i)).toISOString(), calls: 100, fallbacks: 1, escalations: 3, p50_ms: 700, p95_ms: 2000, ...over[i] }
    return { ...p, fallback_rate: p.fallbacks / p.calls, escalation_rate: p.escalations / p.calls }
  })
}

describe('latencyRoutingStory', () => {
  it('ties a p95 spike to the fallbacks of the same hour, with the correlation across hours', () => {
    const story = latencyRoutingStory(hours(24, { 14: { p95_ms: 2100 * 10, fallbacks: 18 } }), 'hour')
    expect(story).toEqual({
      kind: 'fallback',
      peak: '2026-12-03T14:00:00.000Z',
      text:
        'Latency p95 peaked at 21 s on 3 Dec 14:00 UTC (typical 2.0 s), when 18% of calls fell back (1.7% over the range). ' +
        'Across the 24 hours with 20+ calls, p95 rises and falls with the fallback rate (r = 1.00).',
    })
  })

  it('names escalations when they, not fallbacks, rose with the spike, and both when both did', () => {
    expect(latencyRoutingStory(hours(24, { 5: { p95_ms: 5000, escalations: 12 } }), 'hour')).toMatchObject({
      kind: 'escalation',
      text: expect.stringMatching(
        /^Latency p95 peaked at 5\.0 s on 3 Dec 05:00 UTC \(typical 2\.0 s\), when 12% of calls were escalated \(3\.4% over the range\)\./,
      ),
    })
    expect(latencyRoutingStory(hours(24, { 5: { p95_ms: 5000, escalations: 12, fallbacks: 9 } }), 'hour')?.text).toContain(
      'when 9.0% of calls fell back (1.3% over the range) and 12% were escalated (3.4% over the range).',
    )
  })

  it('says a spike is not a fallback or escalation storm when both rates were usual then', () => {
    const story = latencyRoutingStory(hours(24, { 9: { p95_ms: 8000 } }), 'hour')
    expect(story).toEqual({
      kind: 'unrelated',
      peak: '2026-12-03T09:00:00.000Z',
      text: 'Latency p95 peaked at 8.0 s on 3 Dec 09:00 UTC (typical 2.0 s), while fallbacks (1.0% of calls) and escalations (3.0%) were at their usual rates: not a fallback or escalation storm.',
    })
  })

  it('reports no spike below 1.5× the typical p95, per day in day buckets', () => {
    const days = hours(5, { 2: { p95_ms: 2500 } }).map((p, i) => ({ ...p, bucket: new Date(Date.UTC(2026, 11, 1 + i)).toISOString() }))
    expect(latencyRoutingStory(days, 'day')).toEqual({
      kind: 'steady',
      peak: '2026-12-03T00:00:00.000Z',
      text: 'No latency spike: p95 stayed within 1.5× its typical 2.0 s (highest 2.5 s on 3 Dec (UTC)).',
    })
  })

  it('leaves out quiet buckets (a p95 of a few calls) and says nothing with fewer than 3 buckets to compare', () => {
    const story = latencyRoutingStory(hours(24, { 3: { calls: 4, fallbacks: 2, p95_ms: 30_000 } }), 'hour')
    expect(story?.kind).toBe('steady')
    expect(story?.peak).not.toBe('2026-12-03T03:00:00.000Z')
    expect(latencyRoutingStory(hours(2), 'hour')).toBeNull()
    expect(
      latencyRoutingStory(
        hours(24).map((p) => ({ ...p, p95_ms: null })),
        'hour',
      ),
    ).toBeNull()
  })

  it('does not call one extra fallback in a spike hour elevated', () => {
    const story = latencyRoutingStory(hours(24, { 14: { p95_ms: 9000, fallbacks: 2 } }), 'hour')
    expect(story?.kind).toBe('unrelated')
    expect(story?.text).not.toContain('rises and falls')
  })
})
