import { z } from 'zod'
import { ALERT_KINDS } from '@/lib/alerts/detectors'
import { normalizeDecimal } from '@/lib/cost/money'
import { splitCommaList } from '@/lib/query-params'

// /api/v1/alerts query and bodies.

export const ALERT_STATES = ['open', 'acknowledged', 'resolved', 'muted'] as const

export const ZAlertListQuery = z.strictObject({
  kind: z.string().optional()
    .transform((s) => (s ? splitCommaList(s) : undefined))
    .pipe(z.array(z.enum(ALERT_KINDS, { error: `must be one or more of: ${ALERT_KINDS.join(', ')}` })).optional()),
  state: z.enum(ALERT_STATES, { error: `must be one of: ${ALERT_STATES.join(', ')}` }).optional(),
  limit: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
})
export type TAlertListQuery = z.infer<typeof ZAlertListQuery>

export const ZAlertId = z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'must be an alert id (digits)') })
export const ZMuteId = z.strictObject({ id: z.uuid({ error: 'must be a mute id (a UUID)' }) })

/** POST /api/v1/alerts/:id/mute: mute the alert's source (its budget, or its detector and subject) for a while. */
export const ZMuteBody = z.strictObject({
  duration_hours: z.number({ error: 'must be a number of hours' }).int('must be whole hours').min(1, 'must be at least 1 hour').max(24 * 90, 'must be at most 2160 hours (90 days)'),
})
export type TMuteBody = z.infer<typeof ZMuteBody>

/** PUT /api/v1/alerts/settings: the drift detectors' settings to change (the rest keep their values). */
export const ZDriftSettingsPatch = z.strictObject({
  cost_per_outcome_margin: z.number({ error: 'must be a number (0.25 = 25% above the baseline)' }).min(0, 'must be at least 0 (0%)').max(10, 'must be at most 10 (1000%)'),
  min_outcomes: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000'),
  tokens_per_call_margin: z.number({ error: 'must be a number (0.5 = 50% above the baseline)' }).min(0, 'must be at least 0 (0%)').max(100, 'must be at most 100 (10000%)'),
  min_calls: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000'),
  anomaly_z: z.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(100, 'must be at most 100'),
  anomaly_min_usd: z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
    const d = normalizeDecimal(v, 6)
    if (d === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a USD amount of at least 0 with at most 6 decimal places' })
      return z.NEVER
    }
    return d
  }),
  anomaly_min_weeks: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(8, 'must be at most 8 (the weeks read)'),
}).partial()
export type TDriftSettingsPatch = z.infer<typeof ZDriftSettingsPatch>
