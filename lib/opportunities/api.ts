import { endpoint } from '@/lib/http/endpoint'
import { ZOpportunitiesAnswer, ZOpportunitiesQuery, ZOpportunityReviewAnswer, ZOpportunityReviewQuery } from '@/lib/opportunities/schema'

// Opportunities (PRODUCT.md "Opportunities"): an API key with "read", or any member.

export const opportunities = endpoint({
  method: 'GET',
  path: '/api/v1/opportunities',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: 'Where money could be saved, counted from the data, largest first',
  description:
    'Measured: response_cache (the calls of a workflow step that repeat an input_hash the step had already seen: their cost) and retries (the cost of calls whose outcome is retry or error). Estimated, each with its assumption: uncapped_output (output beyond the step p95 of calls without a cap), prompt_cache (long inputs rarely read from the cache, at the cached-input price), cheaper_model (the step calls re-priced at the cheapest model whose evals clear the policy bar) and gpu_rightsizing (the fleet right-sizing hints). Each with the saving over the range and per month, the evidence, the formula in one sentence and a link to act on it.',
  query: ZOpportunitiesQuery,
  responses: { 200: { description: 'The opportunities, largest saving first', schema: ZOpportunitiesAnswer } },
  example: { query: { from: '2026-11-01', to: '2026-12-01' } },
})

export const opportunityReview = endpoint({
  method: 'GET',
  path: '/api/v1/opportunities/review',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: 'The quarterly review: the opportunities of the range, which were acted on, and the saving measured since',
  description:
    'Every opportunity of GET /api/v1/opportunities over the range (default: the last 90 days); for each, the first version of a routing policy for its workflow step published since the range began (acted on), and the step cost per call measured in up to 30 days before and after that publication: the calls after at the cost per call before, less their cost, per month, against the estimate.',
  query: ZOpportunityReviewQuery,
  responses: { 200: { description: 'The review', schema: ZOpportunityReviewAnswer } },
  example: { query: { from: '2026-09-01', to: '2026-12-01' } },
})
