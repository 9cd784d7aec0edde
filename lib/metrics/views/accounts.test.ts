import { describe, expect, test } from 'vitest'
import { accountsCsvRows, accountsOrder, accountsTable, NO_ACCOUNT } from '@/lib/metrics/views/accounts'
import { hasAcceptedOutcomes, type TBreakdownRow } from '@/lib/metrics/breakdown'

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

  test('with dailyKeys, only those keys carry a daily series (the others: null, not a false zero)', () => {
    const only = accountsTable(
      current,
      previous,
      daily.filter((r) => r.account_id === 'acme' || r.account_id === 'globex'),
      period,
      ['acme', 'globex'],
    )
    expect(Object.fromEntries(only.rows.map((r) => [r.key, r.daily]))).toEqual({
      acme: [1, 0, 5],
      globex: [0, 0.3, 2.7],
      [NO_ACCOUNT]: null,
      newco: null,
      gone: null, // (an account with no priced spend in either period has no row)
    })
    expect(only.total_usd).toBe(t.total_usd)
  })

  test('totals, change and counts, exact', () => {
    // now: 6 + 3 + 0.9 + 0.1 = 10.000000 ; before: 4 + 4 + 1 + 0.5 + 0 = 9.500000
    expect(t.total_usd).toBe('10.000000')
    expect(t.previous_total_usd).toBe('9.500000')
    expect(t.change_usd).toBe('0.500000')
    expect(t.change_ratio).toBe(0.052631) // 0.5 / 9.5 = 0.0526315… truncated to 6 decimals
    expect(t.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-03'])
    expect(t.active).toBe(3) // acme, globex, newco; not "(no account)", not gone
    expect(t.new_keys).toBe(1) // newco
    expect(t.none_share).toBe(0.09) // 0.9 / 10
  })

  test('one row per account, by spend; changes, shares and zero-filled days', () => {
    expect(t.rows).toEqual<TBreakdownRow[]>([
      {
        key: 'acme',
        cost_usd: '6.000000',
        previous_cost_usd: '4.000000',
        change_usd: '2.000000',
        change_ratio: 0.5,
        is_new: false, // +2 on 4
        share: 0.6,
        events: 60,
        unpriced_events: 0,
        runs: 0,
        cache_hit_rate: null,
        accepted_outcomes: 4,
        cost_per_accepted_outcome_usd: '1.250000',
        daily: [1, 0, 5], // 03-02 had nothing: 0, not a gap; 02-28 not in the period
      },
      {
        key: 'globex',
        cost_usd: '3.000000',
        previous_cost_usd: '4.000000',
        change_usd: '-1.000000',
        change_ratio: -0.25,
        is_new: false, // −1 on 4
        share: 0.3,
        events: 30,
        unpriced_events: 0,
        runs: 0,
        cache_hit_rate: null,
        accepted_outcomes: 0,
        cost_per_accepted_outcome_usd: null,
        daily: [0, 0.3, 2.7], // 0.1 + 0.2 = 0.3 exactly
      },
      {
        key: NO_ACCOUNT,
        cost_usd: '0.900000',
        previous_cost_usd: '1.000000',
        change_usd: '-0.100000',
        change_ratio: -0.1,
        is_new: false,
        share: 0.09,
        events: 9,
        unpriced_events: 0,
        runs: 0,
        cache_hit_rate: null,
        accepted_outcomes: 0,
        cost_per_accepted_outcome_usd: null,
        daily: [0, 0.9, 0],
      },
      {
        key: 'newco',
        cost_usd: '0.100000',
        previous_cost_usd: '0.000000',
        change_usd: '0.100000',
        change_ratio: null,
        is_new: true,
        share: 0.01,
        events: 1,
        unpriced_events: 0,
        runs: 0,
        cache_hit_rate: null,
        accepted_outcomes: 0,
        cost_per_accepted_outcome_usd: null,
        daily: [0, 0, 0.1],
      },
      {
        // spent before, nothing now: a full decrease, still listed; no outcome figures from the API
        key: 'gone',
        cost_usd: '0.000000',
        previous_cost_usd: '0.500000',
        change_usd: '-0.500000',
        change_ratio: -1,
        is_new: false,
        share: 0,
        events: 0,
        unpriced_events: 0,
        runs: 0,
        cache_hit_rate: null,
        accepted_outcomes: null,
        cost_per_accepted_outcome_usd: null,
        daily: [0, 0, 0],
      },
      // "unpriced-only" had no spend before and nothing now: not listed
    ])
  })

  test('an empty period: no rows, zero totals, no ratio', () => {
    expect(accountsTable([], [], [], period)).toEqual({
      rows: [],
      days: ['2026-03-01', '2026-03-02', '2026-03-03'],
      total_usd: '0.000000',
      previous_total_usd: '0.000000',
      change_usd: '0.000000',
      change_ratio: null,
      runs: 0,
      active: 0,
      new_keys: 0,
      none_share: 0,
    })
  })

  test('many small amounts sum exactly; ties in spend are ordered by name', () => {
    const rows = Array.from({ length: 10 }, () => ({ account_id: 'b', cost_usd: '0.100000', events: 1 }))
    const r = accountsTable([...rows, { account_id: 'a', cost_usd: '1.000000', events: 1 }], [], [], period)
    // ten times 0.1 is 1.000000 (floats would give 0.9999999999999999), tied with a
    expect(r.rows.map((x) => [x.key, x.cost_usd, x.share])).toEqual([
      ['a', '1.000000', 0.5],
      ['b', '1.000000', 0.5],
    ])
    expect(r.total_usd).toBe('2.000000')
  })

  test('an empty-string account_id is "(no account)" too', () => {
    const r = accountsTable(
      [
        { account_id: '', cost_usd: '1.000000', events: 1 },
        { account_id: null, cost_usd: '2.000000', events: 2 },
      ],
      [],
      [],
      period,
    )
    expect(r.rows.map((x) => [x.key, x.cost_usd, x.events])).toEqual([[NO_ACCOUNT, '3.000000', 3]])
  })
})

