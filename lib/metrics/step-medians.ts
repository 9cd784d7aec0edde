// GET /api/v1/metrics/step-medians: per workflow step, the median over customer
// accounts of their calls per run — the yardstick the account page holds one
// account against ("two retrieval calls per run where others have one").
//
// An account's calls per run at a step are its calls at that step ÷ its runs of
// the workflow (a run counts once, on its first call's step, so the runs of a
// workflow are the sum over its steps). Computed in PostgreSQL over the narrow
// account × step rollups, so the answer is one row per step instead of one per
// account × step (6,439 rows at 90 days on the 10M-event bench organization).
import 'server-only'
import { pool } from '@/lib/db'
import { DAILY_ROLLUPS, HOURLY_ROLLUP } from '@/lib/rollups/tables'
import { planSource, sourceSql } from '@/lib/metrics/source'
import { stepMedianOf } from '@/lib/metrics/rows'
import { filterClauses, METRIC_DIMENSIONS, neededDimensions, resolveRange, type TMetricsQuery } from '@/lib/metrics/query'
import type { TAccountAnomaly, TStepMedian, TStepMediansQuery } from '@/lib/metrics/schema'
import { isStepAnomaly } from '@/lib/metrics/views/account-detail'
import { countOf, floatOrNullOf, textOrNullOf } from '@/lib/metrics/rows'

export { ZStepMediansQuery } from '@/lib/metrics/schema'
export type { TAccountAnomaly, TStepMedian, TStepMediansQuery } from '@/lib/metrics/schema'

/**
 * The query's rollup rows per account × workflow × step (`per`: calls, runs) and each account's calls per run at each
 * step (`cpr`: its calls there ÷ its runs of the workflow), as the opening CTEs of a statement, with its parameters
 * (the query's filters; $1 the organization). The workflow's runs are a window over `per`, not a join with its own
 * aggregate: PostgreSQL estimates such aggregates at a row or two when the rollups' statistics are missing or old (a
 * new tenant, a table autovacuum has not analyzed yet), and then rescans the inner aggregate once per outer row — two
 * minutes for 45,000 account × step rows, where this reads them once.
 */
function perAccountStep(orgId: string, query: TStepMediansQuery): { params: unknown[]; ctes: string } {
  // a metrics query without grouping: its filters and the dimensions they need
  const q = query as TMetricsQuery
  // sums only: a ragged day is read as the whole day minus its other hours where those are fewer (lib/metrics/source.ts)
  const plan = planSource(DAILY_ROLLUPS, neededDimensions(q, METRIC_DIMENSIONS, ['workflow_id', 'step', 'account_id']), resolveRange(q), 'none', [], {
    additive: true,
  })
  const params: unknown[] = [orgId]
  const filters = filterClauses(q, METRIC_DIMENSIONS, params)
  const sums = ['events', 'runs']
  const src = sourceSql(plan, HOURLY_ROLLUP.table, ['account_id', 'workflow_id', 'step', ...sums], filters, params, sums)
  return {
    params,
    ctes: `WITH per AS (
       SELECT account_id, workflow_id, step, sum(events) AS calls, sum(runs) AS runs FROM ${src}
       WHERE account_id <> '' GROUP BY account_id, workflow_id, step HAVING sum(events) > 0
     ), cpr AS (
       SELECT account_id, workflow_id, step, calls, wf_runs AS runs, calls::float8 / wf_runs AS calls_per_run
       FROM (SELECT per.*, sum(runs) OVER (PARTITION BY account_id, workflow_id) AS wf_runs FROM per) x
       WHERE wf_runs > 0
     )`,
  }
}

export async function queryStepMedians(orgId: string, query: TStepMediansQuery): Promise<{ rows: TStepMedian[] }> {
  const { params, ctes } = perAccountStep(orgId, query)
  const r = await pool().query(
    `${ctes}
     SELECT NULLIF(workflow_id, '') AS workflow_id, NULLIF(step, '') AS step, count(*)::int AS accounts,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY calls_per_run) AS median_calls_per_run
     FROM cpr
     GROUP BY workflow_id, step
     ORDER BY workflow_id, step`,
    params,
  )
  return { rows: r.rows.map(stepMedianOf) }
}

/**
 * Every account × step the account page would flag (isStepAnomaly, the one rule), in one read: each account's calls
 * per run at each step beside that step's median over accounts (the same CTEs as queryStepMedians). Largest excess
 * over the median first. The Accounts list and the account_step_anomaly alert read this.
 */
export async function queryAccountAnomalies(orgId: string, query: TStepMediansQuery): Promise<{ rows: TAccountAnomaly[] }> {
  const { params, ctes } = perAccountStep(orgId, query)
  const r = await pool().query(
    // The step's median beside each of its rows, by windows (no join: see perAccountStep), computed as
    // percentile_cont(0.5) does, so it equals queryStepMedians': the middle row, or between the two middle rows
    // lo + (hi - lo) × 0.5. Rows `lo` and `hi` of the step's n, in calls-per-run order: (n - 1) / 2 + 1 and n / 2 + 1.
    `${ctes}, ranked AS (
       SELECT cpr.*, row_number() OVER (PARTITION BY workflow_id, step ORDER BY calls_per_run) AS rn,
              count(*) OVER (PARTITION BY workflow_id, step) AS accounts
       FROM cpr
     ), med AS (
       SELECT ranked.*,
              max(calls_per_run) FILTER (WHERE rn = (accounts - 1) / 2 + 1) OVER s AS lo,
              max(calls_per_run) FILTER (WHERE rn = accounts / 2 + 1) OVER s AS hi
       FROM ranked WINDOW s AS (PARTITION BY workflow_id, step)
     )
     SELECT account_id, NULLIF(workflow_id, '') AS workflow_id, NULLIF(step, '') AS step, calls::text AS calls, runs::text AS runs,
            calls_per_run, lo + (hi - lo) * 0.5 AS median_calls_per_run, accounts
     FROM med
     WHERE calls_per_run > lo + (hi - lo) * 0.5`,
    params,
  )
  const rows: TAccountAnomaly[] = []
  for (const x of r.rows) {
    const row: TAccountAnomaly = {
      account_id: textOrNullOf(x.account_id, 'account_id') ?? '',
      workflow_id: textOrNullOf(x.workflow_id, 'workflow_id'),
      step: textOrNullOf(x.step, 'step'),
      runs: countOf(x.runs, 'runs'),
      calls: countOf(x.calls, 'calls'),
      calls_per_run: floatOrNullOf(x.calls_per_run, 'calls_per_run') ?? 0,
      median_calls_per_run: floatOrNullOf(x.median_calls_per_run, 'median_calls_per_run') ?? 0,
      peers: countOf(x.accounts, 'accounts'),
    }
    if (isStepAnomaly(row)) rows.push(row)
  }
  rows.sort(
    (a, b) =>
      b.calls_per_run - b.median_calls_per_run - (a.calls_per_run - a.median_calls_per_run) ||
      a.account_id.localeCompare(b.account_id) ||
      (a.workflow_id ?? '').localeCompare(b.workflow_id ?? '') ||
      (a.step ?? '').localeCompare(b.step ?? ''),
  )
  return { rows }
}
