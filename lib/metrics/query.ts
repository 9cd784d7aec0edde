import 'server-only'
import { DAY_MS, OUTCOME_DIMENSIONS, productionSql, WASTE_OUTCOMES } from '@/lib/domain'
import { pool } from '@/lib/db'
import { DAILY_OUTCOMES, DAILY_ROLLUPS, HOURLY_NARROW_ROLLUPS, HOURLY_OUTCOMES, HOURLY_ROLLUP, type TRollupDimension } from '@/lib/rollups/tables'
import { COST_MEASURE_NAMES, METRIC_DIMENSIONS, OUTCOME_MEASURES, type TCostMeasure, type TMetricsQuery, type TMetricsRow } from '@/lib/metrics/schema'
import { planSource, sourceSql, type TSourcePlan } from '@/lib/metrics/source'
import { usdPerUnit } from '@/lib/cost/money'
import { metricsRowOf, outcomeSumsOf } from '@/lib/metrics/rows'

// GET /api/v1/metrics: sums over the rollups (never the raw events): whole
// UTC days from the narrowest daily table that has the dimensions, the rest
// from the hourly one (lib/metrics/source.ts).

export { checkRange, METRIC_DIMENSIONS, METRICS_QUERY_FIELDS, ZMetricsQuery } from '@/lib/metrics/schema'
export type { TMetricsQuery, TMetricsRow } from '@/lib/metrics/schema'

const WASTE_SQL = WASTE_OUTCOMES.map((o) => `'${o}'`).join(', ')

/**
 * Every measure of a cost row: its SQL over the source rows, the rollup
 * columns it reads, and the dimensions it needs in the table's key.
 */
const COST_MEASURES: Record<TCostMeasure, { sql: string; columns: string[]; dims?: string[] }> = {
  events: { sql: `sum(events)::int8 AS events`, columns: ['events'] },
  runs: { sql: `sum(runs)::int8 AS runs`, columns: ['runs'] },
  requests: { sql: `sum(requests)::int8 AS requests`, columns: ['requests'] },
  tokens_in: { sql: `sum(tokens_in)::int8 AS tokens_in`, columns: ['tokens_in'] },
  cached_tokens_in: { sql: `sum(cached_tokens_in)::int8 AS cached_tokens_in`, columns: ['cached_tokens_in'] },
  cache_write_tokens: { sql: `sum(cache_write_tokens)::int8 AS cache_write_tokens`, columns: ['cache_write_tokens'] },
  tokens_out: { sql: `sum(tokens_out)::int8 AS tokens_out`, columns: ['tokens_out'] },
  gpu_seconds: { sql: `sum(gpu_seconds)::float8 AS gpu_seconds`, columns: ['gpu_seconds'] },
  unpriced_events: { sql: `sum(unpriced_events)::int8 AS unpriced_events`, columns: ['unpriced_events'] },
  cost_usd: { sql: `round(sum(cost_usd), 6)::text AS cost_usd`, columns: ['cost_usd'] },
  cache_savings_usd: { sql: `round(sum(cache_savings_usd), 6)::text AS cache_savings_usd`, columns: ['cache_savings_usd'] },
  response_cache_hits: { sql: `sum(response_cache_hits)::int8 AS response_cache_hits`, columns: ['response_cache_hits'] },
  response_cache_savings_usd: {
    sql: `round(sum(response_cache_savings_usd), 6)::text AS response_cache_savings_usd`,
    columns: ['response_cache_savings_usd'],
  },
  reported_cost_usd: { sql: `round(sum(reported_cost_usd), 6)::text AS reported_cost_usd`, columns: ['reported_cost_usd'] },
  production_cost_usd: {
    sql: `round(coalesce(sum(cost_usd) FILTER (WHERE ${productionSql()}), 0), 6)::text AS production_cost_usd`,
    columns: ['cost_usd'],
    dims: ['environment', 'traffic_source'],
  },
  retry_cost_usd: {
    sql: `round(coalesce(sum(cost_usd) FILTER (WHERE outcome IN (${WASTE_SQL})), 0), 6)::text AS retry_cost_usd`,
    columns: ['cost_usd'],
    dims: ['outcome'],
  },
  cache_hit_rate: {
    sql: `CASE WHEN sum(tokens_in) > 0 THEN sum(cached_tokens_in)::float8 / sum(tokens_in) ELSE 0 END AS cache_hit_rate`,
    columns: ['tokens_in', 'cached_tokens_in'],
  },
  avg_latency_ms: {
    sql: `CASE WHEN sum(latency_count) > 0 THEN sum(latency_ms_sum) / sum(latency_count) END AS avg_latency_ms`,
    columns: ['latency_ms_sum', 'latency_count'],
  },
}
/** from/to default to the last 30 days; both are rounded down to the hour (rollups are hourly). */
export function resolveRange(q: Pick<TMetricsQuery, 'from' | 'to'>, now = new Date()): { from: Date; to: Date } {
  const to = q.to ?? now
  const from = q.from ?? new Date(to.getTime() - 30 * DAY_MS)
  return { from, to }
}

