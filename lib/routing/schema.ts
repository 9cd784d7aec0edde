import { z } from 'zod'
import { normalizeDecimal } from '@/lib/cost/money'
import { ENVIRONMENTS } from '@/lib/domain'
import { ZInstant, ZUsd, ZUuid } from '@/lib/api/wire'

// Bodies of /api/v1/policies, /api/v1/evals and /api/v1/routing-defaults.
// Errors read "field: reason" (lib/validation.ts).

const label = (max = 200) => z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)
const share = (what: string) =>
  z
    .number({ error: `must be a number between 0 and 1 (${what})` })
    .min(0, 'must be ≥ 0')
    .max(1, 'must be ≤ 1')

export const ZModelRef = z.strictObject({ provider: label(100), model: label(200) })
export type TModelRef = z.infer<typeof ZModelRef>
export const refKey = (m: TModelRef) => `${m.provider}/${m.model}`

/** The fallback chain of a spec: `fallback` first, then `fallbacks` in order, each model once. */
export function fallbackChain(spec: { fallback: TModelRef | null; fallbacks?: TModelRef[] }): TModelRef[] {
  const out: TModelRef[] = []
  for (const m of [...(spec.fallback ? [spec.fallback] : []), ...(spec.fallbacks ?? [])]) if (!out.some((x) => refKey(x) === refKey(m))) out.push(m)
  return out
}

const distinctModels = (xs: TModelRef[]) => new Set(xs.map(refKey)).size === xs.length

export const METRIC_NAME = /^[a-z][a-z0-9_.-]{0,63}$/

export const ZQualityBar = z
  .array(
    z.strictObject({
      metric: z.string({ error: 'must be a string' }).regex(METRIC_NAME, 'must be a metric name: lower case letters, digits, _ . - (e.g. grounding)'),
      min: share('the minimum score'),
    }),
    {
      error: 'must be a list of {metric, min}',
    },
  )
  .max(20, 'at most 20 metrics')
  .refine((xs) => new Set(xs.map((x) => x.metric)).size === xs.length, 'each metric at most once')

export const CANARY_KEYS = ['run_id', 'account_id'] as const
/** reported: decide's `confidence`; json_field: a numeric field of the answer's JSON; first_token_logprob: exp(logprob) of the answer's first token */
export const CONFIDENCE_SOURCES = ['reported', 'json_field', 'first_token_logprob'] as const
export type TConfidenceSource = (typeof CONFIDENCE_SOURCES)[number]
export const CACHE_TTL_MAX_S = 30 * 86_400

