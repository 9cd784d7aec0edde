import { describe, expect, test } from 'vitest'
import { csvFilename, filtersQuery, parseFilters, perUnit, periodDays, periods, topMovers, type TBreakdownRow } from '@/lib/metrics/breakdown'

const NONE = '(none)'

describe('filters in the URL', () => {
  test('read from the query string; unknown values fall back to the defaults', () => {
    expect(parseFilters(new URLSearchParams('range=90&environment=staging&traffic_source=eval'))).toEqual({
      range: '90',
      environment: 'staging',
      traffic_source: 'eval',
      compare: true,
    })
    const defaults = { range: '30', environment: '', traffic_source: '', compare: true }
    expect(parseFilters(new URLSearchParams(''))).toEqual(defaults)
    expect(parseFilters(new URLSearchParams('range=45&environment=prod&traffic_source=x'))).toEqual(defaults)
    expect(parseFilters(new URLSearchParams('range=mtd&compare=0'))).toEqual({ ...defaults, range: 'mtd', compare: false })
    expect(parseFilters(new URLSearchParams('range=2026-11-03..2026-11-20')).range).toBe('2026-11-03..2026-11-20')
    expect(parseFilters(new URLSearchParams('range=2026-11-20..2026-11-03')).range).toBe('30')
  })

  test('written back with the range always present and empty filters left out; a round trip keeps them', () => {
    expect(filtersQuery({ range: '7', environment: '', traffic_source: '', compare: true })).toBe('range=7')
    const f = { range: '90', environment: 'production', traffic_source: 'ops', compare: false }
    expect(filtersQuery(f)).toBe('range=90&environment=production&traffic_source=ops&compare=0')
    expect(parseFilters(new URLSearchParams(filtersQuery(f)))).toEqual(f)
    const custom = { range: '2026-11-03..2026-11-20', environment: '', traffic_source: '', compare: true }
    expect(parseFilters(new URLSearchParams(filtersQuery(custom)))).toEqual(custom)
  })
})

describe('periods', () => {
  test('the last N UTC days up to the next hour; the previous period is the same window N days earlier', () => {
    const p = periods(7, new Date('2026-03-10T14:23:05.000Z'))
    // today is 03-10: 7 days = 03-04 … 03-10; the end rounds up to 15:00
    expect(p.current).toEqual({ from: '2026-03-04T00:00:00.000Z', to: '2026-03-10T15:00:00.000Z' })
    // 7 days earlier: 02-25 00:00 → 03-03 15:00 (2026 is not a leap year: Feb has 28 days)
    expect(p.previous).toEqual({ from: '2026-02-25T00:00:00.000Z', to: '2026-03-03T15:00:00.000Z' })
  })

  test('exactly on an hour, the end is the next hour (the current hour is included)', () => {
    expect(periods(30, new Date('2026-03-10T15:00:00.000Z')).current).toEqual({ from: '2026-02-09T00:00:00.000Z', to: '2026-03-10T16:00:00.000Z' })
  })

  test('periodDays lists every UTC day the period touches', () => {
    expect(periodDays({ from: '2026-02-27T00:00:00.000Z', to: '2026-03-02T15:00:00.000Z' })).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'])
    expect(periodDays({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' })).toEqual(['2026-03-01'])
  })
})

describe('topMovers', () => {
  const row = (key: string, change_usd: string): TBreakdownRow => ({
    key,
    cost_usd: '0.000000',
    previous_cost_usd: '0.000000',
    change_usd,
    change_ratio: null,
    is_new: false,
    share: 0,
    events: 0,
    unpriced_events: 0,
    runs: 0,
    cache_hit_rate: null,
    accepted_outcomes: null,
    cost_per_accepted_outcome_usd: null,
    daily: [],
  })

  test('the largest dollar increases, at most 5; decreases, zero change and the "none" row left out', () => {
    const rows = [
      row('a', '1.000000'),
      row('b', '7.500000'),
      row('c', '-3.000000'),
      row(NONE, '100.000000'),
      row('d', '0.000000'),
      row('e', '2.000000'),
      row('f', '0.000001'),
      row('g', '3.000000'),
      row('h', '2.000000'),
    ]
    // b 7.5 > g 3 > e 2 = h 2 (by name) > a 1 ; f (0.000001) is sixth
    expect(topMovers(rows, NONE).map((r) => r.key)).toEqual(['b', 'g', 'e', 'h', 'a'])
    expect(topMovers(rows, NONE, 10).map((r) => r.key)).toEqual(['b', 'g', 'e', 'h', 'a', 'f'])
  })

  test('compares exactly, not as floats: 0.000002 beats 0.000001', () => {
    expect(topMovers([row('x', '0.000001'), row('y', '0.000002')], NONE).map((r) => r.key)).toEqual(['y', 'x'])
  })

  test('nothing grew: no movers', () => {
    expect(topMovers([row('a', '-1.000000'), row('b', '0.000000')], NONE)).toEqual([])
  })
})

describe('perUnit (cost per run)', () => {
  test('an exact decimal, rounded half away from zero at 6 decimals; null without a count', () => {
    expect(perUnit('10.000000', 4)).toBe('2.500000') // 10 / 4
    expect(perUnit('1.000000', 3)).toBe('0.333333') // 0.3333333… rounds down
    expect(perUnit('2.000000', 3)).toBe('0.666667') // 0.6666666… rounds up
    expect(perUnit('0.000001', 2)).toBe('0.000001') // 0.0000005 → half away from zero
    expect(perUnit('5.000000', 0)).toBeNull()
  })
})

describe('csvFilename', () => {
  test('named after the first and last UTC day of the period', () => {
    expect(csvFilename('workflows', { from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T15:00:00.000Z' })).toBe('workflows-2026-03-01-2026-03-31.csv')
    // an end at midnight belongs to the day before
    expect(csvFilename('accounts', { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' })).toBe('accounts-2026-03-01-2026-03-31.csv')
  })
})
