import { z } from 'zod'
import { ALERT_KINDS } from '@/lib/alerts/detectors'

// /api/v1/alerts query and bodies.

export const ALERT_STATES = ['open', 'acknowledged', 'resolved', 'muted'] as const

export const ZAlertListQuery = z.strictObject({
  kind: z.string().optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined))
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
