import { z } from 'zod'
import { ROLLUP_DIMENSIONS } from '@/lib/rollups/tables'
import { DAY_MS, ENVIRONMENTS, TRAFFIC_SOURCES } from '@/lib/domain'
import { commaList, isoDateParam } from '@/lib/query-params'
import { ZInstant, ZUsd } from '@/lib/api/wire'

// GET /api/v1/metrics and its siblings: the query strings and the answers
// (client-safe: the components type their requests with them; the engine,
// lib/metrics/query.ts, reads the rollups).

export const METRIC_DIMENSIONS = ROLLUP_DIMENSIONS
const DIM_SET = new Set<string>(METRIC_DIMENSIONS)

/** The measures of a cost row (summed over the rollups), and those joined from the outcome rollups. */
export const COST_MEASURE_NAMES = [
  'events',
  'runs',
  'requests',
  'tokens_in',
  'cached_tokens_in',
  'cache_write_tokens',
  'tokens_out',
  'gpu_seconds',
  'unpriced_events',
  'cost_usd',
  'cache_savings_usd',
  'response_cache_hits',
  'response_cache_savings_usd',
  'reported_cost_usd',
  'production_cost_usd',
  'retry_cost_usd',
  'cache_hit_rate',
  'avg_latency_ms',
] as const
export type TCostMeasure = (typeof COST_MEASURE_NAMES)[number]
/** Joined from the outcome rollups (cost per accepted outcome divides production_cost_usd). */
export const OUTCOME_MEASURES: readonly string[] = ['outcomes', 'accepted_outcomes', 'cost_per_accepted_outcome_usd']
export const MEASURES: readonly string[] = [...COST_MEASURE_NAMES, ...OUTCOME_MEASURES]

const dateParam = isoDateParam

/** The fields of a metrics query (also the filters of its sibling endpoints, e.g. /api/v1/metrics/step-medians). */
export const METRICS_QUERY_FIELDS = {
  from: dateParam.optional().meta({ description: 'ISO-8601 date or date-time; default 30 days before `to`; rounded down to the hour' }),
  to: dateParam.optional().meta({ description: 'ISO-8601 date or date-time (exclusive); default now; rounded down to the hour' }),
  group_by: commaList()
    .refine((xs) => xs.every((x) => DIM_SET.has(x)), `must be a comma list of: ${METRIC_DIMENSIONS.join(', ')}`)
    .optional()
    .meta({ description: `comma list of: ${METRIC_DIMENSIONS.join(', ')}` }),
  granularity: z.enum(['hour', 'day', 'none'], { error: 'must be hour, day or none' }).default('none'),
  environment: commaList(ENVIRONMENTS).optional().meta({ description: 'comma list' }),
  traffic_source: commaList(TRAFFIC_SOURCES).optional().meta({ description: 'comma list' }),
  workflow_id: commaList().optional().meta({ description: 'comma list' }),
  step: commaList().optional().meta({ description: 'comma list' }),
  call_type: commaList().optional().meta({ description: 'comma list' }),
  feature: commaList().optional().meta({ description: 'comma list' }),
  account_id: commaList().optional().meta({ description: 'comma list' }),
  provider: commaList().optional().meta({ description: 'comma list' }),
  model: commaList().optional().meta({ description: 'comma list' }),
  outcome: commaList().optional().meta({ description: 'comma list' }),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /** only these measures (events always): a narrower answer, and a read that can use a narrower rollup table (retry_cost_usd needs the outcome in its key) */
  measures: commaList()
    .refine((xs) => xs.length > 0 && xs.every((x) => MEASURES.includes(x)), `must be a comma list of: ${MEASURES.join(', ')}`)
    .optional()
    .meta({ description: 'comma list: only these measures (events always); a narrower answer and a narrower read' }),
  /** true: add latency_p50_ms / latency_p95_ms / latency_p99_ms (from the rollups' latency histograms) */
  latency_quantiles: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'true: add latency_p50_ms, latency_p95_ms and latency_p99_ms per row' }),
}

