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
  unpriced_calls: count.meta({ description: 'retry and error calls of a model without a price: counted, at $0' }),
  step_calls: count.meta({ description: 'every call of the step in the range' }),
  step_cost_usd: ZUsd,
  share_of_step_cost: z.number().nullable().meta({ description: 'savings_usd ÷ step_cost_usd' }),
})
export type TRetriesEvidence = z.infer<typeof ZRetriesEvidence>

export const ZOpportunityAction = z.object({
  label: z.string(),
  path: z.string().meta({ description: 'a page of the app, relative to the organization: /<org>/<path>' }),
})
export type TOpportunityAction = z.infer<typeof ZOpportunityAction>

const common = {
  id: z.string().meta({ description: 'stable: kind, workflow and step' }),
  workflow_id: z.string(),
  step: z.string(),
  model: z.string().optional(),
  savings_usd: ZUsd.meta({ description: 'what the range would have cost less' }),
  savings_usd_per_month: ZUsd.meta({ description: 'savings_usd × 30 ÷ days in the range' }),
  basis: z.enum(['measured', 'estimated']),
  explanation: z.string().meta({ description: 'how the money is counted, in one sentence' }),
  action: ZOpportunityAction.optional(),
}

export const ZOpportunity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('response_cache'), ...common, evidence: ZResponseCacheEvidence }),
  z.object({ kind: z.literal('retries'), ...common, evidence: ZRetriesEvidence }),
])
export type TOpportunity = z.infer<typeof ZOpportunity>

export const ZOpportunitiesAnswer = z.object({
  from: ZInstant,
  to: ZInstant,
  total_savings_usd: ZUsd.meta({ description: 'the opportunities’ savings, a call counted in two of them (a repeat that was also a retry or error) once' }),
  total_savings_usd_per_month: ZUsd,
  counted_twice_usd: ZUsd.meta({ description: 'cost of the repeats whose outcome is retry or error: in both kinds, left out of the total once' }),
  opportunities: z.array(ZOpportunity).meta({ description: 'largest saving first' }),
})
export type TOpportunitiesAnswer = z.infer<typeof ZOpportunitiesAnswer>
