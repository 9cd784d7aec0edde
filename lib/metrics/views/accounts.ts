// The Accounts page's specifics on top of the shared breakdown logic
// (lib/metrics/breakdown.ts): how events without an account_id are labelled,
// and the CSV columns.
import { baseCsvColumns, breakdownTable, csvRows, type TBreakdownMetricsRow, type TBreakdownRow, type TCsvColumn, type TPeriod } from '@/lib/metrics/breakdown'

/** How events without an account_id are shown (the table, the CSV). */
export const NO_ACCOUNT = '(no account)'

/** Sparklines for the top accounts by spend only: 200 accounts × 90 days passed the metrics API's row limit and cut the latest days. */
export const SPARKLINE_ACCOUNTS = 50

export type TAccountMetricsRow = TBreakdownMetricsRow<'account_id'>

/** Spend per customer account (see breakdownTable); the inputs are grouped by account_id. */
export function accountsTable(
  current: TAccountMetricsRow[],
  previous: TAccountMetricsRow[],
  daily: TAccountMetricsRow[],
  period: TPeriod,
  dailyKeys: readonly string[] | null = null,
) {
  return breakdownTable('account_id', NO_ACCOUNT, current, previous, daily, period, dailyKeys)
}

/**
 * The accounts table's order and the words that say it: the accounts flagged by the anomaly rule first (they are
 * what customer success comes for), then the others, each part by spend in the period, largest first (as
 * accountsTable gives them); with `flaggedOnly`, the flagged ones alone. The label names the order actually shown.
 */
export function accountsOrder(
  rows: TBreakdownRow[],
  flagged: { has(account: string): boolean },
  flaggedOnly: boolean,
): { rows: TBreakdownRow[]; label: string } {
  const first = rows.filter((r) => flagged.has(r.key))
  if (flaggedOnly) return { rows: first, label: 'Flagged accounts only, by spend in the period, largest first.' }
  if (first.length === 0) return { rows, label: 'By spend in the period, largest first.' }
  return {
    rows: [...first, ...rows.filter((r) => !flagged.has(r.key))],
    label: 'Flagged accounts first, then the others; each by spend in the period, largest first.',
  }
}

/**
 * The table as CSV cells, in the order given (the page passes the order it shows, accountsOrder) and with its columns (the two
 * outcome columns only when the table shows them): money as exact decimal
 * strings, percentages as shown (1 decimal).
 */
export function accountsCsvRows(rows: TBreakdownRow[], opts: { outcomes: boolean }): string[][] {
  const columns: TCsvColumn<TBreakdownRow>[] = [
    ...baseCsvColumns('account'),
    { header: 'events', cell: (r) => String(r.events) },
    ...(opts.outcomes
      ? [
          { header: 'accepted_outcomes', cell: (r: TBreakdownRow) => (r.accepted_outcomes === null ? '' : String(r.accepted_outcomes)) },
          { header: 'cost_per_accepted_outcome_usd', cell: (r: TBreakdownRow) => r.cost_per_accepted_outcome_usd ?? '' },
        ]
      : []),
  ]
  return csvRows(columns, rows)
}