/** The rules of one policy version. */
const specFields = {
  /** metric minimums a candidate's latest eval scores must all meet */
  quality_bar: ZQualityBar,
  candidates: z
    .array(ZModelRef, { error: 'must be a list of {provider, model}' })
    .min(1, 'list at least one candidate model')
    .max(20, 'at most 20 candidates')
    .refine(distinctModels, 'each model at most once'),
  /** the only rule today: the cheapest candidate (cache-adjusted cost per call) whose evals clear the bar */
  selection: z.literal('cheapest_clearing', { error: 'must be cheapest_clearing' }),
  /** only eval results of this eval set count; null: the latest result of any set */
  eval_set: label().nullable(),
  /** escalation ladder, cheapest first: a reported confidence below the threshold moves the call one model up */
  cascade: z
    .strictObject({
      models: z
        .array(ZModelRef, { error: 'must be a list of {provider, model}' })
        .min(2, 'list at least two models, cheapest first')
        .max(6, 'at most 6 models')
        .refine(distinctModels, 'each model at most once'),
      confidence_threshold: z.number({ error: 'must be a number between 0 and 1' }).gt(0, 'must be > 0').lt(1, 'must be < 1'),
      /** where the gateway reads an answer's confidence: the caller's report (decide's `confidence`), a numeric JSON field of the answer, or exp(logprob of the first token) */
      confidence_from: z.enum(CONFIDENCE_SOURCES, { error: `must be one of: ${CONFIDENCE_SOURCES.join(', ')}` }).optional(),
      /** json_field: the field's path in the answer's JSON text, dots between keys (e.g. "confidence" or "meta.score") */
      confidence_field: z
        .string({ error: 'must be a string' })
        .trim()
        .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}(\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,7}$/, 'must be a field path like confidence or meta.score')
        .nullable()
        .optional(),
    })
    .superRefine((c, ctx) => {
      if (c.confidence_from === 'json_field' && !c.confidence_field)
        ctx.addIssue({ code: 'custom', path: ['confidence_field'], message: 'is required when confidence_from is json_field' })
    })
    .nullable(),
  /** the model for a call whose previous attempt failed at the provider (attempt > 1) */
  fallback: ZModelRef.nullable(),
  /** further models after `fallback`, tried in order on a provider 429, 5xx or timeout (the gateway; decide's attempt 3, 4 …) */
  fallbacks: z
    .array(ZModelRef, { error: 'must be a list of {provider, model}' })
    .max(5, 'at most 5 further fallbacks')
    .refine(distinctModels, 'each model at most once')
    .optional(),
  /** the gateway's output cap for the step: applied where a request sends no max_tokens or a larger one; null: none */
  max_tokens_cap: z
    .number({ error: 'must be a whole number of tokens' })
    .int('must be a whole number of tokens')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000')
    .nullable()
    .optional(),
  /** the gateway answers a repeated input (same input_hash, model and max_tokens) from its cache for this many seconds; null: no cache */
  cache_ttl_s: z
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(CACHE_TTL_MAX_S, `must be at most ${CACHE_TTL_MAX_S} (30 days)`)
    .nullable()
    .optional(),
  /** publish this version to a share of the traffic only; the rest stays on the stable version in force before, or, for a first policy, on the caller's default (the model each call asked for) */
  canary: z
    .strictObject({
      share_pct: z.number({ error: 'must be a percentage' }).gt(0, 'must be > 0').lt(100, 'must be < 100 (publish without a canary for all traffic)'),
      stable_by: z.enum(CANARY_KEYS, { error: `must be one of: ${CANARY_KEYS.join(', ')}` }),
    })
    .nullable(),
}

const DEFAULT_SPEC = { quality_bar: [], selection: 'cheapest_clearing' as const, eval_set: null, cascade: null, fallback: null, canary: null }

export const ZPolicySpec = z.strictObject(specFields)
export type TPolicySpec = z.infer<typeof ZPolicySpec>

/** A spec with defaults filled (what a draft is created from). */
export const ZPolicySpecInput = z.strictObject({
  ...specFields,
  quality_bar: specFields.quality_bar.default(DEFAULT_SPEC.quality_bar),
  selection: specFields.selection.default('cheapest_clearing'),
  eval_set: specFields.eval_set.default(null),
  cascade: specFields.cascade.default(null),
  fallback: specFields.fallback.default(null),
  canary: specFields.canary.default(null),
  fallbacks: z
    .array(ZModelRef, { error: 'must be a list of {provider, model}' })
    .max(5, 'at most 5 further fallbacks')
    .refine(distinctModels, 'each model at most once')
    .default([]),
  max_tokens_cap: specFields.max_tokens_cap.default(null),
  cache_ttl_s: specFields.cache_ttl_s.default(null),
})

const segment = {
  workflow_id: label(),
  step: label(),
  /** null or absent: every environment */
  environment: z
    .enum(ENVIRONMENTS, { error: `must be one of: ${ENVIRONMENTS.join(', ')}` })
    .nullable()
    .default(null),
  /** null or absent: every account; set: this account only (overrides the step's general policy) */
  account_id: label().nullable().default(null),
}

export const ZPolicyKey = z.strictObject(segment)
export type TPolicyKey = z.infer<typeof ZPolicyKey>

/** POST /api/v1/policies: a policy and its first draft. */
export const ZPolicyCreate = z.strictObject({ ...segment, ...ZPolicySpecInput.shape })
export type TPolicyCreate = z.infer<typeof ZPolicyCreate>

