import { describe, expect, test } from 'vitest'
import { dailySeries, internalTraffic, topN, totals } from '@/lib/metrics/prepare'

describe('dailySeries', () => {
  const from = new Date('2026-03-01T00:00:00.000Z')
  const to = new Date('2026-03-04T00:00:00.000Z') // exclusive: 3 days

  test('fills missing days with 0 and orders series by total, largest first', () => {
    const rows = [
      { bucket: '2026-03-01T00:00:00.000Z', traffic_source: 'production', cost_usd: '1.500000' },
      { bucket: '2026-03-01T00:00:00.000Z', traffic_source: 'eval', cost_usd: '0.250000' },
      { bucket: '2026-03-01T13:00:00.000Z', traffic_source: 'production', cost_usd: '0.100000' }, // same day, another hour
      { bucket: '2026-03-03T00:00:00.000Z', traffic_source: 'eval', cost_usd: '3.000000' },
      { bucket: '2026-03-03T00:00:00.000Z', traffic_source: 'production', cost_usd: '0.200000' },
    ]
    const r = dailySeries(rows, 'traffic_source', from, to)
    // totals: eval 0.25 + 3.00 = 3.25 ; production 1.50 + 0.10 + 0.20 = 1.80 → eval first
    expect(r.series).toEqual(['eval', 'production'])
    expect(r.points).toEqual([
      // 03-01: production 1.50 + 0.10 = 1.60 ; total 1.60 + 0.25 = 1.85
      { day: '2026-03-01', total: 1.85, eval: 0.25, production: 1.6 },
      // 03-02: no rows → zeros, not a gap
      { day: '2026-03-02', total: 0, eval: 0, production: 0 },
      // 03-03: 3.00 + 0.20 = 3.20
      { day: '2026-03-03', total: 3.2, eval: 3, production: 0.2 },
    ])
  })

  test('sums exactly: 0.1 + 0.2 is 0.3 on the chart', () => {
    const rows = [
      { bucket: '2026-03-01T00:00:00.000Z', cost_usd: '0.100000' },
      { bucket: '2026-03-01T01:00:00.000Z', cost_usd: '0.200000' },
    ]
    // 100,000 + 200,000 micro-dollars = 300,000 → 0.3 (a float sum would be 0.30000000000000004)
    const r = dailySeries(rows, null, from, new Date('2026-03-02T00:00:00.000Z'))
    expect(r).toEqual({ series: ['cost'], points: [{ day: '2026-03-01', total: 0.3, cost: 0.3 }] })
  })

  test('a missing series value is "(none)"; rows without a bucket are ignored', () => {
    const rows = [
      { bucket: '2026-03-02T05:00:00.000Z', feature: null, cost_usd: '2.000000' },
      { bucket: '2026-03-02T06:00:00.000Z', feature: 'search', cost_usd: '1.000000' },
      { cost_usd: '99.000000', feature: 'search' },
    ]
    const r = dailySeries(rows, 'feature', new Date('2026-03-02T00:00:00.000Z'), new Date('2026-03-03T00:00:00.000Z'))
    expect(r).toEqual({ series: ['(none)', 'search'], points: [{ day: '2026-03-02', total: 3, '(none)': 2, search: 1 }] })
  })

  test('a `from` in the middle of a day starts at that UTC day', () => {
    const r = dailySeries([], null, new Date('2026-03-01T15:00:00.000Z'), new Date('2026-03-02T12:00:00.000Z'))
    expect(r).toEqual({
      series: [],
      points: [
        { day: '2026-03-01', total: 0 },
        { day: '2026-03-02', total: 0 },
      ],
    })
  })
})

