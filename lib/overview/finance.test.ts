import { describe, expect, it } from 'vitest'
import { financeWindows, internalShare, monthBudgets, organizationBudget, reconciliationStatus } from '@/lib/overview/finance'
import type { TBudgetView } from '@/lib/budgets'
import type { TReconciliationAnswer } from '@/lib/bills/schema'

describe('financeWindows', () => {
  it('today and the month to date end at the next hour; the last closed month is whole days', () => {
    const w = financeWindows(new Date('2026-12-06T13:20:00Z'))
    expect(w.today).toEqual({ from: '2026-12-06T00:00:00.000Z', to: '2026-12-06T14:00:00.000Z' })
    expect(w.month).toEqual({ from: '2026-12-01T00:00:00.000Z', to: '2026-12-06T14:00:00.000Z' })
    expect(w.lastMonth).toEqual({ from: '2026-11-01', to: '2026-12-01', label: 'November 2026' })
  })

  it('crosses the year in January, and an exact hour ends at the next one', () => {
    const w = financeWindows(new Date('2027-01-01T00:00:00Z'))
    expect(w.today).toEqual({ from: '2027-01-01T00:00:00.000Z', to: '2027-01-01T01:00:00.000Z' })
    expect(w.lastMonth).toEqual({ from: '2026-12-01', to: '2027-01-01', label: 'December 2026' })
  })
})

const budget = (over: Partial<TBudgetView>): TBudgetView =>
  ({
    id: over.name ?? 'b',
    name: 'b',
    environment: null,
    workflow_id: null,
    account_id: null,
    feature: null,
    traffic_sources: ['production'],
    period: 'month',
    rolling_days: null,
    metric: 'spend',
    amount_usd: '100',
    ...over,
  }) as TBudgetView

describe('month budgets', () => {
  const list = [
    budget({ name: 'kb', workflow_id: 'kb-search' }),
    budget({ name: 'daily', period: 'day' }),
    budget({ name: 'per-run', metric: 'cost_per_run' }),
    budget({ name: 'org' }),
    budget({ name: 'rolling', period: 'rolling', rolling_days: 7 }),
  ]
  it('keeps spend budgets over the month, the whole organization first', () => {
    expect(monthBudgets(list).map((b) => b.name)).toEqual(['org', 'kb'])
  })
  it('finds the whole organization’s budget per period', () => {
    expect(organizationBudget(list, 'month')?.name).toBe('org')
    expect(organizationBudget(list, 'day')?.name).toBe('daily')
    expect(organizationBudget([list[0]], 'month')).toBeNull()
  })
})

describe('reconciliationStatus', () => {
  const totals = (t: Partial<TReconciliationAnswer['totals']>): Pick<TReconciliationAnswer, 'totals'> => ({
    totals: {
      computed_usd: '10.000000',
      billed_usd: '10.500000',
      difference_usd: '0.500000',
      difference_ratio: 0.047619,
      flagged_rows: 2,
      unexplained_usd: '0.500000',
      unexplained_share: 0.047619,
      unbilled_computed_usd: '0.000000',
      providers: ['openai'],
      after_period: [],
      ...t,
    },
  })
  it('says when no bill covers the month', () => {
    expect(reconciliationStatus(totals({ providers: [], billed_usd: '0.000000', flagged_rows: 0 }))).toEqual({ kind: 'no_bill' })
  })
  it('is flagged with any flagged row, else matches', () => {
    expect(reconciliationStatus(totals({}))).toMatchObject({ kind: 'flagged', billed_usd: '10.500000', computed_usd: '10.000000', flagged_rows: 2 })
    expect(reconciliationStatus(totals({ flagged_rows: 0 })).kind).toBe('matches')
  })
})

describe('internalShare: the eval, replay and ops share divides by a figure the page shows', () => {
  const rows = [
    { traffic_source: 'production', cost_usd: '60.000000', events: 600 },
    { traffic_source: 'eval', cost_usd: '25.000000', events: 50 },
    { traffic_source: 'replay', cost_usd: '10.000000', events: 20 },
    { traffic_source: 'ops', cost_usd: '5.000000', events: 5 },
  ]

  it("no calls on the GPU pools: the calls' cost is the card's API inference, and the hint names it", () => {
    const s = internalShare(rows, { api_inference_usd: '99.999997' }) // per-scenario rounding: micro-dollars apart
    expect(s).toMatchObject({ internal_usd: '40.000000', share: 0.4, calls_usd: '100.000000', gpu_time_usd: null })
    expect(s.hint).toBe("40.0% of the month's API inference ($100.00); the rest is production traffic (any environment)")
    // the amount named is the card's own (the whole bill's part), as the card rounds it
    expect(internalShare(rows, { api_inference_usd: '99.996000' }).hint).toContain('API inference ($100.00)')
    expect(internalShare(rows, { api_inference_usd: '99.994000' }).hint).toContain('API inference ($99.99)')
  })

  it('calls on the GPU pools: the card shows less API inference; the hint shows the denominator and the difference', () => {
    // the whole bill counts $20 of the calls' GPU time in GPU capacity: API inference $80 beside a $100 denominator
    const s = internalShare(rows, { api_inference_usd: '80.000000' })
    expect(s.share).toBe(0.4)
    expect(s.api_inference_usd).toBe('80.000000')
    expect(s.gpu_time_usd).toBe('20.000000')
    expect(s.hint).toBe(
      "40.0% of the $100.00 the month's calls cost: API inference $80.00 + $20.00 of GPU time on the pools (in GPU capacity); the rest is production traffic (any environment)",
    )
    // it never reads as a share of the card's $80 (40 ÷ 80 = 50%)
    expect(s.hint).not.toContain("of the month's API inference")
  })

  it('before the whole bill answers (or when it cannot be read, when the card shows the calls): the calls', () => {
    expect(internalShare(rows, null).hint).toBe("40.0% of the month's API inference ($100.00); the rest is production traffic (any environment)")
    expect(internalShare([], null)).toMatchObject({ internal_usd: '0.000000', share: 0, calls_usd: '0.000000' })
  })
})
