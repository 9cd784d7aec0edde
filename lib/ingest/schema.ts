import { z } from 'zod'
import { issuesToLines, storableString } from '@/lib/validation'
import {
  DAY_MS,
  DEFAULT_CALL_TYPE,
  DEFAULT_ENVIRONMENT,
  DEFAULT_OUTCOME,
  DEFAULT_TRAFFIC_SOURCE,
  ENVIRONMENTS,
  MINUTE_MS,
  ZCallType,
  ZEnvironment,
  ZOutcome,
  ZTrafficSource,
  type TCallType,
  type TEnvironment,
  type TOutcome,
  type TTrafficSource,
} from '@/lib/domain'

// The ingest contract of PRODUCT.md ("The inference event"). Field names are
// relied on by clients outside this repo: never rename them.

// The values of environment, traffic_source, call_type and outcome: lib/domain.ts.

export const MAX_EVENTS_PER_BATCH = 1000
export const MAX_BODY_BYTES = 1024 * 1024
const FUTURE_SKEW_MS = 5 * MINUTE_MS
const MAX_AGE_MS = 400 * DAY_MS

const label = (max = 256) => storableString(z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(max, `must be at most ${max} characters`))
const count = (max: number) => z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be ≥ 0').max(max, `must be ≤ ${max}`)

export const ZInferenceEvent = z
  .strictObject({
    id: label(128),
    timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00Z' }).optional(),
    environment: ZEnvironment.optional(),
    traffic_source: ZTrafficSource.optional(),
    workflow_id: label(),
    run_id: label().optional(),
    step: label(),
    call_type: ZCallType.optional(),
    feature: label().optional(),
    scenario_id: label().optional(),
    owner: label().optional(),
    account_id: label().optional(),
    user_id: label().optional(),
    provider: label(128).optional(),
    model: label().optional(),
    tokens_in: count(1_000_000_000).optional(),
    cached_tokens_in: count(1_000_000_000).optional(),
    cache_write_tokens: count(1_000_000_000).optional(),
    tokens_out: count(1_000_000_000).optional(),
    requests: count(1_000_000).min(1, 'must be ≥ 1').optional(),
    gpu_seconds: z.number({ error: 'must be a number' }).min(0, 'must be ≥ 0').max(10_000_000, 'must be ≤ 10000000').optional(),
    gpu_pool: label().optional(),
    outcome: ZOutcome.optional(),
    attempt: count(10_000).min(1, 'must be ≥ 1').optional(),
    latency_ms: z.number({ error: 'must be a number' }).min(0, 'must be ≥ 0').max(DAY_MS, `must be ≤ ${DAY_MS}`).optional(),
    cost_usd: z.number({ error: 'must be a number' }).min(0, 'must be ≥ 0').max(1_000_000, 'must be ≤ 1000000').optional(),
    input_hash: label(128).optional(),
    max_tokens: count(100_000_000).min(1, 'must be ≥ 1').optional(),
    prompt_version: label(128).optional(),
    output_hash: label(128).optional(),
    // Outlay extensions beside PRODUCT.md's table (docs/gateway.md): a call answered from a response cache costs
    // nothing, and saved what the call it repeats cost.
    response_cache_hit: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .meta({ description: 'answered from a response cache (the gateway sets it): priced at 0. Default false' }),
    response_cache_savings_usd: z
      .string({ error: 'must be a decimal string, e.g. "0.00325"' })
      .regex(/^\d{1,7}(\.\d{1,12})?$/, 'must be a decimal string ≥ 0 with at most 12 decimals, e.g. "0.00325"')
      .refine((v) => !(Number(v) > 1_000_000), 'must be ≤ 1000000') // (a malformed value has its own error)
      .optional()
      .meta({ description: 'with response_cache_hit: what the cache saved, the cost of the call it repeats (USD, exact decimal)' }),
    metadata: z
      .preprocess(
        (m, ctx) => {
          // zod's record silently drops an own "__proto__" key (JSON.parse makes one) before the key check runs: reject it here.
          if (m !== null && typeof m === 'object' && Object.hasOwn(m, '__proto__'))
            ctx.addIssue({ code: 'custom', path: ['__proto__'], message: 'key "__proto__" is not allowed', input: m })
          return m
        },
        z
          .record(
            storableString(z.string().min(1, 'keys must not be empty').max(128, 'keys must be at most 128 characters')),
            storableString(z.string({ error: 'values must be strings' }).max(1024, 'values must be at most 1024 characters')),
            { error: 'must be an object of string → string' },
          )
          .refine((m) => Object.keys(m).length <= 50, 'must have at most 50 keys'),
      )
      .optional(),
  })
  .superRefine((e, ctx) => {
    if (e.response_cache_savings_usd !== undefined && e.response_cache_hit !== true)
      ctx.addIssue({ code: 'custom', path: ['response_cache_savings_usd'], message: 'is only for a response cache hit (response_cache_hit: true)' })
    const hasGpu = e.gpu_seconds !== undefined
    if (!hasGpu && !e.provider) ctx.addIssue({ code: 'custom', path: ['provider'], message: 'is required unless gpu_seconds is given' })
    if (!hasGpu && !e.model) ctx.addIssue({ code: 'custom', path: ['model'], message: 'is required unless gpu_seconds is given' })
    // Compare the counts only when each is itself valid: a negative tokens_in already has its own error.
    const valid = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 0)
    if (!valid(e.tokens_in) || !valid(e.cached_tokens_in) || !valid(e.cache_write_tokens)) return
    const tin = e.tokens_in ?? 0
    if ((e.cached_tokens_in ?? 0) > tin) ctx.addIssue({ code: 'custom', path: ['cached_tokens_in'], message: `must be ≤ tokens_in (${tin})` })
    else if ((e.cached_tokens_in ?? 0) + (e.cache_write_tokens ?? 0) > tin)
      ctx.addIssue({ code: 'custom', path: ['cache_write_tokens'], message: `cached_tokens_in + cache_write_tokens must be ≤ tokens_in (${tin})` })
  })
