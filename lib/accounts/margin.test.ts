import { describe, expect, it } from 'vitest'
import { accountMargins, costShare } from '@/lib/accounts/margin'
import { csvRows, dedupe, jsonRows, monthOf } from '@/lib/accounts/rows'
import { monthsBetween } from '@/lib/accounts/schema'
import { marginRange, shareText } from '@/lib/accounts/view'

describe('revenue rows', () => {
  it('reads months as YYYY-MM or their first day only', () => {
    expect(monthOf('2026-11')).toBe('2026-11-01')
    expect(monthOf(' 2026-11-01 ')).toBe('2026-11-01')
    expect([monthOf('2026-11-02'), monthOf('2026-13'), monthOf('11/2026')]).toEqual([null, null, null])
  })
  it('refuses a row by its field, keeps the others, and a repeated account and month', () => {
    const rows = dedupe(
      jsonRows({
        rows: [
          { account_id: 'a', month: '2026-11', revenue_usd: 10 },
          { account_id: 'a', month: '2026-11-01', revenue_usd: '1' },
          { account_id: 'b', month: '2026-11', revenue_usd: '1e3' },
        ],
      })!,
    )
    expect(rows.map((r) => (r.ok ? r.value.revenue_micros : r.rejected))).toEqual([
      10_000_000n,
      { row: 2, field: null, reason: 'the same account_id and month as row 1' },
      { row: 3, field: 'revenue_usd', reason: 'must be a USD amount of at least 0 with at most 6 decimal places, e.g. 1250 or 1250.50' },
    ])
    expect(jsonRows({ rows: 'x' })).toBeNull()
    expect(
      csvRows([
        { cells: ['month', 'revenue_usd', 'account_id'], line: 1 },
        { cells: ['2026-11', '2.5', 'a'], line: 2 },
      ]),
    ).toEqual([{ ok: true, value: { row: 2, account_id: 'a', month: '2026-11-01', revenue_micros: 2_500_000n } }])
  })
})

describe('margin', () => {
  it('is exact per month and in total; without revenue it is null, not 0%', () => {
    const months = monthsBetween('2026-11-15', '2026-12-07')
    expect(months).toEqual(['2026-11-01', '2026-12-01'])
    const a = accountMargins(
      months,
      new Map([['a', new Map([['2026-11-01', 100_000_000n]])]]),
      new Map([
        [
          'a',
          new Map([
            ['2026-11-01', 30_000_001n],
            ['2026-12-01', 5_000_000n],
          ]),
        ],
        ['b', new Map([['2026-12-01', 1_000_000n]])],
      ]),
    )
    expect(a.rows.map((r) => [r.account_id, r.revenue_usd, r.cost_usd, r.cost_share, r.margin_usd])).toEqual([
      ['a', '100.000000', '35.000001', 0.35, '64.999999'],
      ['b', null, '1.000000', null, null],
    ])
    expect(a.totals).toMatchObject({ revenue_usd: '100.000000', cost_usd: '35.000001', accounts_with_revenue: 1, cost_without_revenue_usd: '1.000000' })
    expect(costShare(1n, 0n)).toBeNull()
    expect(shareText(null, null)).toBe('no revenue')
  })
  it('reads a page period as whole days, to exclusive', () => {
    expect(marginRange({ from: '2026-11-07T00:00:00.000Z', to: '2026-12-06T15:00:00.000Z' })).toEqual({ from: '2026-11-07', to: '2026-12-07' })
  })
})
