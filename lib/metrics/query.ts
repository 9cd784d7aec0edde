import { z } from 'zod'
import { pool } from '@/lib/db'
import { DAILY_OUTCOMES, DAILY_ROLLUPS, HOURLY_OUTCOMES, HOURLY_ROLLUP, OUTCOME_DIMENSIONS, ROLLUP_DIMENSIONS, WASTE_OUTCOMES, type TRollupDimension } from '@/lib/rollups/tables'
import { planSource, sourceSql, type TSourcePlan } from '@/lib/metrics/source'
import { usdPerUnit } from '@/lib/cost/money'
import { metricsRowOf, outcomeSumsOf } from '@/lib/metrics/rows'

// GET /api/v1/metrics: sums over the rollups (never the raw events): whole
// UTC days from the narrowest daily table that has the dimensions, the rest
// from the hourly one (lib/metrics/source.ts).

export const METRIC_DIMENSIONS = ROLLUP_DIMENSIONS
const DIM_SET = new Set<string>(METRIC_DIMENSIONS)
const DAY_MS = 24 * 3600 * 1000

const dateParam = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date or date-time')
  .transform((s) => new Date(s))

const list = (name: string, allowed?: readonly string[]) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((xs) => !allowed || xs.every((x) => allowed.includes(x)), `${name} values must be among: ${allowed?.join(', ')}`)

const WASTE_SQL = WASTE_OUTCOMES.map((o) => `'${o}'`).join(', ')

/**
 * Every measure of a cost row: its SQL over the source rows, the rollup
 * columns it reads, and the dimensions it needs in the table's key.
 */
const COST_MEASURES: Record<string, { sql: string; columns: string[]; dims?: string[] }> = {
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
  reported_cost_usd: { sql: `round(sum(reported_cost_usd), 6)::text AS reported_cost_usd`, columns: ['reported_cost_usd'] },
  production_cost_usd: {
    sql: `round(coalesce(sum(cost_usd) FILTER (WHERE traffic_source = 'production' AND environment = 'production'), 0), 6)::text AS production_cost_usd`,
    columns: ['cost_usd'], dims: ['environment', 'traffic_source'],
  },
  retry_cost_usd: { sql: `round(coalesce(sum(cost_usd) FILTER (WHERE outcome IN (${WASTE_SQL})), 0), 6)::text AS retry_cost_usd`, columns: ['cost_usd'], dims: ['outcome'] },
  cache_hit_rate: { sql: `CASE WHEN sum(tokens_in) > 0 THEN sum(cached_tokens_in)::float8 / sum(tokens_in) ELSE 0 END AS cache_hit_rate`, columns: ['tokens_in', 'cached_tokens_in'] },
  avg_latency_ms: { sql: `CASE WHEN sum(latency_count) > 0 THEN sum(latency_ms_sum) / sum(latency_count) END AS avg_latency_ms`, columns: ['latency_ms_sum', 'latency_count'] },
}
/** Joined from the outcome rollups (cost per accepted outcome divides production_cost_usd). */
const OUTCOME_MEASURES = ['outcomes', 'accepted_outcomes', 'cost_per_accepted_outcome_usd']
const MEASURES = [...Object.keys(COST_MEASURES), ...OUTCOME_MEASURES]
const MEASURE_SET = new Set(MEASURES)

/** The fields of a metrics query (also the filters of its sibling endpoints, e.g. /api/v1/metrics/step-medians). */
export const METRICS_QUERY_FIELDS = {
  from: dateParam.optional(),
  to: dateParam.optional(),
  group_by: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((xs) => xs.every((x) => DIM_SET.has(x)), `must be a comma list of: ${METRIC_DIMENSIONS.join(', ')}`)
    .optional(),
  granularity: z.enum(['hour', 'day', 'none'], { error: 'must be hour, day or none' }).default('none'),
  environment: list('environment', ['production', 'staging', 'development']).optional(),
  traffic_source: list('traffic_source', ['production', 'eval', 'replay', 'ops']).optional(),
  workflow_id: list('workflow_id').optional(),
  step: list('step').optional(),
  call_type: list('call_type').optional(),
  feature: list('feature').optional(),
  account_id: list('account_id').optional(),
  provider: list('provider').optional(),
  model: list('model').optional(),
  outcome: list('outcome').optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /** only these measures (events always): a narrower answer, and a read that can use a narrower rollup table (retry_cost_usd needs the outcome in its key) */
  measures: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((xs) => xs.length > 0 && xs.every((x) => MEASURE_SET.has(x)), `must be a comma list of: ${MEASURES.join(', ')}`)
    .optional(),
  /** true: add latency_p50_ms / latency_p95_ms / latency_p99_ms (from the rollups' latency histograms) */
  latency_quantiles: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true').optional(),
}

