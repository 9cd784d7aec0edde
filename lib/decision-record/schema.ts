import { z } from 'zod'
import { ZInstant, ZUsd } from '@/lib/api/wire'

// GET /api/v1/decision-record: the query and the answer (client-safe).

const one = (name: string) => z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(200, `${name} is at most 200 characters`)

export const ZDecisionRecordQuery = z.strictObject({
  workflow_id: one('workflow_id'),
  step: one('step'),
  from: z.string().optional().meta({ description: 'as GET /api/v1/metrics: ISO-8601; default the last 30 days' }),
  to: z.string().optional(),
  environment: z.string().optional().meta({ description: 'comma list, as GET /api/v1/metrics' }),
  traffic_source: z.string().optional().meta({ description: 'comma list, as GET /api/v1/metrics' }),
  format: z.enum(['json', 'markdown'], { error: 'must be json or markdown' }).default('json'),
})
export type TDecisionRecordQuery = z.infer<typeof ZDecisionRecordQuery>

/** A model's latest eval results on the step, one entry per eval set (the scenario the eval stands for). */
export const ZOptionEval = z.object({
  eval_set: z.string(),
  scores: z.record(z.string(), z.number()).meta({ description: 'the latest score per metric (pass rates and other scores, 0–1 as imported)' }),
  sample_count: z.number().int(),
  run_at: ZInstant.meta({ description: 'the latest run of the set' }),
})
export type TOptionEval = z.infer<typeof ZOptionEval>

export const ZModelOption = z.object({
  model: z.string(),
  calls: z.number().int(),
  share_of_calls: z.number(),
  tokens_in_per_call: z.number().nullable(),
  tokens_out_per_call: z.number().nullable(),
  raw_cost_usd: ZUsd.meta({ description: 'what the calls would have cost without prompt-cache discounts' }),
  cost_usd: ZUsd.meta({ description: 'what they cost: cache reads and writes priced as such' }),
  raw_cost_per_call_usd: ZUsd.nullable(),
  cost_per_call_usd: ZUsd.nullable(),
  cache_hit_rate: z.number().nullable(),
  retry_rate: z.number().meta({ description: 'retry + error calls ÷ calls' }),
  latency_p50_ms: z.number().nullable(),
  latency_p95_ms: z.number().nullable(),
  evals: z.array(ZOptionEval).meta({ description: 'the model’s latest eval results on the step, per eval set; empty without any' }),
})
export type TModelOption = z.infer<typeof ZModelOption>

export const ZEvalCandidate = z.object({
  model: z.string().meta({ description: 'provider/model, as the options name it' }),
  provider: z.string(),
  evals: z.array(ZOptionEval),
  priced: z
    .object({
      raw_cost_per_call_usd: ZUsd.meta({ description: 'the step’s average call at the model’s uncached input price' }),
      cost_per_call_usd: ZUsd.meta({ description: 'the step’s average call with its cached input and cache writes priced as such' }),
      cost_usd: ZUsd.meta({ description: 'the step’s calls of the period (all their tokens) at the model’s prices, cache-adjusted' }),
      price_effective_from: ZInstant.nullable(),
    })
    .nullable()
    .meta({ description: 'null when unpriced' }),
  unpriced: z.boolean().meta({ description: 'the price book has no price for the model, or the step has no calls to take a token profile from' }),
})
export type TEvalCandidate = z.infer<typeof ZEvalCandidate>