/** PATCH /api/v1/policies/:id: change fields of the draft (made from the published version when there is none). */
export const ZDraftPatch = z.strictObject(specFields).partial()
export type TDraftPatch = z.infer<typeof ZDraftPatch>

/** PATCH /api/v1/policies: the same, the policy named by its segment (policies as code need no ids). */
export const ZDraftPatchByKey = z
  .strictObject({ ...segment, ...specFields })
  .partial()
  .extend({ workflow_id: segment.workflow_id, step: segment.step })

const note = z
  .string({ error: 'is required: say what changed and why' })
  .trim()
  .min(3, 'must say what changed and why (3 characters or more)')
  .max(2000, 'must be at most 2000 characters')

export const ZPublish = z.strictObject({ note })
export const ZRollback = z.strictObject({ version: z.number({ error: 'must be a version number' }).int('must be a whole number').min(1, 'must be ≥ 1'), note })
export const ZWithdraw = z.strictObject({ note })
export const ZPolicyId = z.strictObject({ id: z.uuid({ error: 'must be a policy id (a UUID)' }) })
export const ZDiffQuery = z.strictObject({
  from: z.coerce.number({ error: 'must be a version number' }).int('must be a whole number').min(1, 'must be ≥ 1'),
  to: z.coerce.number({ error: 'must be a version number' }).int('must be a whole number').min(1, 'must be ≥ 1'),
})
export const ZSimulateQuery = z.strictObject({
  days: z.coerce
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1')
    .max(90, 'must be at most 90')
    .default(30),
  candidate: z
    .string()
    .trim()
    .regex(/^[^/\s]{1,100}\/\S{1,200}$/, 'write provider/model, e.g. openai/gpt-4o-mini')
    .optional()
    .meta({ description: 'a what-if: this model added to the candidates of the version simulated (nothing is saved)' }),
})
export const ZPolicyListQuery = z.strictObject({ workflow_id: label().optional(), step: label().optional() })

// ---------------------------------------------------------------- evals

const decimalUsd = z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
  const d = normalizeDecimal(v, 6)
  if (d === null || d.split('.')[0].length > 14) {
    ctx.addIssue({ code: 'custom', message: 'must be a USD amount ≥ 0 with at most 6 decimal places' })
    return z.NEVER
  }
  return d
})
const tokens = z.number({ error: 'must be a whole number of tokens' }).int('must be a whole number').min(0, 'must be ≥ 0').max(1e12, 'must be at most 1e12')

export const ZEvalImport = z
  .strictObject({
    eval_set: label(),
    workflow_id: label(),
    step: label(),
    provider: label(100),
    model: label(),
    /** metric → score in [0, 1] */
    scores: z
      .record(z.string().regex(METRIC_NAME, 'metric names are lower case letters, digits, _ . -'), share('a score'), {
        error: 'must be an object of metric → score',
      })
      .refine((s) => Object.keys(s).length >= 1, 'give at least one metric score')
      .refine((s) => Object.keys(s).length <= 50, 'at most 50 metrics'),
    sample_count: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be ≥ 1')
      .max(10_000_000, 'must be at most 10,000,000'),
    /** when the eval ran; default: now */
    run_at: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }).optional(),
    environment: z.enum(ENVIRONMENTS, { error: `must be one of: ${ENVIRONMENTS.join(', ')}` }).optional(),
    /** the eval run's token totals: recorded as eval traffic and priced like any event */
    tokens_in: tokens.optional(),
    cached_tokens_in: tokens.optional(),
    tokens_out: tokens.optional(),
    /** what the provider billed for the run, if known: stored beside the computed cost */
    cost_usd: decimalUsd.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.cached_tokens_in !== undefined && e.cached_tokens_in > (e.tokens_in ?? 0))
      ctx.addIssue({ code: 'custom', path: ['cached_tokens_in'], message: 'must be ≤ tokens_in' })
  })
