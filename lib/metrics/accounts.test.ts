import { describe, expect, test } from 'vitest'
import {
  accountPeriods, accountsCsvFilename, accountsCsvRows, hasAcceptedOutcomes, accountsFiltersQuery, accountsTable, NO_ACCOUNT, parseAccountsFilters, periodDays, topMovers,
  type TAccountRow,
} from '@/lib/metrics/accounts'

describe('filters in the URL', () => {
  test('read from the query string; unknown values fall back to the defaults', () => {
    expect(parseAccountsFilters(new URLSearchParams('range=90&environment=staging&traffic_source=eval'))).toEqual({ days: 90, environment: 'staging', traffic_source: 'eval' })
    expect(parseAccountsFilters(new URLSearchParams(''))).toEqual({ days: 30, environment: '', traffic_source: '' })
    expect(parseAccountsFilters(new URLSearchParams('range=45&environment=prod&traffic_source=x'))).toEqual({ days: 30, environment: '', traffic_source: '' })
  })

  test('written back with the range always present and empty filters left out; a round trip keeps them', () => {
    expect(accountsFiltersQuery({ days: 7, environment: '', traffic_source: '' })).toBe('range=7')
    const f = { days: 90, environment: 'production', traffic_source: 'ops' } as const
    expect(accountsFiltersQuery(f)).toBe('range=90&environment=production&traffic_source=ops')
    expect(parseAccountsFilters(new URLSearchParams(accountsFiltersQuery(f)))).toEqual(f)
  })
})

