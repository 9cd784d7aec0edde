import { describe, expect, it } from 'vitest'
import { rangePeriods } from '@/lib/metrics/range'
import { changesApiQuery, changesCsvRows, changesQuery, parseChangesParams, spikeQuery, waterfallBars, waterfallFloor } from '@/lib/changes/view'
import { periods } from '@/lib/metrics/breakdown'
import type { TChangesResponse } from '@/lib/changes/query'

const NOW = new Date('2026-11-25T10:20:00Z')
const params = (qs: string) => new URLSearchParams(qs)

describe('parseChangesParams', () => {
  it('defaults to the last 7 days vs the 7 before', () => {
    const v = parseChangesParams(params(''), NOW)
    const { current, previous } = periods(7, NOW)
    expect(v).toMatchObject({ a: previous, b: current, custom: false, workflow_id: '', account_id: '' })
    expect(v.days).toEqual({ a_from: '2026-11-12', a_to: '2026-11-18', b_from: '2026-11-19', b_to: '2026-11-25' })
  })

  it("reads the default comparison's length from range (the overview's top movers link with it), 7 when absent or unknown", () => {
    const v = parseChangesParams(params('range=30&workflow_id=kb-search'), NOW)
    const { current, previous } = periods(30, NOW)
    expect(v).toMatchObject({ a: previous, b: current, custom: false, range: '30', workflow_id: 'kb-search' })
    expect(changesQuery({ ...v, days: null })).toBe('range=30&workflow_id=kb-search')
    expect(parseChangesParams(params('range=12'), NOW).range).toBe('7')
    // the pages' other ranges: month to date vs the previous month to the same day and hour
    const mtd = parseChangesParams(params('range=mtd'), NOW)
    expect(mtd).toMatchObject({ range: 'mtd', ...(({ current, previous }) => ({ a: previous, b: current }))(rangePeriods('mtd', NOW)) })
    expect(changesQuery({ ...mtd, days: null })).toBe('range=mtd')
    expect(changesQuery({ range: 7, account_id: 'acme' })).toBe('account_id=acme')
  })

  it('reads whole UTC days, inclusive, and the scope; falls back on anything invalid', () => {
    const v = parseChangesParams(params('a_from=2026-11-03&a_to=2026-11-03&b_from=2026-11-10&b_to=2026-11-10&workflow_id=support-agent&environment=prod'), NOW)
    expect(v.a).toEqual({ from: '2026-11-03T00:00:00.000Z', to: '2026-11-04T00:00:00.000Z' })
    expect(v.b).toEqual({ from: '2026-11-10T00:00:00.000Z', to: '2026-11-11T00:00:00.000Z' })
    expect(v).toMatchObject({ custom: true, workflow_id: 'support-agent', environment: '' })
    expect(parseChangesParams(params('a_from=2026-11-05&a_to=2026-11-03&b_from=2026-11-10&b_to=2026-11-10'), NOW).custom).toBe(false)
    expect(parseChangesParams(params('a_from=2026-02-31&a_to=2026-11-03&b_from=2026-11-10&b_to=2026-11-10'), NOW).custom).toBe(false)
  })

  it('round-trips through the query string and gives the API instants', () => {
    const qs = changesQuery({
      days: { a_from: '2026-11-01', a_to: '2026-11-07', b_from: '2026-11-08', b_to: '2026-11-14' },
      account_id: 'acme',
      traffic_source: 'eval',
    })
    const v = parseChangesParams(params(qs), NOW)
    expect(changesQuery(v.custom ? v : { ...v, days: null })).toBe(qs)
    expect(changesApiQuery(v).b_to).toBe('2026-11-15T00:00:00.000Z')
  })
})