/** `to` after `from` (the metrics query and its sibling endpoints). */
export function checkRange(q: { from?: Date; to?: Date }, ctx: z.RefinementCtx): void {
  // a date that failed its own check is still the raw string here (zod runs object refinements after non-aborting issues)
  if (q.from instanceof Date && q.to instanceof Date && q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
}

export const ZMetricsQuery = z.strictObject(METRICS_QUERY_FIELDS).superRefine((q, ctx) => {
  checkRange(q, ctx)
  if (q.from instanceof Date && q.to instanceof Date && q.granularity === 'hour' && q.to.getTime() - q.from.getTime() > 93 * DAY_MS)
    ctx.addIssue({ code: 'custom', path: ['granularity'], message: 'hour is limited to ranges of 93 days; use day' })
})
export type TMetricsQuery = z.infer<typeof ZMetricsQuery>

const count = z.number().int()
const dimensions = Object.fromEntries(METRIC_DIMENSIONS.map((d) => [d, z.string().nullable().optional()])) as Record<
  (typeof METRIC_DIMENSIONS)[number],
  z.ZodOptional<z.ZodNullable<z.ZodString>>
>

/** One row of the metrics answer: its group's dimensions (null: events without one), its bucket, and every measure. */
export const ZMetricsRow = z.object({
  ...dimensions,
  bucket: ZInstant.optional().meta({ description: 'with granularity hour or day: the bucket start (UTC)' }),
  events: count,
  runs: count.meta({
    description: 'runs (distinct run_id), each counted on the row of its first event: meaningful by workflow, account, feature, environment, traffic source',
  }),
  requests: count,
  tokens_in: count,
  cached_tokens_in: count,
  cache_write_tokens: count,
  tokens_out: count,
  gpu_seconds: z.number(),
  unpriced_events: count,
  cost_usd: ZUsd,
  cache_savings_usd: ZUsd.meta({ description: 'what prompt caching saved: cached input tokens priced at the cached rate instead of the input rate' }),
  response_cache_hits: count.meta({
    description: 'calls answered from a response cache (the gateway’s, or an event with response_cache_hit: true): counted in events, priced at 0',
  }),
  response_cache_savings_usd: ZUsd.meta({
    description: 'what the response cache saved: the summed cost of the calls its hits repeat (not in cost_usd; a hit whose original call was unpriced adds 0)',
  }),
  reported_cost_usd: ZUsd,
  avg_latency_ms: z.number().nullable(),
  latency_p50_ms: z
    .number()
    .nullable()
    .optional()
    .meta({ description: "with latency_quantiles=true: quantiles of the calls' latency in ms (±19% at worst); null without latencies" }),
  latency_p95_ms: z.number().nullable().optional(),
  latency_p99_ms: z.number().nullable().optional(),
  cache_hit_rate: z.number().meta({ description: 'cached_tokens_in ÷ tokens_in' }),
  production_cost_usd: ZUsd.meta({
    description: 'cost of production traffic (traffic_source and environment production): what cost per accepted outcome divides',
  }),
  retry_cost_usd: ZUsd.meta({ description: 'the retry tax: cost of the calls whose outcome is retry or error' }),
  outcomes: count
    .optional()
    .meta({ description: 'present when the grouping and filters use only workflow_id, feature, account_id (and environment/traffic_source filters)' }),
  accepted_outcomes: count.optional(),
  cost_per_accepted_outcome_usd: ZUsd.nullable().optional(),
})
export type TMetricsRow = z.infer<typeof ZMetricsRow>

/** The answer: with `measures`, each row carries events and the measures asked for only. */
export const ZMetricsAnswer = z.object({ rows: z.array(ZMetricsRow.partial().required({ events: true })) })

const { from, to, environment, traffic_source, workflow_id } = METRICS_QUERY_FIELDS
export const ZStepMediansQuery = z.strictObject({ from, to, environment, traffic_source, workflow_id }).superRefine(checkRange)
export type TStepMediansQuery = z.infer<typeof ZStepMediansQuery>

export const ZStepMedian = z.object({
  workflow_id: z.string().nullable(),
  step: z.string().nullable(),
  accounts: count.meta({ description: 'accounts with runs of the workflow and calls at the step in the period: what the median is taken over' }),
  median_calls_per_run: z.number().meta({ description: 'the median of their calls per run (the mean of the two middle ones for an even count)' }),
})
export type TStepMedian = z.infer<typeof ZStepMedian>

export const ZAccountAnomaly = z.object({
  account_id: z.string(),
  workflow_id: z.string().nullable(),
  step: z.string().nullable(),
  runs: count.meta({ description: 'the account’s runs of the workflow in the period' }),
  calls: count.meta({ description: 'the account’s calls at the step in the period' }),
  calls_per_run: z.number().meta({ description: 'calls ÷ runs, this account' }),
  median_calls_per_run: z.number().meta({ description: 'the median account’s calls per run at this step (GET /api/v1/metrics/step-medians)' }),
  peers: count.meta({ description: 'accounts the median is taken over' }),
})
export type TAccountAnomaly = z.infer<typeof ZAccountAnomaly>
