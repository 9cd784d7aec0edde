import { z } from 'zod'
import { ZEmail, ZNewPassword } from '@/lib/auth/schema'
import { canonicalTimeZone } from '@/lib/format'

// Sign-up input; shared by the API, the CLI and the form (client-safe: no server imports).
export const ZSignUp = z.strictObject({
  name: z.string().trim().max(120, 'must be at most 120 characters').optional(),
  email: ZEmail,
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
})
export type TOrgSettings = z.infer<typeof ZOrgSettings>

export const ZOrgSettingsPatch = z.strictObject({ time_zone: ZTimeZone })
export type TOrgSettingsPatch = z.infer<typeof ZOrgSettingsPatch>