describe('spikeQuery', () => {
  it('compares a day with the same weekday a week earlier', () => {
    expect(
      Object.fromEntries(params(spikeQuery('2026-11-03', { days: 30, environment: 'production', traffic_source: '' } as { environment: string }))),
    ).toEqual({
      a_from: '2026-10-27',
      a_to: '2026-10-27',
      b_from: '2026-11-03',
      b_to: '2026-11-03',
      environment: 'production',
    })
  })
})

const response: TChangesResponse = {
  a: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z', cost_usd: '10.000000', events: 5, runs: 1 },
  b: { from: '2026-11-08T00:00:00.000Z', to: '2026-11-09T00:00:00.000Z', cost_usd: '12.500000', events: 6, runs: 2 },
  delta_usd: '2.500000',
  delta_ratio: 0.25,
  parts: [
    { part: 'volume', label: 'Volume', usd: '4.000000', explanation: 'More calls.' },
    { part: 'tokens', label: 'Tokens per call', usd: '0.000000', explanation: 'x.' },
    { part: 'mix', label: 'Model mix', usd: '-2.000000', explanation: 'y, "quoted".' },
    { part: 'price', label: 'Price', usd: '0.000000', explanation: 'z.' },
    { part: 'retries', label: 'Retries and errors', usd: '0.500000', explanation: 'w.' },
  ],
  contributors: {
    workflows: [{ key: 'w1', workflow_id: 'w1', a_usd: '10.000000', b_usd: '12.500000', delta_usd: '2.500000' }],
    steps: [],
    accounts: [],
    models: [],
  },
}

describe('waterfallBars', () => {
  it('stacks each part on the running total, from A to B', () => {
    expect(waterfallBars(response).map((b) => [b.name, b.kind, b.base, b.size])).toEqual([
      ['Period A', 'total', 0, 10],
      ['Volume', 'up', 10, 4],
      ['Tokens per call', 'up', 14, 0],
      ['Model mix', 'down', 12, 2],
      ['Price', 'up', 12, 0],
      ['Retries and errors', 'up', 12, 0.5],
      ['Period B', 'total', 0, 12.5],
    ])
  })
})

describe('waterfallFloor: the axis starts near the data', () => {
  const bars = (a: string, parts: string[], b: string) =>
    waterfallBars({
      ...response,
      a: { ...response.a, cost_usd: a },
      b: { ...response.b, cost_usd: b },
      parts: parts.map((usd, i) => ({ ...response.parts[i], usd })),
    })
  it('below the lowest running total by a fifth of the spread, on a round number', () => {
    expect(waterfallFloor(waterfallBars(response))).toBe(9) // levels 10…14
    expect(waterfallFloor(bars('1000', ['25', '5'], '1030'))).toBe(990) // a 3% change: visible
    expect(waterfallFloor(bars('1030', ['-30'], '1000'))).toBe(990)
  })
  it('at $0 when the change is large anyway, or there is no spend', () => {
    expect(waterfallFloor(bars('10', ['90'], '100'))).toBe(0)
    expect(waterfallFloor(bars('0', ['5'], '5'))).toBe(0)
    expect(waterfallFloor(bars('0', [], '0'))).toBe(0)
    expect(waterfallFloor(bars('7', ['0'], '7'))).toBe(0)
  })
})

describe('changesCsvRows', () => {
  it('lists the totals, the parts and the contributors as shown', () => {
    const rows = changesCsvRows(response)
    expect(rows[0]).toEqual(['section', 'item', 'period_a_usd', 'period_b_usd', 'change_usd', 'explanation'])
    expect(rows[1].slice(0, 5)).toEqual(['total', 'spend', '10.000000', '12.500000', '2.500000'])
    expect(rows.slice(2, 7).map((r) => [r[1], r[4]])).toEqual([
      ['volume', '4.000000'],
      ['tokens', '0.000000'],
      ['mix', '-2.000000'],
      ['price', '0.000000'],
      ['retries', '0.500000'],
    ])
    expect(rows[7]).toEqual(['workflow', 'w1', '10.000000', '12.500000', '2.500000', ''])
  })
})
