import { z } from 'zod'
import { ALERT_KINDS } from '@/lib/alerts/detectors'
import { normalizeDecimal } from '@/lib/cost/money'
import { splitCommaList } from '@/lib/query-params'
import { ZInstant, ZUsd, ZUuid } from '@/lib/api/wire'

// /api/v1/alerts queries, bodies and answers.

export const ALERT_STATES = ['open', 'acknowledged', 'resolved', 'muted'] as const

export const ZAlertListQuery = z.strictObject({
  kind: z
    .string()
    .optional()
    .transform((s) => (s ? splitCommaList(s) : undefined))
    .pipe(z.array(z.enum(ALERT_KINDS, { error: `must be one or more of: ${ALERT_KINDS.join(', ')}` })).optional()),
  state: z.enum(ALERT_STATES, { error: `must be one of: ${ALERT_STATES.join(', ')}` }).optional(),
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(100),
})
export type TAlertListQuery = z.infer<typeof ZAlertListQuery>

export const ZAlertId = z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'must be an alert id (digits)') })
export const ZMuteId = z.strictObject({ id: z.uuid({ error: 'must be a mute id (a UUID)' }) })

/** POST /api/v1/alerts/:id/mute: mute the alert's source (its budget, or its detector and subject) for a while. */
export const ZMuteBody = z.strictObject({
  duration_hours: z
    .number({ error: 'must be a number of hours' })
    .int('must be whole hours')
    .min(1, 'must be at least 1 hour')
    .max(24 * 90, 'must be at most 2160 hours (90 days)'),
})
export type TMuteBody = z.infer<typeof ZMuteBody>

/** An AI cost share of revenue (0.3 = 30%) past which the revenue_share detector fires. */
const revenueShare = z
  .number({ error: 'must be a number (0.3 = AI cost above 30% of revenue)' })
  .gt(0, 'must be above 0')
  .max(100, 'must be at most 100 (10000%)')

/** PUT /api/v1/alerts/settings: the drift detectors' settings to change (the rest keep their values). */
export const ZDriftSettingsPatch = z
  .strictObject({
    cost_per_outcome_margin: z
      .number({ error: 'must be a number (0.25 = 25% above the baseline)' })
      .min(0, 'must be at least 0 (0%)')
      .max(10, 'must be at most 10 (1000%)'),
    min_outcomes: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000, 'must be at most 1000000'),
    tokens_per_call_margin: z
      .number({ error: 'must be a number (0.5 = 50% above the baseline)' })
      .min(0, 'must be at least 0 (0%)')
      .max(100, 'must be at most 100 (10000%)'),
    min_calls: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000, 'must be at most 1000000'),
    anomaly_z: z.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(100, 'must be at most 100'),
    anomaly_min_usd: z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
      const d = normalizeDecimal(v, 6)
      if (d === null) {
        ctx.addIssue({ code: 'custom', message: 'must be a USD amount of at least 0 with at most 6 decimal places' })
        return z.NEVER
      }
      return d
    }),
    anomaly_min_weeks: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(8, 'must be at most 8 (the weeks read)'),
    calls_per_run_margin: z
      .number({ error: 'must be a number (0.5 = 50% above the baseline)' })
      .min(0, 'must be at least 0 (0%)')
      .max(100, 'must be at most 100 (10000%)'),
    min_runs: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000, 'must be at most 1000000'),
    cache_hit_rate_drop: z
      .number({ error: 'must be a number (0.3 = a fall of 30% of the baseline rate)' })
      .min(0.01, 'must be at least 0.01 (1%)')
      .max(1, 'must be at most 1 (100%)'),
    revenue_share_max: revenueShare,
    revenue_share_by_account: z
      .record(z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'), revenueShare, {
        error: 'must be an object of account_id → share (0.3 = 30%)',
      })
      .refine((m) => Object.keys(m).length <= 1000, 'at most 1000 accounts'),
  })
  .partial()
export type TDriftSettingsPatch = z.infer<typeof ZDriftSettingsPatch>

// Answers.

/** A budget alert's level: a threshold under 100% warns, 100% and above is exceeded. */
export const ALERT_LEVELS = ['warning', 'exceeded'] as const
export type TAlertState = (typeof ALERT_LEVELS)[number]

export const ZAlert = z.object({
  id: z.string().meta({ description: 'the alert id (digits)' }),
  kind: z.enum(ALERT_KINDS),
  budget_id: ZUuid.nullable().meta({ description: 'budget alerts: the budget; null for drift alerts' }),
  budget_name: z.string().nullable(),
  period_start: ZInstant.meta({ description: 'the period the alert fires once in' }),
  threshold: z.number().int().nullable().meta({ description: 'budget alerts: the threshold (percent) reached' }),
  state: z.enum(ALERT_LEVELS),
  actual_usd: ZUsd.nullable(),
  amount_usd: ZUsd.nullable(),
  fired_at: ZInstant,
  acknowledged_at: ZInstant.nullable(),
  source_key: z.string().meta({ description: 'what the alert is about: its budget, or its detector and subject (what a mute silences)' }),
  subject: z.string(),
  title: z.string(),
  details: z.record(z.string(), z.unknown()).meta({ description: 'the figures the detector found' }),
  muted: z.boolean().meta({ description: 'its source was muted when it fired: recorded, not notified' }),
  muted_until: ZInstant.nullable().meta({ description: 'the source is muted now, until then' }),
  resolved_at: ZInstant.nullable(),
})
export type TAlert = z.infer<typeof ZAlert>

export const ZAlertMute = z.object({ id: ZUuid, source_key: z.string(), label: z.string(), until: ZInstant, created_at: ZInstant })
export type TAlertMute = z.infer<typeof ZAlertMute>

export const ZDriftConfig = z.object({
  cost_per_outcome_margin: z.number().meta({ description: 'cost per accepted outcome fires at baseline × (1 + margin)' }),
  min_outcomes: z.number().int().meta({ description: 'accepted outcomes each window needs before its ratio means anything' }),
  tokens_per_call_margin: z.number().meta({ description: 'input (and output) tokens per call fires at baseline × (1 + margin)' }),
  min_calls: z.number().int().meta({ description: 'calls each window needs' }),
  anomaly_z: z.number().meta({ description: "robust z-score at or above which an hour's spend is an anomaly" }),
  anomaly_min_usd: ZUsd.meta({ description: 'and it must be at least this many USD above the median of the same hours' }),
  anomaly_min_weeks: z.number().int().meta({ description: 'same hour-of-week values needed (earlier weeks with data)' }),
  calls_per_run_margin: z.number().meta({ description: 'calls per run fires at baseline × (1 + margin)' }),
  min_runs: z.number().int().meta({ description: 'runs each window needs (calls per run)' }),
  cache_hit_rate_drop: z.number().meta({ description: "a step's prompt-cache hit rate fires below baseline × (1 − drop)" }),
  revenue_share_max: z
    .number()
    .meta({ description: "revenue_share fires when an account's AI cost this month passes this share of its revenue for the month (0.5 = 50%)" }),
  revenue_share_by_account: z
    .record(z.string(), z.number())
    .meta({ description: 'per account_id, its own share in place of revenue_share_max (a PUT replaces the whole map)' }),
})
export type TDriftConfig = z.infer<typeof ZDriftConfig>