describe('accountPeriods', () => {
  test('the last N UTC days up to the next hour; the previous period is the same window N days earlier', () => {
    const p = accountPeriods(7, new Date('2026-03-10T14:23:05.000Z'))
    // today is 03-10: 7 days = 03-04 … 03-10; the end rounds up to 15:00
    expect(p.current).toEqual({ from: '2026-03-04T00:00:00.000Z', to: '2026-03-10T15:00:00.000Z' })
    // 7 days earlier: 02-25 00:00 → 03-03 15:00 (2026 is not a leap year: Feb has 28 days)
    expect(p.previous).toEqual({ from: '2026-02-25T00:00:00.000Z', to: '2026-03-03T15:00:00.000Z' })
  })

  test('exactly on an hour, the end is the next hour (the current hour is included)', () => {
    expect(accountPeriods(30, new Date('2026-03-10T15:00:00.000Z')).current).toEqual({ from: '2026-02-09T00:00:00.000Z', to: '2026-03-10T16:00:00.000Z' })
  })

  test('periodDays lists every UTC day the period touches', () => {
    expect(periodDays({ from: '2026-02-27T00:00:00.000Z', to: '2026-03-02T15:00:00.000Z' })).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'])
    expect(periodDays({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' })).toEqual(['2026-03-01'])
  })
})

describe('accountsTable', () => {
  const period = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T12:00:00.000Z' } // days 03-01, 03-02, 03-03
  const current = [
    { account_id: 'acme', cost_usd: '6.000000', events: 60, accepted_outcomes: 4, cost_per_accepted_outcome_usd: '1.250000' },
    { account_id: 'globex', cost_usd: '3.000000', events: 30, accepted_outcomes: 0, cost_per_accepted_outcome_usd: null },
    { account_id: null, cost_usd: '0.900000', events: 9, accepted_outcomes: 0, cost_per_accepted_outcome_usd: null },
    { account_id: 'newco', cost_usd: '0.100000', events: 1, accepted_outcomes: 0, cost_per_accepted_outcome_usd: null },
  ]
  const previous = [
    { account_id: 'acme', cost_usd: '4.000000', events: 40 },
    { account_id: 'globex', cost_usd: '4.000000', events: 40 },
    { account_id: null, cost_usd: '1.000000', events: 10 },
    { account_id: 'gone', cost_usd: '0.500000', events: 5 },
    { account_id: 'unpriced-only', cost_usd: '0.000000', events: 3 },
  ]
  const daily = [
    { bucket: '2026-03-01T00:00:00.000Z', account_id: 'acme', cost_usd: '1.000000', events: 10 },
    { bucket: '2026-03-03T00:00:00.000Z', account_id: 'acme', cost_usd: '5.000000', events: 50 },
    { bucket: '2026-03-02T00:00:00.000Z', account_id: 'globex', cost_usd: '0.100000', events: 10 },
    { bucket: '2026-03-02T00:00:00.000Z', account_id: 'globex', cost_usd: '0.200000', events: 10 }, // same day twice: summed
    { bucket: '2026-03-03T00:00:00.000Z', account_id: 'globex', cost_usd: '2.700000', events: 10 },
    { bucket: '2026-03-02T00:00:00.000Z', account_id: null, cost_usd: '0.900000', events: 9 },
    { bucket: '2026-03-03T00:00:00.000Z', account_id: 'newco', cost_usd: '0.100000', events: 1 },
    { bucket: '2026-02-28T00:00:00.000Z', account_id: 'acme', cost_usd: '9.000000', events: 1 }, // outside the period: ignored
  ]
  const t = accountsTable(current, previous, daily, period)

  test('totals, change and counts, exact', () => {
    // now: 6 + 3 + 0.9 + 0.1 = 10.000000 ; before: 4 + 4 + 1 + 0.5 + 0 = 9.500000
    expect(t.total_usd).toBe('10.000000')
    expect(t.previous_total_usd).toBe('9.500000')
    expect(t.change_usd).toBe('0.500000')
    expect(t.change_ratio).toBe(0.052631) // 0.5 / 9.5 = 0.0526315… truncated to 6 decimals
    expect(t.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-03'])
    expect(t.active_accounts).toBe(3) // acme, globex, newco; not "(no account)", not gone
    expect(t.new_accounts).toBe(1) // newco
    expect(t.unattributed_share).toBe(0.09) // 0.9 / 10
  })

  test('one row per account, by spend; changes, shares and zero-filled days', () => {
    expect(t.rows).toEqual<TAccountRow[]>([
      {
        account: 'acme', cost_usd: '6.000000', previous_cost_usd: '4.000000',
        change_usd: '2.000000', change_ratio: 0.5, is_new: false, // +2 on 4
        share: 0.6, events: 60, accepted_outcomes: 4, cost_per_accepted_outcome_usd: '1.250000',
        daily: [1, 0, 5], // 03-02 had nothing: 0, not a gap; 02-28 not in the period
      },
      {
        account: 'globex', cost_usd: '3.000000', previous_cost_usd: '4.000000',
        change_usd: '-1.000000', change_ratio: -0.25, is_new: false, // −1 on 4
        share: 0.3, events: 30, accepted_outcomes: 0, cost_per_accepted_outcome_usd: null,
        daily: [0, 0.3, 2.7], // 0.1 + 0.2 = 0.3 exactly
      },
      {
        account: NO_ACCOUNT, cost_usd: '0.900000', previous_cost_usd: '1.000000',
        change_usd: '-0.100000', change_ratio: -0.1, is_new: false,
        share: 0.09, events: 9, accepted_outcomes: 0, cost_per_accepted_outcome_usd: null,
        daily: [0, 0.9, 0],
      },
      {
        account: 'newco', cost_usd: '0.100000', previous_cost_usd: '0.000000',
        change_usd: '0.100000', change_ratio: null, is_new: true,
        share: 0.01, events: 1, accepted_outcomes: 0, cost_per_accepted_outcome_usd: null,
        daily: [0, 0, 0.1],
      },
      {
        // spent before, nothing now: a full decrease, still listed; no outcome figures from the API
        account: 'gone', cost_usd: '0.000000', previous_cost_usd: '0.500000',
        change_usd: '-0.500000', change_ratio: -1, is_new: false,
        share: 0, events: 0, accepted_outcomes: null, cost_per_accepted_outcome_usd: null,
        daily: [0, 0, 0],
      },
      // "unpriced-only" had no spend before and nothing now: not listed
    ])
  })

  test('an empty period: no rows, zero totals, no ratio', () => {
    expect(accountsTable([], [], [], period)).toEqual({
      rows: [], days: ['2026-03-01', '2026-03-02', '2026-03-03'],
      total_usd: '0.000000', previous_total_usd: '0.000000', change_usd: '0.000000', change_ratio: null,
      active_accounts: 0, new_accounts: 0, unattributed_share: 0,
    })
  })

  test('many small amounts sum exactly; ties in spend are ordered by name', () => {
    const rows = Array.from({ length: 10 }, () => ({ account_id: 'b', cost_usd: '0.100000', events: 1 }))
    const r = accountsTable([...rows, { account_id: 'a', cost_usd: '1.000000', events: 1 }], [], [], period)
    // ten times 0.1 is 1.000000 (floats would give 0.9999999999999999), tied with a
    expect(r.rows.map((x) => [x.account, x.cost_usd, x.share])).toEqual([['a', '1.000000', 0.5], ['b', '1.000000', 0.5]])
    expect(r.total_usd).toBe('2.000000')
  })

  test('an empty-string account_id is "(no account)" too', () => {
    const r = accountsTable([{ account_id: '', cost_usd: '1.000000', events: 1 }, { account_id: null, cost_usd: '2.000000', events: 2 }], [], [], period)
    expect(r.rows.map((x) => [x.account, x.cost_usd, x.events])).toEqual([[NO_ACCOUNT, '3.000000', 3]])
  })
})

describe('topMovers', () => {
  const row = (account: string, change_usd: string): TAccountRow => ({
    account, cost_usd: '0.000000', previous_cost_usd: '0.000000', change_usd, change_ratio: null, is_new: false, share: 0,
    events: 0, accepted_outcomes: null, cost_per_accepted_outcome_usd: null, daily: [],
  })

  test('the largest dollar increases, at most 5; decreases, zero change and "(no account)" left out', () => {
    const rows = [
      row('a', '1.000000'), row('b', '7.500000'), row('c', '-3.000000'), row(NO_ACCOUNT, '100.000000'), row('d', '0.000000'),
      row('e', '2.000000'), row('f', '0.000001'), row('g', '3.000000'), row('h', '2.000000'),
    ]
    // b 7.5 > g 3 > e 2 = h 2 (by name) > a 1 ; f (0.000001) is sixth
    expect(topMovers(rows).map((r) => r.account)).toEqual(['b', 'g', 'e', 'h', 'a'])
    expect(topMovers(rows, 10).map((r) => r.account)).toEqual(['b', 'g', 'e', 'h', 'a', 'f'])
  })

  test('compares exactly, not as floats: 0.000002 beats 0.000001', () => {
    expect(topMovers([row('x', '0.000001'), row('y', '0.000002')]).map((r) => r.account)).toEqual(['y', 'x'])
  })

  test('nothing grew: no movers', () => {
    expect(topMovers([row('a', '-1.000000'), row('b', '0.000000')])).toEqual([])
  })
})

describe('CSV export', () => {
  const t = accountsTable(
    [
      { account_id: 'acme', cost_usd: '2.500000', events: 5, accepted_outcomes: 2, cost_per_accepted_outcome_usd: '1.250000' },
      { account_id: 'new, inc', cost_usd: '0.500000', events: 1 },
    ],
    [{ account_id: 'acme', cost_usd: '2.000000', events: 4 }, { account_id: 'gone', cost_usd: '1.000000', events: 1 }],
    [],
    { from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T15:00:00.000Z' },
  )

  test('the table’s rows, in its order: exact money, percentages as shown, "new", blanks for what is not known', () => {
    expect(hasAcceptedOutcomes(t.rows)).toBe(true)
    expect(accountsCsvRows(t.rows, { outcomes: true })).toEqual([
      ['account', 'spend_usd', 'share_percent', 'change_usd', 'change_percent', 'events', 'accepted_outcomes', 'cost_per_accepted_outcome_usd'],
      // 2.5 of 3.0 = 83.3333%; +0.5 on 2.0 = +25%
      ['acme', '2.500000', '83.3', '0.500000', '25.0', '5', '2', '1.250000'],
      // 0.5 of 3.0 = 16.6666…% → 16.7 ; new: no previous spend ; no outcome figures from the API
      ['new, inc', '0.500000', '16.7', '0.500000', 'new', '1', '', ''],
      ['gone', '0.000000', '0.0', '-1.000000', '-100.0', '0', '', ''],
    ])
  })

  test('without accepted outcomes the table has no outcome columns, and neither has the CSV', () => {
    const rows = t.rows.map((r) => ({ ...r, accepted_outcomes: 0, cost_per_accepted_outcome_usd: null }))
    expect(hasAcceptedOutcomes(rows)).toBe(false)
    expect(accountsCsvRows(rows, { outcomes: false })).toEqual([
      ['account', 'spend_usd', 'share_percent', 'change_usd', 'change_percent', 'events'],
      ['acme', '2.500000', '83.3', '0.500000', '25.0', '5'],
      ['new, inc', '0.500000', '16.7', '0.500000', 'new', '1'],
      ['gone', '0.000000', '0.0', '-1.000000', '-100.0', '0'],
    ])
  })

  test('named after the first and last UTC day of the period', () => {
    expect(accountsCsvFilename({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T15:00:00.000Z' })).toBe('accounts-2026-03-01-2026-03-31.csv')
    // an end at midnight belongs to the day before
    expect(accountsCsvFilename({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' })).toBe('accounts-2026-03-01-2026-03-31.csv')
  })
})