export type TInferenceEventInput = z.infer<typeof ZInferenceEvent>

/** An accepted event with every default applied, as stored in a batch. */
export type TIngestEvent = Omit<TInferenceEventInput, 'timestamp' | 'environment' | 'traffic_source' | 'call_type' | 'outcome' | 'requests'> & {
  timestamp: string
  environment: TEnvironment
  traffic_source: TTrafficSource
  call_type: TCallType
  outcome: TOutcome
  requests: number
  /** Set by the server, never the client (telemetry health): where the event came from. */
  source?: string
  /** Set by the server: the attribution fields the sender left out and Outlay filled in. */
  defaulted?: TDefaultedField[]
}

/** Attribution fields Outlay fills in when a sender leaves them out (telemetry health counts them as missing). */
export const DEFAULTED_FIELDS = ['workflow_id', 'step', 'outcome'] as const
export type TDefaultedField = (typeof DEFAULTED_FIELDS)[number]

export const ZEventsEnvelope = z.strictObject({
  events: z
    .array(z.unknown(), { error: 'must be an array of events' })
    .min(1, 'must contain at least 1 event')
    .max(MAX_EVENTS_PER_BATCH, `must contain at most ${MAX_EVENTS_PER_BATCH} events`),
})

/**
 * POST /api/v1/events as documented. The route reads the envelope (ZEventsEnvelope) and validates
 * each event on its own (validateEvent): the valid ones are kept, the others listed in `rejected`.
 */
export const ZEventsBody = z.strictObject({ events: z.array(ZInferenceEvent).min(1).max(MAX_EVENTS_PER_BATCH) })

export const ZRejected = z.object({
  index: z.number().int().meta({ description: 'the position of the item in the request' }),
  errors: z.array(z.string()).meta({ description: '"field: reason"' }),
})
export type TRejected = z.infer<typeof ZRejected>
/** What POST /api/v1/events and /api/v1/outcomes answer (202), on both the fast path and the route. */
export const ZIngestAnswer = z.object({
  accepted: z.number().int().meta({ description: 'new items stored (durable) for processing' }),
  duplicates: z.number().int().meta({ description: 'items whose id was already received (counted once)' }),
  rejected: z.array(ZRejected).meta({ description: 'invalid items, not stored; the valid items of the batch are accepted' }),
})
export type TIngestAnswer = z.infer<typeof ZIngestAnswer>

export type TValidateContext = { now: Date; defaultEnvironment?: string | null }

/** Validate one event and apply the defaults; errors as "field: reason". */
export function validateEvent(raw: unknown, ctx: TValidateContext): { ok: true; event: TIngestEvent } | { ok: false; errors: string[] } {
  // reportInput: issuesToLines tells "missing" (input undefined) from "wrong type" by the issue's input,
  // which zod 4 only keeps when asked; without it every wrong-typed field read "is required".
  const r = ZInferenceEvent.safeParse(raw, { reportInput: true })
  if (!r.success) return { ok: false, errors: issuesToLines(r.error.issues, '(event)') }
  const e = r.data
  let ts = ctx.now
  if (e.timestamp !== undefined) {
    ts = new Date(e.timestamp)
    if (ts.getTime() > ctx.now.getTime() + FUTURE_SKEW_MS) return { ok: false, errors: ['timestamp: is more than 5 minutes in the future'] }
    if (ts.getTime() < ctx.now.getTime() - MAX_AGE_MS) return { ok: false, errors: ['timestamp: is older than 400 days'] }
  }
  const defaultEnv = ENVIRONMENTS.find((x) => x === ctx.defaultEnvironment) ?? DEFAULT_ENVIRONMENT
  return {
    ok: true,
    event: {
      ...e,
      timestamp: ts.toISOString(),
      environment: e.environment ?? defaultEnv,
      traffic_source: e.traffic_source ?? DEFAULT_TRAFFIC_SOURCE,
      call_type: e.call_type ?? DEFAULT_CALL_TYPE,
      outcome: e.outcome ?? DEFAULT_OUTCOME,
      requests: e.requests ?? 1,
      ...(e.outcome === undefined ? { defaulted: ['outcome'] } : {}),
    },
  }
}

/** POST /api/v1/otlp/v1/traces, JSON form (OTLP's ExportTraceServiceResponse): empty, or the partial success. */
export const ZPartialSuccess = z.object({
  rejectedSpans: z.number().int().meta({ description: 'GenAI spans not recorded' }),
  errorMessage: z.string().meta({ description: 'the first rejections, "span: field: reason"' }),
})
export const ZTraceAnswer = z.object({ partialSuccess: ZPartialSuccess.optional() })
export type TPartialSuccess = z.infer<typeof ZPartialSuccess>