/** the bucket of a source row (`at`: the start of its hour or day) */
const bucketSql = (g: TMetricsQuery['granularity']) =>
  g === 'hour' ? `at` : g === 'day' ? `date_trunc('day', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'` : null

/** A filter clause per listed dimension with values; the values go to `params` (after the organization id, $1). */
export function filterClauses(q: TMetricsQuery, dimensions: readonly string[], params: unknown[]): string[] {
  const where: string[] = []
  for (const d of dimensions) {
    const values = q[d as TRollupDimension]
    if (values && values.length) {
      params.push(values)
      where.push(`${d} = ANY($${params.length}::text[])`)
    }
  }
  return where
}

/** The dimensions a read needs in its table's key: grouped, filtered, and (cost rows) environment and traffic source for production_cost_usd. */
export function neededDimensions(q: TMetricsQuery, dimensions: readonly string[], always: readonly string[] = []): string[] {
  const filtered = dimensions.filter((d) => q[d as TRollupDimension]?.length)
  return [...new Set([...always, ...(q.group_by ?? []), ...filtered])]
}

/**
 * How a read may use the daily tables: `daily: false` reads the hourly ones only (the answer must not change: tests
 * compare the two). `now`: the clock the plan weighs a ragged today by (tests; default the current time).
 */
export type TMetricsOptions = { daily?: boolean; now?: Date }

/** The tables a metrics read uses (exported for tests and benchmarks). */
export function metricsPlan(q: TMetricsQuery, opts: TMetricsOptions = {}): { cost: TSourcePlan; outcomes: TSourcePlan } {
  const range = resolveRange(q)
  const daily = opts.daily ?? true
  return {
    cost: planSource(
      daily ? DAILY_ROLLUPS : [],
      neededDimensions(q, METRIC_DIMENSIONS, costRowDimensions(q)),
      range,
      q.granularity,
      daily ? HOURLY_NARROW_ROLLUPS : [],
      // every cost measure is a sum (or a ratio of sums), the latency histogram a sum of counts per bucket: a ragged
      // day may be its whole day minus its other hours (lib/metrics/source.ts)
      { additive: true, now: opts.now },
    ),
    outcomes: planSource(daily ? DAILY_OUTCOMES : [], neededDimensions(q, OUTCOME_DIMENSIONS), range, q.granularity),
  }
}

/** The cost measures a query computes: those it asks for (events always; production cost with the outcome measures: cost per accepted outcome divides it), else all. */
function costMeasures(q: TMetricsQuery): TCostMeasure[] {
  if (!q.measures) return [...COST_MEASURE_NAMES]
  const asked = new Set(['events', ...q.measures])
  if (q.measures.some((m) => OUTCOME_MEASURES.includes(m))) asked.add('production_cost_usd')
  return COST_MEASURE_NAMES.filter((m) => asked.has(m))
}

/** The dimensions the measures read on every cost row: production_cost_usd splits by environment and traffic source, retry_cost_usd by outcome. */
const costRowDimensions = (q: TMetricsQuery): string[] => [...new Set(costMeasures(q).flatMap((m) => COST_MEASURES[m].dims ?? []))]

/** Whether the answer carries the outcome measures (asked for, or every measure). */
const wantsOutcomes = (q: TMetricsQuery) => !q.measures || q.measures.some((m) => OUTCOME_MEASURES.includes(m))