export type TEvalImport = z.infer<typeof ZEvalImport>

export const MAX_EVALS_PER_REQUEST = 100
export const ZEvalsBody = z.strictObject({
  evals: z
    .array(ZEvalImport, { error: 'must be a list of eval results' })
    .min(1, 'give at least one eval result')
    .max(MAX_EVALS_PER_REQUEST, `at most ${MAX_EVALS_PER_REQUEST} per request`),
})
export type TEvalsBody = z.infer<typeof ZEvalsBody>
export const ZEvalListQuery = z.strictObject({ workflow_id: label(), step: label() })

// ---------------------------------------------------------------- defaults

/** PUT /api/v1/routing-defaults: the whole list; workflow_id null is the organization's default. */
export const ZRoutingDefaults = z.strictObject({
  defaults: z
    .array(z.strictObject({ workflow_id: label().nullable(), provider: label(100), model: label() }), {
      error: 'must be a list of {workflow_id, provider, model}',
    })
    .max(1000, 'at most 1000 defaults')
    .refine((xs) => new Set(xs.map((x) => x.workflow_id ?? '')).size === xs.length, 'each workflow at most once (null: the organization default)'),
})
export type TRoutingDefaults = z.infer<typeof ZRoutingDefaults>

// ---------------------------------------------------------------- answers
// What /api/v1/policies, /api/v1/evals and /api/v1/routing-defaults answer (the
// views of lib/routing/policies.ts, select.ts, simulate.ts and evals.ts are these types).

const ZModelName = z.object({ provider: z.string(), model: z.string() })

export const ZCallCost = z.object({
  cost_per_call_usd: ZUsd.nullable().meta({
    description: 'cache-adjusted cost of one call (6 places); null: unknown (no traffic and no price or token profile)',
  }),
  source: z
    .enum(['traffic', 'prices'])
    .nullable()
    .meta({ description: "traffic: measured on the step's calls to this model; prices: the model's price × the step's token profile" }),
  calls: z.number().int().meta({ description: "the step's calls to this model in the window" }),
})
export const ZCandidateEvidence = z.object({
  ...ZModelName.shape,
  ...ZCallCost.shape,
  scores: z
    .record(z.string(), z.object({ score: z.number(), sample_count: z.number().int(), eval_set: z.string(), run_at: ZInstant }).nullable())
    .meta({ description: 'metric → the score that counted (latest run of the eval set); null: none' }),
  clears: z.boolean(),
  shortfalls: z.array(z.string()).meta({ description: 'why it does not clear: "grounding 0.88 < 0.92", "format_ok: no eval result"' }),
})
export const ZSelection = z.object({ chosen: ZModelName.nullable(), reason: z.string(), candidates: z.array(ZCandidateEvidence) })
export const ZEvidence = ZSelection.extend({
  computed_at: ZInstant,
  model_costs: z
    .record(z.string(), ZCallCost)
    .optional()
    .meta({ description: 'cost per call of every model the version names (candidates, cascade, fallback), by "provider/model"' }),
})
export const ZSpecChange = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })

export const VERSION_STATUSES = ['draft', 'published'] as const
export const ZPolicyVersionView = z.object({
  version: z.number().int(),
  status: z.enum(VERSION_STATUSES),
  spec: ZPolicySpec,
  evidence: ZEvidence.nullable().meta({ description: 'the selection frozen when it was published; null for a draft' }),
  note: z.string().nullable(),
  author: z.string(),
  published_by: z.string().nullable(),
  base_version: z.number().int().nullable(),
  rolled_back_from: z.number().int().nullable(),
  created_at: ZInstant,
  published_at: ZInstant.nullable(),
  changes: z.array(ZSpecChange).meta({ description: 'what this version changed against the version before it (by number)' }),
})
export const ZPolicyView = z.object({
  id: ZUuid,
  workflow_id: z.string(),
  step: z.string(),
  environment: z.enum(ENVIRONMENTS).nullable(),
  account_id: z.string().nullable(),
  published_version: z.number().int().nullable(),
  draft_version: z.number().int().nullable(),
  published: z
    .object({
      version: z.number().int(),
      chosen: ZModelName.nullable(),
      reason: z.string().nullable(),
      note: z.string().nullable(),
      published_at: ZInstant.nullable(),
      published_by: z.string().nullable(),
      canary: ZPolicySpec.shape.canary,
      base_version: z.number().int().nullable(),
    })
    .nullable()
    .meta({ description: 'the version in force: its selected model and canary' }),
  created_at: ZInstant,
  updated_at: ZInstant,
})
export const ZPolicyDetail = ZPolicyView.extend({ versions: z.array(ZPolicyVersionView).meta({ description: 'newest first' }) })
export const ZPolicyAnswer = z.object({ policy: ZPolicyDetail })

