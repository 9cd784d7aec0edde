import { z } from 'zod'
import { ZInstant, ZUsd } from '@/lib/api/wire'
import { checkRange, METRICS_QUERY_FIELDS } from '@/lib/metrics/schema'

// GET /api/v1/opportunities (PRODUCT.md "Opportunities"): the query and the answer (client-safe).

export const OPPORTUNITY_KINDS = ['response_cache', 'retries', 'uncapped_output', 'prompt_cache', 'cheaper_model', 'gpu_rightsizing'] as const
export const ZOpportunityKind = z.enum(OPPORTUNITY_KINDS)
export type TOpportunityKind = z.infer<typeof ZOpportunityKind>

export const ZOpportunitiesQuery = z
  .strictObject({
    from: METRICS_QUERY_FIELDS.from,
    to: METRICS_QUERY_FIELDS.to,
    workflow_id: z.string().trim().min(1, 'must not be empty').max(200, 'is at most 200 characters').optional(),
  })
  .superRefine(checkRange)
export type TOpportunitiesQuery = z.infer<typeof ZOpportunitiesQuery>

const count = z.number().int()

export const ZResponseCacheEvidence = z.object({
  repeat_calls: count.meta({ description: 'calls whose input_hash equals that of an earlier call of the same step' }),
  distinct_inputs: count.meta({ description: 'distinct input_hash values whose first call falls in the range' }),
  hashed_calls: count.meta({ description: 'calls of the step in the range that carry an input_hash (first calls + repeats)' }),
  unpriced_repeats: count.meta({ description: 'repeats of a model without a price: counted, at $0' }),
  output_compared: count.meta({ description: 'repeats where both the repeat and the first call carry an output_hash' }),
  output_matched: count.meta({ description: 'of those, the repeats whose output_hash equals the first call’s' }),
  deterministic_share: z.number().nullable().meta({ description: 'output_matched ÷ output_compared; null without output hashes' }),
})
export type TResponseCacheEvidence = z.infer<typeof ZResponseCacheEvidence>

export const ZRetriesEvidence = z.object({
  retry_calls: count,
  error_calls: count,
  retry_cost_usd: ZUsd,
  error_cost_usd: ZUsd,
  rerun_calls: count.meta({
    description:
      'calls (outcome neither retry nor error) that re-ran the step after a call of it had succeeded in the same run_id, at most 24 hours earlier: a run restarted from the top',
  }),
  rerun_cost_usd: ZUsd,
  unpriced_calls: count.meta({ description: 'retry, error and re-run calls of a model without a price: counted, at $0' }),
  step_calls: count.meta({ description: 'every call of the step in the range' }),
  step_cost_usd: ZUsd,
  share_of_step_cost: z.number().nullable().meta({ description: 'savings_usd ÷ step_cost_usd' }),
})
export type TRetriesEvidence = z.infer<typeof ZRetriesEvidence>

export const ZUncappedOutputEvidence = z.object({
  calls: count.meta({ description: 'calls of the step in the range (all models)' }),
  no_cap_calls: count.meta({ description: 'calls that sent no max_tokens' }),
  uncapped_calls: count.meta({ description: 'calls with no max_tokens or a cap above 4 × the step’s p95 output' }),
  over_p95_calls: count.meta({ description: 'uncapped calls whose output exceeded the p95' }),
  p50_tokens_out: count,
  p95_tokens_out: count.meta({ description: 'the cap the estimate assumes' }),
  p99_tokens_out: count,
  max_tokens_out: count,
  tail_ratio: z.number().nullable().meta({ description: 'p99 ÷ p50 of the output tokens per call (a long tail when ≫ 1); null when p50 is 0' }),
  excess_tokens_out: count.meta({ description: 'output tokens of the uncapped calls above the p95: what a cap at the p95 would not have paid for' }),
  unpriced_calls: count.meta({ description: 'uncapped calls over the p95 of a model without a price: counted, at $0' }),
})
export type TUncappedOutputEvidence = z.infer<typeof ZUncappedOutputEvidence>

