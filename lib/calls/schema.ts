import { z } from 'zod'
import { ENVIRONMENTS, OUTCOMES, TRAFFIC_SOURCES } from '@/lib/domain'
import { commaList, isoDateParam } from '@/lib/query-params'
import { ZInstant } from '@/lib/api/wire'
import { checkRange } from '@/lib/metrics/schema'

// GET /api/v1/calls and GET /api/v1/runs/{run_id}: the individual calls behind the rolled-up figures
// (docs/calls.md). Client-safe: the Calls explorer and the run view type their requests with these.

/** A cost bound: a non-negative decimal in USD, up to 12 decimals (the events' scale). */
const usdBound = z.string({ error: 'must be a string' }).regex(/^\d{1,18}(\.\d{1,12})?$/, 'must be a non-negative decimal in USD, e.g. 0.01')

/** The keyset position of the last call of a page: its timestamp and event id, base64url JSON. */
export type TCallsCursor = { t: string; id: string }

export function encodeCursor(c: TCallsCursor): string {
  return Buffer.from(JSON.stringify([c.t, c.id]), 'utf8').toString('base64url')
}

export function decodeCursor(s: string): TCallsCursor | null {
  try {
    const json = Buffer.from(s, 'base64url').toString('utf8')
    const v: unknown = JSON.parse(json)
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') return null
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v[0]) || Number.isNaN(Date.parse(v[0]))) return null
    return { t: v[0], id: v[1] }
  } catch {
    return null
  }
}

export const CALLS_FILTERS = [
  'workflow_id',
  'step',
  'call_type',
  'feature',
  'account_id',
  'user_id',
  'provider',
  'model',
  'environment',
  'traffic_source',
  'outcome',
] as const
export type TCallsFilter = (typeof CALLS_FILTERS)[number]

const list = (description = 'comma list: any of these values') => commaList().optional().meta({ description })

export const ZCallsQuery = z
  .strictObject({
    from: isoDateParam.optional().meta({ description: 'ISO-8601 date or date-time (inclusive); default 30 days before `to`' }),
    to: isoDateParam.optional().meta({ description: 'ISO-8601 date or date-time (exclusive); default now' }),
    workflow_id: list(),
    step: list(),
    call_type: list(),
    feature: list(),
    account_id: list(),
    user_id: list(),
    provider: list(),
    model: list(),
    environment: commaList(ENVIRONMENTS)
      .optional()
      .meta({ description: `comma list of: ${ENVIRONMENTS.join(', ')}` }),
    traffic_source: commaList(TRAFFIC_SOURCES)
      .optional()
      .meta({ description: `comma list of: ${TRAFFIC_SOURCES.join(', ')}` }),
    outcome: commaList(OUTCOMES)
      .optional()
      .meta({ description: `comma list of: ${OUTCOMES.join(', ')}` }),
    run_id: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional(),
    min_cost_usd: usdBound.optional().meta({ description: 'only priced calls costing at least this (USD)' }),
    max_cost_usd: usdBound.optional().meta({ description: 'only priced calls costing at most this (USD)' }),
    unpriced: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((v) => v === 'true')
      .optional()
      .meta({ description: 'true: only calls without a price (cost_usd null); false: only priced calls' }),
    limit: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be ≥ 1').max(500, 'must be ≤ 500').default(50),
    cursor: z
      .string({ error: 'must be a string' })
      .max(600, 'must be the next_cursor of a previous page')
      .refine((s) => decodeCursor(s) !== null, 'must be the next_cursor of a previous page')
      .optional()
      .meta({ description: 'next_cursor of the previous page (the same filters)' }),
  })
  .superRefine((q, ctx) => {
    checkRange(q, ctx)
    if (q.min_cost_usd !== undefined && q.max_cost_usd !== undefined && Number(q.min_cost_usd) > Number(q.max_cost_usd))
      ctx.addIssue({ code: 'custom', path: ['max_cost_usd'], message: 'must be at least min_cost_usd' })
    if (q.unpriced === true && (q.min_cost_usd !== undefined || q.max_cost_usd !== undefined))
      ctx.addIssue({ code: 'custom', path: ['unpriced'], message: 'true cannot be combined with a cost range (unpriced calls have no cost)' })
  })
export type TCallsQuery = z.infer<typeof ZCallsQuery>

const count = z.number().int()

/** One call: one inference event as ingested and priced. */
export const ZCall = z.object({
  id: z.string().meta({ description: 'the event id' }),
  timestamp: ZInstant,
  run_id: z.string().nullable(),
  workflow_id: z.string(),
  step: z.string(),
  call_type: z.string(),
  feature: z.string().nullable(),
  account_id: z.string().nullable(),
  user_id: z.string().nullable(),
  environment: z.string(),
  traffic_source: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  outcome: z.string(),
  attempt: z.number().int().nullable(),
  latency_ms: z.number().nullable(),
  tokens_in: count,
  cached_tokens_in: count,
  tokens_out: count,
  cost_usd: z.string().nullable().meta({ description: 'exact decimal, 6 decimals; null when unpriced' }),
})
export type TCall = z.infer<typeof ZCall>

export const ZCallsAnswer = z.object({
  calls: z.array(ZCall).meta({ description: 'newest first (timestamp, then id)' }),
  next_cursor: z.string().nullable().meta({ description: 'pass as cursor (with the same filters) for the next page; null on the last page' }),
})
export type TCallsAnswer = z.infer<typeof ZCallsAnswer>

export const ZRunParams = z.strictObject({
  run_id: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
})

export const ZRunTotals = z.object({
  calls: count,
  unpriced_calls: count,
  cost_usd: z.string().meta({ description: 'exact decimal, 6 decimals: the priced calls only' }),
  tokens_in: count,
  cached_tokens_in: count,
  tokens_out: count,
  started_at: ZInstant,
  ended_at: ZInstant.meta({ description: 'the last call’s timestamp plus its latency' }),
  duration_ms: z.number(),
  outcomes: z.record(z.string(), count).meta({ description: 'calls per outcome' }),
})

export const ZRunAnswer = z.object({
  run_id: z.string(),
  calls: z.array(ZCall).meta({ description: 'oldest first (timestamp, then id); at most 5,000' }),
  truncated: z.boolean().meta({ description: 'true when the run has more than 5,000 calls (the first 5,000 are listed; totals cover all)' }),
  totals: ZRunTotals,
})
export type TRunAnswer = z.infer<typeof ZRunAnswer>
