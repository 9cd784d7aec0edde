import { z } from 'zod'
import { ZDeliverableEmail, ZNewPassword } from '@/lib/auth/schema'
import { canonicalTimeZone } from '@/lib/format'

// Sign-up input; shared by the API, the CLI and the form (client-safe: no server imports).
export const ZSignUp = z.strictObject({
  name: z.string().trim().max(120, 'must be at most 120 characters').optional(),
  email: ZDeliverableEmail,
  password: ZNewPassword,
  org_name: z.string().trim().min(2, 'must be at least 2 characters').max(80, 'must be at most 80 characters'),
})
export type TSignUp = z.infer<typeof ZSignUp>

/** An IANA time zone name the runtime knows ("UTC", "Europe/Paris"), in its canonical spelling. */
export const ZTimeZone = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'must be at most 64 characters')
  .refine((tz) => canonicalTimeZone(tz) !== null, 'must be an IANA time zone such as UTC or Europe/Paris')
  .transform((tz) => canonicalTimeZone(tz)!)
  .meta({ description: 'IANA time zone name, e.g. "UTC" or "Europe/Paris"' })

/** The organization's settings as the API answers them. */
export const ZOrgSettings = z.strictObject({
  name: z.string(),
  slug: z.string(),
  time_zone: z.string().meta({ description: 'the time zone every page shows dates and times in (IANA name; UTC by default)' }),
  raw_event_retention_days: z.number().int().nullable().meta({
    description:
      'days of raw events kept (the calls explorer, runs, exports); older ones are deleted and refused at ingest. Rollups (every chart and total) are kept. null: as long as events are accepted (400 days)',
  }),
})
export type TOrgSettings = z.infer<typeof ZOrgSettings>

/** The longest raw-event retention: ingest accepts no event older than 400 days (lib/ingest/schema.ts). */
export const MAX_RAW_EVENT_RETENTION_DAYS = 400

/** Days of raw events an organization keeps: 1 to 400 (the oldest timestamp ingest accepts), or null for all of them. */
export const ZRawEventRetentionDays = z
  .number({ error: 'must be a whole number of days from 1 to 400, or null' })
  .int('must be a whole number of days from 1 to 400, or null')
  .min(1, 'must be at least 1 day')
  .max(MAX_RAW_EVENT_RETENTION_DAYS, 'must be at most 400 days (events older than 400 days are never accepted)')
  .nullable()

export const ZOrgSettingsPatch = z
  .strictObject({ time_zone: ZTimeZone.optional(), raw_event_retention_days: ZRawEventRetentionDays.optional() })
  .refine((p) => p.time_zone !== undefined || p.raw_event_retention_days !== undefined, 'must set time_zone or raw_event_retention_days')
export type TOrgSettingsPatch = z.infer<typeof ZOrgSettingsPatch>
