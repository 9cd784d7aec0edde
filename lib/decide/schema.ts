import { z } from 'zod'
import { ZEnvironment, ZTrafficSource } from '@/lib/domain'
import { storableString } from '@/lib/validation'

// POST /api/v1/decide (PRODUCT.md "Routing and budgets at run time"): the
// contract's fields, plus run_id (keeps a canary stable for a run) and
// traffic_source (production unless told: budgets count production by default).

const label = (max = 256) => storableString(z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(max, `must be at most ${max} characters`))

export const ZDecideRequest = z.strictObject({
  workflow_id: label(),
  step: label(),
  environment: ZEnvironment.optional(),
  account_id: label().optional(),
  feature: label().optional(),
  confidence: z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be ≥ 0').max(1, 'must be ≤ 1').optional(),
  attempt: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be ≥ 1').max(10_000, 'must be ≤ 10000').optional(),
  run_id: label().optional(),
  traffic_source: ZTrafficSource.optional(),
})
export type TDecideRequest = z.infer<typeof ZDecideRequest>

export const ZBudgetVerdict = z.object({
  state: z.enum(['ok', 'warning', 'exceeded']),
  action: z.enum(['allow', 'throttle', 'deny']),
  retry_after_s: z.number().int().optional(),
  budget_id: z.string().optional(),
  budget_name: z.string().optional(),
})

export const ZDecideAnswer = z.object({
  provider: z.string().nullable(),
  model: z.string().nullable(),
  policy_id: z.string().nullable(),
  policy_version: z.number().int().nullable(),
  reason: z.string(),
  budget: ZBudgetVerdict,
})
export type TDecideAnswer = z.infer<typeof ZDecideAnswer>

/** The 404 `no_policy` answer: the Error shape with the same fields as a 200 (the default model, the budget verdict), so the caller keeps working. */
export const ZNoPolicyAnswer = ZDecideAnswer.extend({
  error: z.object({ code: z.literal('no_policy'), message: z.string().meta({ description: 'what went wrong, for a person' }) }),
})
export type TNoPolicyAnswer = z.infer<typeof ZNoPolicyAnswer>
