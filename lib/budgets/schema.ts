import { ENVIRONMENTS, TRAFFIC_SOURCES } from '@/lib/domain'
import { z } from 'zod'
import { normalizeDecimal } from '@/lib/cost/money'
import { BUDGET_METRICS, BUDGET_PERIODS, BUDGET_STATES, CUTOFF_ACTIONS } from '@/lib/budgets/evaluate'
import { BURN_GRANULARITIES } from '@/lib/budgets/burn-down'
import { ZInstant, ZUsd, ZUuid } from '@/lib/api/wire'

// /api/v1/budgets bodies and answers. A budget's scope is any of environment, workflow,
// account and feature (absent or null: all of them), counting the listed
// traffic sources (production only unless told otherwise).

const name = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters')
const dim = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').nullable()

const amount = z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
  const d = normalizeDecimal(v, 6)
  // numeric(20,6): at most 14 digits before the point.
  if (d === null || !/[1-9]/.test(d) || d.split('.')[0].length > 14) {
    ctx.addIssue({ code: 'custom', message: 'must be a positive USD amount with at most 6 decimal places, e.g. 250 or 0.05' })
    return z.NEVER
  }
  return d
})

const fields = {
  name,
  environment: z.enum(ENVIRONMENTS, { error: `must be one of: ${ENVIRONMENTS.join(', ')}` }).nullable(),
  workflow_id: dim,
  account_id: dim,
  feature: dim,
  traffic_sources: z
    .array(z.enum(TRAFFIC_SOURCES, { error: `must be one of: ${TRAFFIC_SOURCES.join(', ')}` }), { error: 'must be a list of traffic sources' })
    .min(1, 'list at least one traffic source')
    .refine((xs) => new Set(xs).size === xs.length, 'each traffic source at most once'),
  period: z.enum(BUDGET_PERIODS, { error: `must be one of: ${BUDGET_PERIODS.join(', ')}` }),
  rolling_days: z
    .number({ error: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1')
    .max(366, 'must be at most 366')
    .nullable(),
  metric: z.enum(BUDGET_METRICS, { error: `must be one of: ${BUDGET_METRICS.join(', ')}` }),
  amount_usd: amount,
  thresholds: z
    .array(z.number({ error: 'must be numbers' }).int('must be whole percents').min(1, 'must be at least 1').max(1000, 'must be at most 1000'), {
      error: 'must be a list of percents',
    })
    .min(1, 'list at least one threshold')
    .max(10, 'at most 10 thresholds')
    .refine((xs) => new Set(xs).size === xs.length, 'each threshold at most once'),
  hard_cutoff: z.boolean({ error: 'must be true or false' }),
  cutoff_action: z.enum(CUTOFF_ACTIONS, { error: `must be one of: ${CUTOFF_ACTIONS.join(', ')}` }),
  throttle_per_minute: z
    .number({ error: 'must be a whole number of calls per minute' })
    .int('must be a whole number of calls per minute')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000'),
  /** the gateway stops a run (its run_id) whose spend passes this amount; null: no fixed cap */
  run_cap_usd: amount.nullable(),
  /** the gateway stops a run whose spend passes this multiple of its workflow's p95 cost per run (last 7 days); null: none */
  run_cap_p95_multiple: z
    .number({ error: 'must be a number, e.g. 3 (three times the p95)' })
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .nullable(),
  /** percent of the amount past which the gateway sends the steps it covers to their cheapest model clearing the bar (before any cutoff); null: no brown-out */
  brownout_pct: z
    .number({ error: 'must be a whole percent' })
    .int('must be a whole percent')
    .min(1, 'must be at least 1')
    .max(99, 'must be below 100 (the cutoff acts at 100)')
    .nullable(),
  owner: z.string({ error: 'must be a string' }).trim().max(200, 'must be at most 200 characters').nullable(),
  /** notification channels its alerts go to (GET /api/v1/channels); empty: the organization's default channels */
  channel_ids: z
    .array(z.uuid({ error: 'must be channel ids (UUIDs)' }), { error: 'must be a list of channel ids' })
    .max(20, 'at most 20 channels')
    .refine((xs) => new Set(xs).size === xs.length, 'each channel at most once'),
}

/** rolling needs rolling_days; day and month take none. A hard cutoff acts on spend: the calls themselves. */
function periodRule(
  b: { period?: string; rolling_days?: number | null; metric?: string; hard_cutoff?: boolean; brownout_pct?: number | null },
  ctx: z.RefinementCtx,
) {
  if (b.brownout_pct != null && b.metric && b.metric !== 'spend')
    ctx.addIssue({ code: 'custom', path: ['brownout_pct'], message: 'applies only to spend budgets' })
  if (b.period === 'rolling' && !b.rolling_days) ctx.addIssue({ code: 'custom', path: ['rolling_days'], message: 'is required when period is rolling' })
  if (b.period && b.period !== 'rolling' && b.rolling_days)
    ctx.addIssue({ code: 'custom', path: ['rolling_days'], message: 'applies only when period is rolling' })
  if (b.hard_cutoff && b.metric && b.metric !== 'spend') {
    ctx.addIssue({
      code: 'custom',
      path: ['hard_cutoff'],
      message: 'applies only to spend budgets (a cost per run or per outcome is not stopped by refusing calls)',
    })
  }
}

export const ZBudgetCreate = z
  .strictObject({
    ...fields,
    environment: fields.environment.default(null),
    workflow_id: fields.workflow_id.default(null),
    account_id: fields.account_id.default(null),
    feature: fields.feature.default(null),
    traffic_sources: fields.traffic_sources.default(['production']),
    rolling_days: fields.rolling_days.default(null),
    thresholds: fields.thresholds.default([50, 80, 100]),
    hard_cutoff: fields.hard_cutoff.default(false),
    cutoff_action: fields.cutoff_action.default('throttle'),
    throttle_per_minute: fields.throttle_per_minute.default(60),
    owner: fields.owner.default(null),
    run_cap_usd: fields.run_cap_usd.default(null),
    run_cap_p95_multiple: fields.run_cap_p95_multiple.default(null),
    brownout_pct: fields.brownout_pct.default(null),
    channel_ids: fields.channel_ids.default([]),
  })
  .superRefine(periodRule)
export type TBudgetCreate = z.infer<typeof ZBudgetCreate>

export const ZBudgetPatch = z.strictObject(fields).partial()
export type TBudgetPatch = z.infer<typeof ZBudgetPatch>

export const ZBudgetId = z.strictObject({ id: z.uuid({ error: 'must be a budget id (a UUID)' }) })

// Answers.

export const ZBudgetStatus = z.object({
  window: z.object({ from: ZInstant, to: ZInstant, end: ZInstant }),
  actual_usd: ZUsd.nullable().meta({ description: 'what is compared with the amount: spend, or cost per run / per accepted outcome' }),
  used_ratio: z.number().nullable().meta({ description: 'actual ÷ amount (6 decimals, truncated); null without an actual' }),
  threshold_crossed: z.number().int().nullable().meta({ description: 'the highest threshold (percent) reached' }),
  state: z.enum(BUDGET_STATES),
  projected_usd: ZUsd.nullable().meta({ description: 'spend budgets over a day or a month: spend so far extrapolated linearly to the period’s end' }),
  projected_over: z.boolean().meta({ description: 'whether the projection passes the amount' }),
})

export const ZBudget = z.object({
  id: ZUuid,
  name: z.string(),
  environment: z.enum(ENVIRONMENTS).nullable(),
  workflow_id: z.string().nullable(),
  account_id: z.string().nullable(),
  feature: z.string().nullable(),
  traffic_sources: z.array(z.enum(TRAFFIC_SOURCES)),
  period: z.enum(BUDGET_PERIODS),
  rolling_days: z.number().int().nullable(),
  metric: z.enum(BUDGET_METRICS),
  amount_usd: ZUsd,
  thresholds: z.array(z.number().int()),
  hard_cutoff: z.boolean(),
  cutoff_action: z.enum(CUTOFF_ACTIONS),
  throttle_per_minute: z.number().int(),
  run_cap_usd: ZUsd.nullable().meta({ description: 'a run whose spend passes this is refused further gateway calls' }),
  run_cap_p95_multiple: z
    .number()
    .nullable()
    .meta({ description: 'a run whose spend passes this multiple of its workflow’s p95 cost per run (7 days) is refused further gateway calls' }),
  brownout_pct: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'past this percent of the amount, gateway calls fall to the step’s cheapest model that clears its bar' }),
  owner: z.string().nullable(),
  channel_ids: z.array(ZUuid),
  created_at: ZInstant,
  updated_at: ZInstant,
})
export const ZBudgetView = ZBudget.extend({ status: ZBudgetStatus })

export const ZBurnPoint = z.object({
  t: ZInstant.meta({ description: 'bucket start (UTC)' }),
  spend_usd: ZUsd.nullable().meta({ description: 'spend in the bucket; null for buckets still to come' }),
  cumulative_usd: ZUsd.nullable().meta({ description: 'spend from the window’s start to the bucket’s end; null for buckets to come' }),
  pace_usd: ZUsd.meta({ description: 'where an even pace over the period stands at the bucket’s end' }),
  projected_usd: ZUsd.nullable().meta({ description: 'the pace so far extrapolated to the bucket’s end' }),
  value_usd: ZUsd.nullable().meta({ description: 'cost per run / per accepted outcome in the bucket (non-spend budgets)' }),
})
export const ZStateChange = z.object({ from_state: z.string().nullable(), to_state: z.string(), actual_usd: ZUsd.nullable(), at: ZInstant })
export const ZBudgetHistory = z.object({
  budget: ZBudgetView,
  granularity: z.enum(BURN_GRANULARITIES),
  points: z.array(ZBurnPoint),
  state_changes: z.array(ZStateChange),
})
