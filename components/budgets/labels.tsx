import type { TBudgetView } from '@/lib/budgets'

// How a budget's state, metric and period read, on the list and on a budget's page.
export const STATE_STYLE: Record<string, string> = {
  exceeded: 'bg-red-50 text-red-800 ring-red-200',
  warning: 'bg-amber-50 text-amber-900 ring-amber-200',
  ok: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  no_data: 'bg-slate-50 text-slate-600 ring-slate-200',
}
export const STATE_LABEL: Record<string, string> = { exceeded: 'exceeded', warning: 'warning', ok: 'within', no_data: 'no data' }
export const PERIOD_LABEL = (b: Pick<TBudgetView, 'period' | 'rolling_days'>) =>
  b.period === 'day' ? 'today (UTC)' : b.period === 'month' ? 'this month' : `last ${b.rolling_days} days`
export const METRIC_LABEL: Record<string, string> = { spend: 'spend', cost_per_run: 'cost per run', cost_per_accepted_outcome: 'cost per accepted outcome' }

export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ${STATE_STYLE[state]}`} data-status>
      {STATE_LABEL[state]}
    </span>
  )
}