export async function queryMetrics(orgId: string, q: TMetricsQuery, opts: TMetricsOptions = {}): Promise<{ rows: TMetricsRow[] }> {
  const plan = metricsPlan(q, opts)
  const params: unknown[] = [orgId]
  const filters = filterClauses(q, METRIC_DIMENSIONS, params)
  const dims = q.group_by ?? []
  const measures = costMeasures(q)
  const columns = [...new Set([...dims, ...costRowDimensions(q), ...measures.flatMap((m) => COST_MEASURES[m].columns), 'cost_usd'])].concat(
    q.latency_quantiles ? ['latency_hist'] : [],
  )
  const sums = columns.filter((c) => !(METRIC_DIMENSIONS as readonly string[]).includes(c))
  const from = sourceSql(plan.cost, HOURLY_ROLLUP.table, columns, filters, params, sums)
  const bucket = bucketSql(q.granularity)
  const select = [...(bucket ? [`${bucket} AS bucket`] : []), ...dims.map((d) => `NULLIF(${d}, '') AS ${d}`)]
  const groupBy = [...(bucket ? ['bucket'] : []), ...dims.map((d) => `NULLIF(${d}, '')`)]
  params.push(q.limit)
  const sql = `SELECT ${[
    ...select,
    ...measures.map((m) => COST_MEASURES[m].sql),
    ...(q.latency_quantiles ? ['outlay_hist_sum(latency_hist) AS latency_hist'] : []),
  ].join(', ')}
    FROM ${from}
    ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''}
    HAVING sum(events) > 0
    ORDER BY ${bucket ? 'bucket ASC, ' : ''}sum(cost_usd) DESC
    LIMIT $${params.length}`
  const rows = (await pool().query(sql, params)).rows.map(metricsRowOf)
  // A cost answer cut at the limit must not gain outcome-only rows for the groups it cut (they would read as $0 spend).
  if (outcomesApply(q) && wantsOutcomes(q)) await attachOutcomes(orgId, q, plan.outcomes, rows, rows.length >= q.limit)
  return { rows }
}

/**
 * Outcomes carry workflow, feature and account only: they join the cost rows
 * when the grouping and the filters use nothing else (an environment or
 * traffic-source filter is fine: the outcome cost is production traffic anyway).
 */
function outcomesApply(q: TMetricsQuery): boolean {
  const ok = new Set<string>([...OUTCOME_DIMENSIONS, 'environment', 'traffic_source'])
  return (q.group_by ?? []).every((d) => (OUTCOME_DIMENSIONS as readonly string[]).includes(d)) && METRIC_DIMENSIONS.every((d) => ok.has(d) || !q[d]?.length)
}

/** accepted_outcomes, outcomes and cost_per_accepted_outcome_usd (production cost ÷ accepted outcomes, exact). */
async function attachOutcomes(orgId: string, q: TMetricsQuery, plan: TSourcePlan, rows: TMetricsRow[], truncated: boolean): Promise<void> {
  const params: unknown[] = [orgId]
  const filters = filterClauses(q, OUTCOME_DIMENSIONS, params)
  const dims = q.group_by ?? []
  const from = sourceSql(plan, HOURLY_OUTCOMES.table, [...dims, 'outcomes', 'accepted'], filters, params)
  const bucket = bucketSql(q.granularity)
  const select = [...(bucket ? [`${bucket} AS bucket`] : []), ...dims.map((d) => `NULLIF(${d}, '') AS ${d}`)]
  const groupBy = [...(bucket ? ['bucket'] : []), ...dims.map((d) => `NULLIF(${d}, '')`)]
  const r = await pool().query(
    `SELECT ${[...select, 'sum(outcomes)::int8 AS outcomes', 'sum(accepted)::int8 AS accepted_outcomes'].join(', ')}
     FROM ${from} ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''} HAVING sum(outcomes) > 0`,
    params,
  )
  const key = (row: Record<string, unknown>) => JSON.stringify([row.bucket ?? null, ...dims.map((d) => row[d] ?? null)])
  const byKey = new Map(rows.map((row) => [key(row), row]))
  for (const o of r.rows.map(outcomeSumsOf)) {
    let row = byKey.get(key(o))
    if (!row && truncated) continue
    if (!row) {
      row = {
        ...o,
        events: 0,
        runs: 0,
        requests: 0,
        tokens_in: 0,
        cached_tokens_in: 0,
        cache_write_tokens: 0,
        tokens_out: 0,
        gpu_seconds: 0,
        unpriced_events: 0,
        cost_usd: '0.000000',
        cache_savings_usd: '0.000000',
        response_cache_hits: 0,
        response_cache_savings_usd: '0.000000',
        reported_cost_usd: '0.000000',
        production_cost_usd: '0.000000',
        retry_cost_usd: '0.000000',
        cache_hit_rate: 0,
        avg_latency_ms: null,
      }
      rows.push(row)
      byKey.set(key(o), row)
    }
    row.outcomes = o.outcomes
    row.accepted_outcomes = o.accepted_outcomes
  }
  for (const row of rows) {
    row.outcomes ??= 0
    row.accepted_outcomes ??= 0
    row.cost_per_accepted_outcome_usd = usdPerUnit(row.production_cost_usd, row.accepted_outcomes)
  }
}
