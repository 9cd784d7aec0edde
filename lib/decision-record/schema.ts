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
})
export type TModelOption = z.infer<typeof ZModelOption>

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
})
export type TDecisionRecord = z.infer<typeof ZDecisionRecord>
