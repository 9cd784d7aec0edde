import { describe, expect, it } from 'vitest'
import { financeWindows, monthBudgets, organizationBudget, reconciliationStatus } from '@/lib/overview/finance'
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
