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
import type { TStepMedian, TStepMediansQuery } from '@/lib/metrics/schema'

export { ZStepMediansQuery } from '@/lib/metrics/schema'
export type { TStepMedian, TStepMediansQuery } from '@/lib/metrics/schema'

export async function queryStepMedians(orgId: string, query: TStepMediansQuery): Promise<{ rows: TStepMedian[] }> {
  // a metrics query without grouping: its filters and the dimensions they need
  const q = query as TMetricsQuery
  const plan = planSource(DAILY_ROLLUPS, neededDimensions(q, METRIC_DIMENSIONS, ['workflow_id', 'step', 'account_id']), resolveRange(q), 'none')
  const params: unknown[] = [orgId]
  const filters = filterClauses(q, METRIC_DIMENSIONS, params)
  const src = sourceSql(plan, HOURLY_ROLLUP.table, ['account_id', 'workflow_id', 'step', 'events', 'runs'], filters, params)
  const r = await pool().query(
    `WITH per AS (
       SELECT account_id, workflow_id, step, sum(events) AS calls, sum(runs) AS runs FROM ${src}
       WHERE account_id <> '' GROUP BY account_id, workflow_id, step HAVING sum(events) > 0
     ), wf AS (
       SELECT account_id, workflow_id, sum(runs) AS runs FROM per GROUP BY account_id, workflow_id
     )
     SELECT NULLIF(per.workflow_id, '') AS workflow_id, NULLIF(per.step, '') AS step, count(*)::int AS accounts,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY per.calls::float8 / wf.runs) AS median_calls_per_run
     FROM per JOIN wf USING (account_id, workflow_id)
     WHERE wf.runs > 0
     GROUP BY per.workflow_id, per.step
     ORDER BY per.workflow_id, per.step`,
    params,
  )
  return { rows: r.rows.map(stepMedianOf) }
}
