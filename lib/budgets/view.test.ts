import { describe, expect, it } from 'vitest'
import { budgetScopeLabel, sortBudgets } from './view'
import type { TBudgetView } from '@/lib/budgets'

const b = (name: string, state: string, used: number | null, projected_over = false) =>
  ({ name, status: { state, used_ratio: used, projected_over } }) as unknown as TBudgetView

describe('budgets view', () => {
  it('names the scope, or the whole organization', () => {
    expect(budgetScopeLabel({ environment: 'production', workflow_id: 'support', account_id: null, feature: null })).toBe('environment production × workflow support')
    expect(budgetScopeLabel({ environment: null, workflow_id: null, account_id: null, feature: null })).toBe('whole organization')
  })

  it('puts the most at risk first', () => {
    const sorted = sortBudgets([b('a', 'ok', 0.2), b('b', 'exceeded', 1.1), b('c', 'warning', 0.6), b('d', 'ok', 0.4, true), b('e', 'no_data', null), b('f', 'warning', 0.9)])
    expect(sorted.map((x) => x.name)).toEqual(['b', 'f', 'c', 'd', 'a', 'e'])
  })
})