export const ZPromptCacheEvidence = z.object({
  calls: count,
  tokens_in_per_call: count,
  cached_share: z.number().meta({ description: 'cached_tokens_in ÷ tokens_in over the range' }),
  previous_cached_share: z.number().nullable().meta({ description: 'the same over the period of the same length before the range; null without calls then' }),
  target_cached_share: z.number().meta({ description: 'the cached share the estimate assumes' }),
  input_per_mtok: z.string().meta({ description: 'the model’s input price, USD per million tokens (price book, end of the range)' }),
  cached_input_per_mtok: z.string().meta({ description: 'its cached-input price' }),
  daily: z
    .array(z.object({ day: z.string(), cached_share: z.number().nullable() }))
    .meta({ description: 'the cached share per UTC day over the range’s last 30 days at most (the trend)' }),
})
export type TPromptCacheEvidence = z.infer<typeof ZPromptCacheEvidence>

export const ZCheaperModelEvidence = z.object({
  calls: count.meta({ description: 'production calls of the step in the range (the simulation’s replay)' }),
  current_models: z.array(z.object({ model: z.string(), calls: count })).meta({ description: 'the models that served those calls' }),
  candidate: z.string().meta({ description: 'provider/model: the cheapest model whose latest eval scores clear the bar' }),
  candidate_cost_per_call_usd: ZUsd,
  cost_source: z.enum(['traffic', 'prices']).meta({ description: 'measured on the step’s traffic (30+ calls) or price × the step’s average call' }),
  quality_bar: z.array(z.object({ metric: z.string(), min: z.number(), score: z.number().nullable() })),
  policy_id: z.string(),
  actual_cost_usd: ZUsd,
  estimated_cost_usd: ZUsd,
})
export type TCheaperModelEvidence = z.infer<typeof ZCheaperModelEvidence>

export const ZGpuRightsizingEvidence = z.object({
  pool: z.string(),
  role: z.string(),
  gpu_count: count,
  needed_gpus: count,
  release_gpus: count,
  avg_utilization: z.number(),
  p95_utilization: z.number(),
  headroom: z.number(),
  window_days: count,
  hours_measured: count,
  daily_utilization: z
    .array(z.object({ day: z.string(), utilization: z.number().nullable() }))
    .meta({ description: 'the pool’s daily mean utilization (0–1), the fleet page’s chart' }),
})
export type TGpuRightsizingEvidence = z.infer<typeof ZGpuRightsizingEvidence>

export const ZOpportunityAction = z.object({
  label: z.string(),
  path: z.string().meta({ description: 'a page of the app, relative to the organization: /<org>/<path>' }),
})
export type TOpportunityAction = z.infer<typeof ZOpportunityAction>

const common = {
  id: z.string().meta({ description: 'stable: kind, workflow and step (gpu_rightsizing: kind and pool)' }),
  workflow_id: z.string().meta({ description: 'empty for gpu_rightsizing (a pool, not a step)' }),
  step: z.string(),
  model: z.string().optional(),
  savings_usd: ZUsd.meta({ description: 'what the range would have cost less' }),
  savings_usd_per_month: ZUsd.meta({ description: 'savings_usd × 30 ÷ days in the range' }),
  basis: z.enum(['measured', 'estimated']),
  explanation: z.string().meta({ description: 'how the money is counted, in one sentence' }),
  action: ZOpportunityAction.optional(),
  assumption: z.string().optional().meta({ description: 'estimated kinds: what the estimate assumes, in one sentence' }),
}

export const ZOpportunity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('response_cache'), ...common, evidence: ZResponseCacheEvidence }),
  z.object({ kind: z.literal('retries'), ...common, evidence: ZRetriesEvidence }),
  z.object({ kind: z.literal('uncapped_output'), ...common, evidence: ZUncappedOutputEvidence }),
  z.object({ kind: z.literal('prompt_cache'), ...common, evidence: ZPromptCacheEvidence }),
  z.object({ kind: z.literal('cheaper_model'), ...common, evidence: ZCheaperModelEvidence }),
  z.object({ kind: z.literal('gpu_rightsizing'), ...common, evidence: ZGpuRightsizingEvidence }),
])
export type TOpportunity = z.infer<typeof ZOpportunity>