describe('topN', () => {
  const rows = [
    { model: 'a', cost_usd: '5.000000', events: 10 },
    { model: 'b', cost_usd: '3.000000', events: 5 },
    { model: 'c', cost_usd: '1.000000', events: 2 },
    { model: 'd', cost_usd: '0.600000', events: 1 },
    { model: 'e', cost_usd: '0.400000', events: 1 },
  ]

  test('top N by cost, the rest as "Other", exact shares', () => {
    expect(topN(rows, 'model', 2)).toEqual({
      // total = 5 + 3 + 1 + 0.6 + 0.4 = 10.000000
      total_usd: '10.000000',
      items: [
        { name: 'a', cost_usd: '5.000000', value: 5, share: 0.5, events: 10, unpriced_events: 0 }, // 5 / 10
        { name: 'b', cost_usd: '3.000000', value: 3, share: 0.3, events: 5, unpriced_events: 0 }, // 3 / 10
        // Other = 1 + 0.6 + 0.4 = 2.000000, 2 / 10 = 0.2, events 2 + 1 + 1 = 4; its members drill down to their calls
        { name: 'Other', cost_usd: '2.000000', value: 2, share: 0.2, events: 4, unpriced_events: 0, members: ['c', 'd', 'e'] },
      ],
    })
  })

  test('no "Other" when everything fits; rows of the same name are summed', () => {
    const r = topN([...rows, { model: 'e', cost_usd: '0.100000', events: 3 }], 'model', 8)
    expect(r.total_usd).toBe('10.100000') // 10.0 + 0.1
    expect(r.items.map((i) => [i.name, i.cost_usd, i.events])).toEqual([
      ['a', '5.000000', 10],
      ['b', '3.000000', 5],
      ['c', '1.000000', 2],
      ['d', '0.600000', 1],
      ['e', '0.500000', 4], // e: 0.4 + 0.1, events 1 + 3
    ])
  })

  test('shares are truncated to 6 decimals; ties are ordered by name; null is "(none)"', () => {
    const r = topN(
      [
        { account_id: 'y', cost_usd: '1.000000' },
        { account_id: null, cost_usd: '1.000000' },
        { account_id: 'x', cost_usd: '1.000000' },
      ],
      'account_id',
    )
    // 1 / 3 = 0.333333|33… → 0.333333 ; events default to 0
    expect(r.items).toEqual([
      { name: '(none)', cost_usd: '1.000000', value: 1, share: 0.333333, events: 0, unpriced_events: 0 },
      { name: 'x', cost_usd: '1.000000', value: 1, share: 0.333333, events: 0, unpriced_events: 0 },
      { name: 'y', cost_usd: '1.000000', value: 1, share: 0.333333, events: 0, unpriced_events: 0 },
    ])
    expect(r.total_usd).toBe('3.000000')
  })

  test('a zero total gives zero shares', () => {
    expect(topN([{ model: 'a', cost_usd: '0.000000', events: 1 }], 'model')).toEqual({
      total_usd: '0.000000',
      items: [{ name: 'a', cost_usd: '0.000000', value: 0, share: 0, events: 1, unpriced_events: 0 }],
    })
  })
})

describe('totals', () => {
  const row = (cost_usd: string, extra: Partial<Parameters<typeof totals>[0][number]> = {}) => ({
    cost_usd,
    events: 1,
    tokens_in: 100,
    cached_tokens_in: 25,
    tokens_out: 10,
    unpriced_events: 0,
    ...extra,
  })

  test('sums money exactly', () => {
    // 0.100000 + 0.200000 + 0.300000 = 600,000 micro-dollars = 0.600000
    const t = totals([row('0.100000'), row('0.200000'), row('0.300000')])
    expect(t).toEqual({
      cost_usd: '0.600000',
      cache_savings_usd: '0.000000', // savings missing → 0
      response_cache_hits: 0, // missing → 0
      response_cache_savings_usd: '0.000000',
      events: 3,
      tokens_in: 300,
      cached_tokens_in: 75,
      tokens_out: 30,
      unpriced_events: 0,
      cache_hit_rate: 0.25, // 75 / 300
    })
  })

  test('savings, unpriced events and many-decimal inputs', () => {
    const t = totals([
      row('1.000001', { cache_savings_usd: '0.000001', unpriced_events: 2, events: 5 }),
      row('2.999999', { cache_savings_usd: '0.500000', tokens_in: 0, cached_tokens_in: 0 }),
    ])
    // cost 1.000001 + 2.999999 = 4.000000 ; savings 0.000001 + 0.500000 = 0.500001 ; hit rate 25 / 100
    expect(t).toMatchObject({ cost_usd: '4.000000', cache_savings_usd: '0.500001', unpriced_events: 2, events: 6, tokens_in: 100, cache_hit_rate: 0.25 })
  })

  test('response cache hits and savings: counted and summed exactly, apart from the prompt cache', () => {
    const t = totals([
      row('0.100000', { response_cache_hits: 2, response_cache_savings_usd: '0.000001', cache_savings_usd: '0.300000' }),
      row('0.200000', { response_cache_hits: 1, response_cache_savings_usd: '0.199999' }),
      row('0.300000'),
    ])
    expect(t).toMatchObject({ cost_usd: '0.600000', cache_savings_usd: '0.300000', response_cache_hits: 3, response_cache_savings_usd: '0.200000', events: 3 })
  })

  test('no rows: zeros and a 0 hit rate', () => {
    expect(totals([])).toEqual({
      cost_usd: '0.000000',
      cache_savings_usd: '0.000000',
      response_cache_hits: 0,
      response_cache_savings_usd: '0.000000',
      events: 0,
      tokens_in: 0,
      cached_tokens_in: 0,
      tokens_out: 0,
      unpriced_events: 0,
      cache_hit_rate: 0,
    })
  })
})

describe('internalTraffic', () => {
  test('eval, replay and ops spend and its exact share of all spend', () => {
    const rows = [
      { traffic_source: 'production', cost_usd: '7.000000' },
      { traffic_source: 'eval', cost_usd: '2.000000' },
      { traffic_source: 'ops', cost_usd: '0.500000' },
      { traffic_source: 'replay', cost_usd: '0.500000' },
      { bucket: 'x', traffic_source: 'production', cost_usd: '0.000000' },
    ]
    expect(internalTraffic(rows)).toEqual({ internal_usd: '3.000000', share: 0.3 })
    expect(internalTraffic([])).toEqual({ internal_usd: '0.000000', share: 0 })
  })
})
