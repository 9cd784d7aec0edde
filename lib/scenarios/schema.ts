import { z } from 'zod'
import { normalizeDecimal } from '@/lib/cost/money'
import { ZInstant, ZUsd, ZUuid } from '@/lib/api/wire'

// /api/v1/scenarios queries, bodies and answers (client-safe). A scenario is a
// scenario_id, or the workflow when the calls carry none; its cost per month is
// made of parts (lib/gpu/scenario-cost.ts computes them, lib/gpu/scenarios.ts reads them).

export const SCENARIO_PARTS = [
  'production_inference',
  'eval_benchmark',
  'internal_traffic',
  'production_capacity',
  'non_production_capacity',
  'reserve',
  'engineering',
  'operations',
] as const
export type TScenarioPart = (typeof SCENARIO_PARTS)[number]
export const LINE_ITEM_CATEGORIES = ['engineering', 'operations'] as const
export const ALLOCATION_RULES = ['gpu_seconds', 'share', 'even'] as const

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-11')

export const ZScenarioCostQuery = z.strictObject({ month: month.optional().meta({ description: 'YYYY-MM; the current month (to now) by default' }) })

export const ZLineItemCreate = z.strictObject({
  scenario: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  month,
  category: z.enum(LINE_ITEM_CATEGORIES, { error: 'must be engineering or operations' }),
  amount_usd: z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
    const d = normalizeDecimal(v, 6)
    if (d === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative amount with at most 6 decimal places' })
      return z.NEVER
    }
    return d
  }),
  note: z.string().trim().min(1, 'must say what the amount is (e.g. "on-call rotation, 0.5 FTE")').max(500, 'must be at most 500 characters'),
})
export type TLineItemCreate = z.infer<typeof ZLineItemCreate>

export const ZLineItemId = z.strictObject({ id: z.uuid({ error: 'must be a line item id (a UUID)' }) })

// Answers.

export const ZLineItem = z.object({
  id: ZUuid,
  scenario: z.string(),
  month: z.string().meta({ description: 'YYYY-MM' }),
  category: z.enum(LINE_ITEM_CATEGORIES),
  amount_usd: ZUsd,
  note: z.string(),
  created_at: ZInstant,
})
export type TLineItem = z.infer<typeof ZLineItem>

export const ZScenarioMonth = z.object({
  scenario: z.string(),
  parts: z.record(z.enum(SCENARIO_PARTS), ZUsd).meta({ description: 'the cost by part, each rounded once to the micro-dollar' }),
  total_usd: ZUsd.meta({ description: 'the sum of the parts as shown' }),
  accepted_outcomes: z.number().int(),
  cost_per_accepted_outcome_usd: ZUsd.nullable(),
})
export type TScenarioMonth = z.infer<typeof ZScenarioMonth>

export const ZPoolAllocation = z.object({
  pool: z.string(),
  role: z.string(),
  rule: z.enum(ALLOCATION_RULES),
  cost_usd: ZUsd.meta({ description: "the pool's cost in the month" }),
  used_by_calls_usd: ZUsd.meta({ description: 'what the calls routed to it already carry' }),
  allocated_usd: ZUsd.meta({ description: 'the rest, allocated to the scenarios it serves' }),
  part: z.enum(SCENARIO_PARTS),
  allocation: z.array(z.object({ scenario: z.string(), usd: ZUsd, weight: z.number() })),
  note: z.string().nullable(),
})
export type TPoolAllocation = z.infer<typeof ZPoolAllocation>

export const ZScenarioCostMonth = z.object({ month: z.string(), scenarios: z.array(ZScenarioMonth), pools: z.array(ZPoolAllocation), total_usd: ZUsd })
export type TScenarioCostMonth = z.infer<typeof ZScenarioCostMonth>

export const ZScenarioCostAnswer = ZScenarioCostMonth.extend({
  from: ZInstant,
  to: ZInstant.meta({ description: "the month's end, or now for the running month" }),
  months: z.array(z.string()).meta({ description: 'the last six months, newest first (for a month picker)' }),
  line_items: z.array(ZLineItem),
})
export type TScenarioCostAnswer = z.infer<typeof ZScenarioCostAnswer>