export const ZDiffAnswer = z.object({
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(ZSpecChange),
  chosen: z.object({ from: ZModelName.nullable(), to: ZModelName.nullable() }),
})

export const ZSimulation = z.object({
  window: z.object({ from: ZInstant, to: ZInstant, days: z.number() }),
  calls: z.number().int(),
  chosen: z.string().nullable(),
  actual_cost_usd: ZUsd,
  estimated_cost_usd: ZUsd.nullable().meta({ description: "null when the chosen model (or the cascade's next one) has no cost per call" }),
  change_usd: ZUsd.nullable().meta({ description: 'estimated − the baseline (the version in force, else the actual cost)' }),
  change_ratio: z.number().nullable().meta({ description: 'change ÷ the baseline' }),
  per_month: z.object({ actual_usd: ZUsd, estimated_usd: ZUsd.nullable(), change_usd: ZUsd.nullable() }),
  baseline: z
    .object({
      kind: z.enum(['actual', 'version']),
      version: z.number().int().nullable(),
      cost_usd: ZUsd.nullable(),
      per_month_usd: ZUsd.nullable(),
    })
    .meta({
      description:
        'what the draft is compared with: "version" — the version in force replayed over the same calls (its canary split included); "actual" — the calls as they were (no version in force)',
    }),
  shares: z
    .array(
      z.object({
        model: z.string(),
        actual_calls: z.number(),
        actual_share: z.number(),
        baseline_calls: z.number(),
        baseline_share: z.number(),
        estimated_calls: z.number(),
        estimated_share: z.number(),
      }),
    )
    .meta({ description: 'calls per model: as they were, under the baseline, and as the draft would send them' }),
  shifted_share: z.number().meta({ description: "share of the window's calls that change model against the baseline" }),
  expected_escalations: z.number(),
  expected_escalations_per_month: z.number(),
  quality: z.object({ held: z.boolean(), metrics: z.array(z.object({ metric: z.string(), min: z.number(), score: z.number().nullable() })) }),
  canary_share: z.number().nullable(),
  headline: z.string(),
})
export const ZSimulateAnswer = z.object({ version: z.number().int(), status: z.enum(VERSION_STATUSES), evidence: ZEvidence, simulation: ZSimulation })

export const ZEvalView = z.object({
  id: ZUuid,
  eval_set: z.string(),
  workflow_id: z.string(),
  step: z.string(),
  provider: z.string(),
  model: z.string(),
  scores: z.record(z.string(), z.number()),
  sample_count: z.number().int(),
  cost_usd: ZUsd.nullable(),
  run_at: ZInstant,
  created_at: ZInstant,
})
export const ZEvalImportAnswer = z.object({
  imported: z.number().int(),
  ids: z.array(ZUuid),
  cost_events: z.object({
    accepted: z.number().int().meta({ description: 'inference events recorded for the runs’ token totals (traffic_source "eval")' }),
    rejected: z.array(z.object({ index: z.number().int(), errors: z.array(z.string()) })),
  }),
})
export const ZRoutingDefaultsAnswer = z.object({ defaults: z.array(z.object({ workflow_id: z.string().nullable(), provider: z.string(), model: z.string() })) })