describe('CSV export', () => {
  const t = accountsTable(
    [
      { account_id: 'acme', cost_usd: '2.500000', events: 5, accepted_outcomes: 2, cost_per_accepted_outcome_usd: '1.250000' },
      { account_id: 'new, inc', cost_usd: '0.500000', events: 1 },
    ],
    [
      { account_id: 'acme', cost_usd: '2.000000', events: 4 },
      { account_id: 'gone', cost_usd: '1.000000', events: 1 },
    ],
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
})

describe('accountsOrder: the order shown and the words that say it agree', () => {
  const period = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' }
  const rows = accountsTable(
    [
      { account_id: 'small', cost_usd: '1.000000', events: 1 },
      { account_id: 'big', cost_usd: '9.000000', events: 9 },
      { account_id: 'mid', cost_usd: '5.000000', events: 5 },
      { account_id: 'tiny', cost_usd: '0.500000', events: 1 },
    ],
    [],
    [],
    period,
  ).rows
  const spend = (rs: TBreakdownRow[]) => rs.map((r) => Number(r.cost_usd))
  const descending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] >= x)

  test('no flags: by spend, largest first, and the label says only that', () => {
    const o = accountsOrder(rows, new Set(), false)
    expect(o.rows.map((r) => r.key)).toEqual(['big', 'mid', 'small', 'tiny'])
    expect(descending(spend(o.rows))).toBe(true)
    expect(o.label).toBe('By spend in the period, largest first.')
  })

  test('flagged accounts first: the label says so (it read "Sorted by spend" over a list that was not)', () => {
    const o = accountsOrder(rows, new Set(['small', 'mid']), false)
    expect(o.rows.map((r) => r.key)).toEqual(['mid', 'small', 'big', 'tiny'])
    expect(descending(spend(o.rows))).toBe(false)
    expect(descending(spend(o.rows.slice(0, 2)))).toBe(true)
    expect(descending(spend(o.rows.slice(2)))).toBe(true)
    expect(o.label).toBe('Flagged accounts first, then the others; each by spend in the period, largest first.')
    expect(o.label).not.toMatch(/^Sorted by spend/)
  })

  test('flagged only: those alone, by spend', () => {
    const o = accountsOrder(rows, new Set(['tiny', 'big']), true)
    expect(o.rows.map((r) => r.key)).toEqual(['big', 'tiny'])
    expect(o.label).toBe('Flagged accounts only, by spend in the period, largest first.')
  })
})
