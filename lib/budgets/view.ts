// How budgets are shown: their scope in words and the order "most at risk first".
import type { TBudget, TBudgetView } from '@/lib/budgets'

export function budgetScopeLabel(b: Pick<TBudget, 'environment' | 'workflow_id' | 'account_id' | 'feature'>): string {
  const parts = [
    b.environment && `environment ${b.environment}`,
    b.workflow_id && `workflow ${b.workflow_id}`,
    b.account_id && `account ${b.account_id}`,
    b.feature && `feature ${b.feature}`,
  ].filter(Boolean)
  return parts.length ? parts.join(' × ') : 'whole organization'
}

const RANK: Record<string, number> = { exceeded: 0, warning: 1, ok: 2, no_data: 3 }

/** Exceeded, then past a threshold, then within, then without data; within each, the most used first. */
export function sortBudgets(budgets: TBudgetView[]): TBudgetView[] {
  return [...budgets].sort((a, b) =>
    RANK[a.status.state] - RANK[b.status.state]
    || Number(b.status.projected_over) - Number(a.status.projected_over)
    || (b.status.used_ratio ?? -1) - (a.status.used_ratio ?? -1)
    || a.name.localeCompare(b.name))
}
