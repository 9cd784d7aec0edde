import { z } from 'zod'
import { pool } from '@/lib/db'
import { ROLLUP_DIMENSIONS, type TRollupDimension } from '@/lib/rollups/hourly'

// GET /api/v1/metrics: sums over the hourly rollups (never the raw events).

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

export const ZMetricsQuery = z
  .strictObject({
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
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
    if (q.from && q.to && q.granularity === 'hour' && q.to.getTime() - q.from.getTime() > 93 * DAY_MS)
      ctx.addIssue({ code: 'custom', path: ['granularity'], message: 'hour is limited to ranges of 93 days; use day' })
  })
export type TMetricsQuery = z.infer<typeof ZMetricsQuery>

export type TMetricsRow = Partial<Record<TRollupDimension, string | null>> & {
  bucket?: string
  events: number
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
  /** cached_tokens_in / tokens_in */
  cache_hit_rate: number
}

/** from/to default to the last 30 days; both are rounded down to the hour (rollups are hourly). */
export function resolveRange(q: Pick<TMetricsQuery, 'from' | 'to'>, now = new Date()): { from: Date; to: Date } {
  const to = q.to ?? now
  const from = q.from ?? new Date(to.getTime() - 30 * DAY_MS)
  return { from, to }
}

export async function queryMetrics(orgId: string, q: TMetricsQuery): Promise<{ rows: TMetricsRow[] }> {
  const { from, to } = resolveRange(q)
  const params: unknown[] = [orgId, from.toISOString(), to.toISOString()]
  const where = [`org_id = $1`, `hour >= date_trunc('hour', $2::timestamptz)`, `hour < $3::timestamptz`]
  for (const d of METRIC_DIMENSIONS) {
    const values = q[d]
    if (values && values.length) {
      params.push(values)
      where.push(`${d} = ANY($${params.length}::text[])`)
    }
  }
  const dims = q.group_by ?? []
  const bucket = q.granularity === 'hour' ? `hour` : q.granularity === 'day' ? `date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'` : null
  const select = [...(bucket ? [`${bucket} AS bucket`] : []), ...dims.map((d) => `NULLIF(${d}, '') AS ${d}`)]
  const groupBy = [...(bucket ? ['bucket'] : []), ...dims.map((d) => `NULLIF(${d}, '')`)]
  params.push(q.limit)
  const sql = `SELECT ${[...select,
    `sum(events)::int8 AS events`, `sum(requests)::int8 AS requests`, `sum(tokens_in)::int8 AS tokens_in`,
    `sum(cached_tokens_in)::int8 AS cached_tokens_in`, `sum(cache_write_tokens)::int8 AS cache_write_tokens`,
    `sum(tokens_out)::int8 AS tokens_out`, `sum(gpu_seconds)::float8 AS gpu_seconds`, `sum(unpriced_events)::int8 AS unpriced_events`,
    `round(sum(cost_usd), 6)::text AS cost_usd`, `round(sum(cache_savings_usd), 6)::text AS cache_savings_usd`,
    `round(sum(reported_cost_usd), 6)::text AS reported_cost_usd`,
    `CASE WHEN sum(tokens_in) > 0 THEN sum(cached_tokens_in)::float8 / sum(tokens_in) ELSE 0 END AS cache_hit_rate`,
    `CASE WHEN sum(latency_count) > 0 THEN sum(latency_ms_sum) / sum(latency_count) END AS avg_latency_ms`,
  ].join(', ')}
    FROM rollups_hourly WHERE ${where.join(' AND ')}
    ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''}
    HAVING sum(events) > 0
    ORDER BY ${bucket ? 'bucket ASC, ' : ''}sum(cost_usd) DESC
    LIMIT $${params.length}`
  const r = await pool().query(sql, params)
  const rows = r.rows.map((row) => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(row)) {
      if (k === 'bucket') out.bucket = (v as Date).toISOString()
      else if (['events', 'requests', 'tokens_in', 'cached_tokens_in', 'cache_write_tokens', 'tokens_out', 'unpriced_events'].includes(k)) out[k] = Number(v)
      else out[k] = v
    }
    return out as TMetricsRow
  })
  return { rows }
}
