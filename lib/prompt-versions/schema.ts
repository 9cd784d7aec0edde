import { z } from 'zod'
import { ZInstant, ZUsd } from '@/lib/api/wire'
import { checkRange, METRICS_QUERY_FIELDS } from '@/lib/metrics/schema'

// GET /api/v1/prompt-versions (PRODUCT.md: the event field `prompt_version`): a workflow's spend, tokens per call and
// cost per run by step and prompt version, so "did the new prompt raise output tokens?" is answered by version.

export const ZPromptVersionsQuery = z
  .strictObject({
    workflow_id: z.string().trim().min(1, 'must not be empty').max(200, 'is at most 200 characters'),
    from: METRICS_QUERY_FIELDS.from,
    to: METRICS_QUERY_FIELDS.to,
    environment: METRICS_QUERY_FIELDS.environment,
    traffic_source: METRICS_QUERY_FIELDS.traffic_source,
  })
  .superRefine(checkRange)
export type TPromptVersionsQuery = z.infer<typeof ZPromptVersionsQuery>

const count = z.number().int()

export const ZPromptVersionRow = z.object({
  step: z.string(),
  prompt_version: z.string(),
  first_seen: ZInstant.meta({ description: 'the start of the first day (or, at the range edges, hour) with calls of this version in the range' }),
  last_seen: ZInstant.meta({ description: 'the start of the last day (or hour) with calls of this version in the range' }),
  calls: count,
  runs: count.meta({ description: 'runs whose calls of this step carried this version (each counted in the hour of its first such call)' }),
  tokens_in: count,
  cached_tokens_in: count,
  tokens_out: count,
  unpriced_events: count,
  cost_usd: ZUsd,
  tokens_in_per_call: z.number().nullable(),
  tokens_out_per_call: z.number().nullable(),
  cached_share: z.number().nullable().meta({ description: 'cached_tokens_in ÷ tokens_in' }),
  cost_per_call_usd: ZUsd.nullable(),
  cost_per_run_usd: ZUsd.nullable().meta({ description: 'cost_usd ÷ runs: what this step costs per run under this version' }),
})
export type TPromptVersionRow = z.infer<typeof ZPromptVersionRow>

export const ZPromptVersionsAnswer = z.object({
  from: ZInstant,
  to: ZInstant,
  workflow_id: z.string(),
  rows: z.array(ZPromptVersionRow).meta({ description: 'per step (by name) and version (first seen first); only calls that carry a prompt_version' }),
})
export type TPromptVersionsAnswer = z.infer<typeof ZPromptVersionsAnswer>
