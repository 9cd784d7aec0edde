import { describe, expect, it } from 'vitest'
import { budgetScopeParts, burnChartPoints, enforcementLabel, sortBudgets } from './view'
import type { TBudgetView } from '@/lib/budgets'

const b = (name: string, state: string, used: number | null, projected_over = false) =>
  ({ name, status: { state, used_ratio: used, projected_over } }) as unknown as TBudgetView

describe('budgets view', () => {
  it('names the scope, each workflow, account or feature linked to its page; none for the whole organization', () => {
    expect(budgetScopeParts('acme', { environment: 'production', workflow_id: 'support agent', account_id: 'acct/7', feature: 'search' })).toEqual([
      { dimension: 'environment', value: 'production', href: null },
      { dimension: 'workflow', value: 'support agent', href: '/acme/workflows/support%20agent' },
      { dimension: 'account', value: 'acct/7', href: '/acme/accounts/acct%2F7' },
      { dimension: 'feature', value: 'search', href: '/acme/features' },
    ])
    expect(budgetScopeParts('acme', { environment: null, workflow_id: null, account_id: null, feature: null })).toEqual([])
  })

  it('puts the most at risk first', () => {
    const sorted = sortBudgets([
      b('a', 'ok', 0.2),
      b('b', 'exceeded', 1.1),
      b('c', 'warning', 0.6),
      b('d', 'ok', 0.4, true),
      b('e', 'no_data', null),
      b('f', 'warning', 0.9),
    ])
    expect(sorted.map((x) => x.name)).toEqual(['b', 'f', 'c', 'd', 'a', 'e'])
  })
})

describe('enforcementLabel', () => {
  const e = (over: Record<string, unknown>) =>
    ({
      hard_cutoff: true,
      metric: 'spend',
      cutoff_action: 'throttle',
      throttle_per_minute: 60,
      period: 'day',
      status: { state: 'ok', window: { from: '2026-11-02T00:00:00.000Z', to: '2026-11-02T12:00:00.000Z', end: '2026-11-03T00:00:00.000Z' } },
      ...over,
    }) as unknown as TBudgetView
  it('says what the cutoff does now, and what it will do', () => {
    expect(enforcementLabel(e({ hard_cutoff: false }))).toBe('Alerts only: calls are never held back')
    expect(enforcementLabel(e({ metric: 'cost_per_run' }))).toBe('Alerts only: calls are never held back')
    expect(enforcementLabel(e({}))).toBe('Throttles the calls it covers to 60 per minute once exceeded')
    expect(enforcementLabel(e({ status: { ...e({}).status, state: 'exceeded' } }))).toBe('Throttling the calls it covers to 60 per minute')
    expect(enforcementLabel(e({ cutoff_action: 'deny', status: { ...e({}).status, state: 'exceeded' } }))).toBe(
      'Denying the calls it covers until the period ends (Nov 3, 00:00 UTC)',
    )
  })
})

describe('burnChartPoints', () => {
  it('labels hours and days and keeps gaps as null', () => {
    const p = { t: '2026-11-02T13:00:00.000Z', spend_usd: null, cumulative_usd: null, pace_usd: '1.5', projected_usd: '2.25', value_usd: null }
    expect(burnChartPoints([p], 'hour')).toEqual([{ t: p.t, label: '13:00', actual: null, pace: 1.5, projected: 2.25, value: null }])
    expect(burnChartPoints([p], 'day')[0].label).toBe('11-02')
  })
})
