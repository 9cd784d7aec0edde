// The Workflows page's specifics on top of the shared breakdown logic
// (lib/metrics/breakdown.ts): cost per run, the retry tax (spend on calls whose
// outcome was retry or error), and the CSV columns. Money stays exact decimal.
import { micros, microsToUsd as fromScaledUsd } from '@/lib/domain'
import { retryTaxShare } from '@/lib/metrics/definitions'
import {
  baseCsvColumns,
  breakdownTable,
  csvPercent,
  csvRows,
  keyOf,
  perUnit,
  pricedPerUnit,
  type TBreakdownMetricsRow,
  type TBreakdownRow,
  type TBreakdownTable,
  type TCsvColumn,
  type TPeriod,
} from '@/lib/metrics/breakdown'

/** How events without a workflow_id are shown (the table, the CSV). */
export const NO_WORKFLOW = '(no workflow)'

export type TWorkflowMetricsRow = TBreakdownMetricsRow<'workflow_id'> & { /** the retry tax (metrics API) */ retry_cost_usd?: string }

export type TWorkflowRow = TBreakdownRow & {
  /** spend ÷ runs, exact; null without runs, or when none of its calls had a price */
  cost_per_run_usd: string | null
  /** spend of calls with outcome retry or error */
  retry_usd: string
  /** retry_usd ÷ spend (0 without spend) */
  retry_share: number
}

export type TWorkflowsTable = Omit<TBreakdownTable, 'rows'> & {
  rows: TWorkflowRow[]
  cost_per_run_usd: string | null
  retry_usd: string
  retry_share: number
}

/**
 * Spend per workflow (see breakdownTable) with cost per run and the retry tax
 * (each current row's retry_cost_usd).
 */
export function workflowsTable(
  current: TWorkflowMetricsRow[],
  previous: TWorkflowMetricsRow[],
  daily: TWorkflowMetricsRow[],
  period: TPeriod,
): TWorkflowsTable {
  const t = breakdownTable('workflow_id', NO_WORKFLOW, current, previous, daily, period)
  const wasteBy = new Map<string, bigint>()
  for (const r of current) {
    const k = keyOf('workflow_id', NO_WORKFLOW, r)
    wasteBy.set(k, (wasteBy.get(k) ?? 0n) + micros(r.retry_cost_usd ?? '0'))
  }
  let retryTotal = 0n
  const rows = t.rows.map((r) => {
    const retry = wasteBy.get(r.key) ?? 0n
    retryTotal += retry
    return { ...r, cost_per_run_usd: pricedPerUnit(r, r.runs), retry_usd: fromScaledUsd(retry), retry_share: retryTaxShare(retry, micros(r.cost_usd)) }
  })
  return {
    ...t,
    rows,
    cost_per_run_usd: perUnit(t.total_usd, t.runs),
    retry_usd: fromScaledUsd(retryTotal),
    retry_share: retryTaxShare(retryTotal, micros(t.total_usd)),
  }
}

/** The table as CSV cells, in its order and with its columns; money exact, percentages as shown. */
export function workflowsCsvRows(rows: TWorkflowRow[]): string[][] {
  const columns: TCsvColumn<TWorkflowRow>[] = [
    ...baseCsvColumns<TWorkflowRow>('workflow'),
    { header: 'runs', cell: (r) => String(r.runs) },
    { header: 'cost_per_run_usd', cell: (r) => r.cost_per_run_usd ?? '' },
    { header: 'cost_per_accepted_outcome_usd', cell: (r) => r.cost_per_accepted_outcome_usd ?? '' },
    { header: 'retry_error_usd', cell: (r) => r.retry_usd },
    { header: 'retry_error_percent', cell: (r) => csvPercent(r.retry_share) },
    { header: 'cache_hit_percent', cell: (r) => (r.cache_hit_rate === null ? '' : csvPercent(r.cache_hit_rate)) },
  ]
  return csvRows(columns, rows)
}