/** `to` after `from` (the metrics query and its sibling endpoints). */
export function checkRange(q: { from?: Date; to?: Date }, ctx: z.RefinementCtx): void {
  if (q.from && q.to && q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
}

export const ZMetricsQuery = z.strictObject(METRICS_QUERY_FIELDS).superRefine((q, ctx) => {
  checkRange(q, ctx)
  if (q.from && q.to && q.granularity === 'hour' && q.to.getTime() - q.from.getTime() > 93 * DAY_MS)
    ctx.addIssue({ code: 'custom', path: ['granularity'], message: 'hour is limited to ranges of 93 days; use day' })
})
export type TMetricsQuery = z.infer<typeof ZMetricsQuery>
/** The query as a client sends it: the query-string values before parsing (components' request type). */
export type TMetricsParams = z.input<typeof ZMetricsQuery>

export type TMetricsRow = Partial<Record<TRollupDimension, string | null>> & {
  bucket?: string
  events: number
  /** runs (distinct run_id), each counted on the row of its first event: meaningful by workflow, account, feature, environment, traffic source */
  runs: number
  requests: number
  tokens_in: number
  cached_tokens_in: number
  cache_write_tokens: number
  tokens_out: number
  gpu_seconds: number
  unpriced_events: number
  cost_usd: string
  cache_savings_usd: string
  reported_cost_usd: string
  avg_latency_ms: number | null
  /** with latency_quantiles=true: quantiles of the calls' latency in ms (±19% at worst: log-scale buckets, four per doubling); null without latencies */
  latency_p50_ms?: number | null
  latency_p95_ms?: number | null
  latency_p99_ms?: number | null
  /** cached_tokens_in / tokens_in */
  cache_hit_rate: number
  /** cost of production traffic (traffic_source and environment production): what cost per accepted outcome divides */
  production_cost_usd: string
  /** the retry tax: cost of the calls whose outcome is retry or error (redone or failed) */
  retry_cost_usd: string
  /** present when the grouping and filters use only workflow_id, feature, account_id (and environment/traffic_source filters) */
  outcomes?: number
  accepted_outcomes?: number
  cost_per_accepted_outcome_usd?: string | null
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

/** How a read may use the daily tables: `daily: false` reads the hourly ones only (the answer must not change: tests compare the two). */
export type TMetricsOptions = { daily?: boolean }

/** The tables a metrics read uses (exported for tests and benchmarks). */
export function metricsPlan(q: TMetricsQuery, opts: TMetricsOptions = {}): { cost: TSourcePlan; outcomes: TSourcePlan } {
  const range = resolveRange(q)
  const daily = opts.daily ?? true
  return {
    cost: planSource(daily ? DAILY_ROLLUPS : [], neededDimensions(q, METRIC_DIMENSIONS, costRowDimensions(q)), range, q.granularity),
    outcomes: planSource(daily ? DAILY_OUTCOMES : [], neededDimensions(q, OUTCOME_DIMENSIONS), range, q.granularity),
  }
}

/** The cost measures a query computes: those it asks for (events always; production cost with the outcome measures: cost per accepted outcome divides it), else all. */
function costMeasures(q: TMetricsQuery): string[] {
  if (!q.measures) return Object.keys(COST_MEASURES)
  const asked = new Set(['events', ...q.measures])
  if (q.measures.some((m) => OUTCOME_MEASURES.includes(m))) asked.add('production_cost_usd')
  return Object.keys(COST_MEASURES).filter((m) => asked.has(m))
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
  const columns = [...new Set([...dims, ...costRowDimensions(q), ...measures.flatMap((m) => COST_MEASURES[m].columns), 'cost_usd'])].concat(q.latency_quantiles ? ['latency_hist'] : [])
  const from = sourceSql(plan.cost, HOURLY_ROLLUP.table, columns, filters, params)
  const bucket = bucketSql(q.granularity)
  const select = [...(bucket ? [`${bucket} AS bucket`] : []), ...dims.map((d) => `NULLIF(${d}, '') AS ${d}`)]
  const groupBy = [...(bucket ? ['bucket'] : []), ...dims.map((d) => `NULLIF(${d}, '')`)]
  params.push(q.limit)
  const sql = `SELECT ${[...select,
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
      row = { ...o, events: 0, runs: 0, requests: 0, tokens_in: 0, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 0, gpu_seconds: 0, unpriced_events: 0,
        cost_usd: '0.000000', cache_savings_usd: '0.000000', reported_cost_usd: '0.000000', production_cost_usd: '0.000000', retry_cost_usd: '0.000000', cache_hit_rate: 0, avg_latency_ms: null }
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