export const ZOpportunitiesAnswer = z.object({
  from: ZInstant,
  to: ZInstant,
  total_savings_usd: ZUsd.meta({ description: 'the opportunities’ savings, a call counted in two of them (a repeat that was also a retry or error) once' }),
  total_savings_usd_per_month: ZUsd.meta({ description: 'the opportunities’ savings_usd_per_month summed, counted_twice_usd per month left out once' }),
  counted_twice_usd: ZUsd.meta({
    description: 'cost of the repeats whose outcome is retry or error or that re-ran a step (in both response_cache and retries), left out of the total once',
  }),
  opportunities: z.array(ZOpportunity).meta({ description: 'largest saving first' }),
})
export type TOpportunitiesAnswer = z.infer<typeof ZOpportunitiesAnswer>

// ---------------------------------------------------------------- the quarterly review

/** GET /api/v1/opportunities/review: the review range (default: the last 90 days, a quarter). */
export const ZOpportunityReviewQuery = ZOpportunitiesQuery
export type TOpportunityReviewQuery = TOpportunitiesQuery

/** How long before and after a publication the step's cost per call is measured (at most). */
export const REVIEW_WINDOW_DAYS = 30

export const ZReviewMeasure = z.object({
  before_from: ZInstant,
  before_to: ZInstant.meta({ description: 'the hour of the publication: calls before it' }),
  after_from: ZInstant.meta({ description: 'the hour after the publication' }),
  after_to: ZInstant,
  calls_before: count,
  cost_before_usd: ZUsd,
  cost_per_call_before_usd: ZUsd.nullable(),
  calls_after: count,
  cost_after_usd: ZUsd,
  cost_per_call_after_usd: ZUsd.nullable(),
  saving_usd: ZUsd.nullable().meta({
    description:
      'the calls after at the cost per call before, less their cost: cost_before × calls_after ÷ calls_before − cost_after; null without calls on either side',
  }),
  saving_usd_per_month: ZUsd.nullable().meta({ description: 'saving_usd × 30 days ÷ the days after the publication measured' }),
  share_of_estimate: z.number().nullable().meta({ description: 'saving_usd_per_month ÷ the opportunity’s savings_usd_per_month' }),
})
export type TReviewMeasure = z.infer<typeof ZReviewMeasure>

export const ZReviewItem = z.object({
  opportunity: ZOpportunity,
  acted_on: z
    .object({
      policy_id: z.string(),
      version: count,
      published_at: ZInstant,
      published_by: z.string().nullable(),
      note: z.string().nullable(),
    })
    .nullable()
    .meta({ description: 'the first version of a routing policy for the step published since the review range began; null: not acted on' }),
  measured: ZReviewMeasure.nullable().meta({
    description: 'the step’s cost per call before and after that publication; null when not acted on (or nothing to measure yet)',
  }),
})
export type TReviewItem = z.infer<typeof ZReviewItem>

export const ZOpportunityReviewAnswer = z.object({
  from: ZInstant,
  to: ZInstant,
  estimated_usd_per_month: ZUsd.meta({ description: 'every opportunity of the range, per month (total_savings_usd_per_month of GET /api/v1/opportunities)' }),
  acted_on: count.meta({ description: 'opportunities whose step had a policy published since' }),
  acted_on_estimated_usd_per_month: ZUsd.meta({ description: 'their estimates summed' }),
  measured_usd_per_month: ZUsd.meta({ description: 'the measured savings per month, each acted-on step counted once' }),
  items: z.array(ZReviewItem).meta({ description: 'acted on first (latest publication first), then the rest, largest saving first' }),
})
export type TOpportunityReviewAnswer = z.infer<typeof ZOpportunityReviewAnswer>