export const ZDecisionRecord = z.object({
  workflow_id: z.string(),
  step: z.string(),
  period: z.object({ from: ZInstant, to: ZInstant }),
  scenarios: z.array(z.string()).meta({ description: 'scenario_id values on the step’s recent events, most recent first' }),
  scenario: z
    .object({
      scenario_id: z.string().nullable().meta({ description: 'null: most calls carry no scenario_id' }),
      calls: z.number().int(),
      share: z.number().meta({ description: 'of the calls counted' }),
      counted_calls: z.number().int().meta({ description: "the step's latest calls of the period that were counted (at most 20,000)" }),
    })
    .nullable()
    .meta({ description: "the step's majority scenario: the scenario_id with the most calls (calls without one count together); null without calls" }),
  scenario_counts: z
    .array(z.object({ scenario_id: z.string().nullable(), calls: z.number().int() }))
    .meta({ description: 'calls per scenario_id among the calls counted, most first (at most 10); null: not set' }),
  owners: z.array(z.string()),
  calls: z.number().int(),
  runs: z.number().int().meta({ description: "the workflow's runs in the period" }),
  calls_per_run: z.number().nullable(),
  raw_cost_usd: ZUsd,
  cost_usd: ZUsd,
  cache_savings_usd: ZUsd,
  retry_rate: z.number(),
  latency_p50_ms: z.number().nullable(),
  latency_p95_ms: z.number().nullable(),
  options: z.array(ZModelOption),
  cheapest: z.string().nullable().meta({ description: 'the option with the lowest cache-adjusted cost per call among those with at least 30 calls' }),
  outcomes: z.number().int().meta({ description: 'reported outcomes of the workflow (outcomes are per workflow, not per step)' }),
  accepted_outcomes: z.number().int(),
  quality_pass_rate: z.number().nullable().meta({ description: 'accepted ÷ reported outcomes; null without outcomes' }),
  accepted_outcome_rate: z.number().nullable().meta({ description: 'accepted outcomes ÷ runs; null without runs or without reported outcomes' }),
  candidates: z.array(ZEvalCandidate).meta({
    description:
      'models with eval results for the step that served none of its calls in the period: each priced with the step’s token profile from the organization’s price book (its own prices first)',
  }),
})
export type TDecisionRecord = z.infer<typeof ZDecisionRecord>

// POST/GET /api/v1/decision-record/decisions: a record saved as a dated decision.

export const ZDecisionCreate = z.strictObject({
  workflow_id: one('workflow_id'),
  step: one('step'),
  chosen_model: one('chosen_model').meta({ description: 'provider/model: one of the record’s options or eval candidates' }),
  note: z.string({ error: 'must be a string' }).trim().max(2000, 'is at most 2,000 characters').default(''),
  from: z.string().optional().meta({ description: 'the record’s period, as GET /api/v1/decision-record' }),
  to: z.string().optional(),
  environment: z.string().optional(),
  traffic_source: z.string().optional(),
})
export type TDecisionCreate = z.infer<typeof ZDecisionCreate>

export const ZDecisionListQuery = z.strictObject({ workflow_id: one('workflow_id'), step: one('step') })

export const ZDecision = z.object({
  id: z.uuid(),
  workflow_id: z.string(),
  step: z.string(),
  chosen_model: z.string(),
  note: z.string(),
  decided_at: ZInstant,
  decided_by: z.object({
    user_id: z.uuid().nullable().meta({ description: 'null when an API key saved it' }),
    name: z.string().meta({ description: 'the member’s name (or email), or the API key’s name' }),
  }),
  period: z.object({ from: ZInstant, to: ZInstant }),
  figures: z
    .object({
      calls: z.number().int(),
      cost_usd: ZUsd,
      chosen_cost_per_call_usd: ZUsd.nullable().meta({
        description: 'the chosen model’s cache-adjusted cost per call that day (measured, or priced when eval only)',
      }),
      chosen_served: z.boolean().meta({ description: 'the chosen model served the step in the period (false: an eval candidate)' }),
      quality_pass_rate: z.number().nullable(),
    })
    .meta({ description: 'key figures of the record at the time' }),
  record: ZDecisionRecord.meta({ description: 'the decision record as it was answered when the decision was saved' }),
})
export type TDecision = z.infer<typeof ZDecision>
export const ZDecisionList = z.object({ decisions: z.array(ZDecision) })
