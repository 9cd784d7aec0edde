import { z } from 'zod'
import { ZInstant, ZUuid } from '@/lib/api/wire'

// /api/v1/channels bodies and answers. A channel is a webhook (an http(s) URL; Outlay
// generates its signing secret) or email (one to 20 addresses).

export const CHANNEL_TYPES = ['webhook', 'email'] as const
export type TChannelType = (typeof CHANNEL_TYPES)[number]

const name = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters')
const url = z
  .string({ error: 'must be a string' })
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine((u) => {
    try {
      return ['http:', 'https:'].includes(new URL(u).protocol)
    } catch {
      return false
    }
  }, 'must be an http:// or https:// URL')
const emails = z
  .array(z.email({ error: 'must be email addresses' }), { error: 'must be a list of email addresses' })
  .min(1, 'list at least one address')
  .max(20, 'at most 20 addresses')
const isDefault = z.boolean({ error: 'must be true or false' })

export const ZChannelCreate = z
  .strictObject({
    name,
    type: z.enum(CHANNEL_TYPES, { error: `must be one of: ${CHANNEL_TYPES.join(', ')}` }),
    url: url.optional(),
    emails: emails.optional(),
    is_default: isDefault.default(true),
  })
  .superRefine((c, ctx) => {
    if (c.type === 'webhook' && !c.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required for a webhook' })
    if (c.type === 'webhook' && c.emails) ctx.addIssue({ code: 'custom', path: ['emails'], message: 'applies only to email channels' })
    if (c.type === 'email' && !c.emails) ctx.addIssue({ code: 'custom', path: ['emails'], message: 'is required for an email channel' })
    if (c.type === 'email' && c.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'applies only to webhooks' })
  })
export type TChannelCreate = z.infer<typeof ZChannelCreate>

/** The type is fixed once created; rotate_secret makes a new webhook secret (answered once). */
export const ZChannelPatch = z.strictObject({ name, url, emails, is_default: isDefault, rotate_secret: z.literal(true, { error: 'must be true' }) }).partial()
export type TChannelPatch = z.infer<typeof ZChannelPatch>

export const ZChannelId = z.strictObject({ id: z.uuid({ error: 'must be a channel id (a UUID)' }) })

export const ZDeliveriesQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(200, 'must be at most 200')
    .default(50),
})

// Answers.

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const
export const ZChannel = z.object({
  id: ZUuid,
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  url: z
    .string()
    .nullable()
    .meta({ description: 'the whole URL for admins, engineers and "write" keys; for other readers only its scheme and host ("https://hooks.example.com/…")' }),
  url_redacted: z.boolean().meta({ description: 'whether `url` is cut to its host for this reader' }),
  emails: z.array(z.string()),
  is_default: z.boolean(),
  secret_hint: z.string().nullable().meta({ description: 'the signing secret’s last four characters (admins and engineers only)' }),
  created_at: ZInstant,
  updated_at: ZInstant,
  last_delivery: z.object({ status: z.enum(DELIVERY_STATUSES), at: ZInstant, status_code: z.number().int().nullable() }).nullable(),
})
export const ZAttempt = z.object({
  attempt: z.number().int(),
  ok: z.boolean(),
  status_code: z.number().int().nullable(),
  duration_ms: z.number(),
  error: z.string().nullable(),
  at: ZInstant,
})
export const ZDelivery = z.object({
  id: z.string(),
  channel_id: ZUuid,
  alert_id: z.string().nullable(),
  subject: z.string().meta({ description: '"test" for a send-test, else the alert’s title' }),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: ZInstant,
  finished_at: ZInstant.nullable(),
  attempt_log: z.array(ZAttempt),
})
/** A created or changed channel; `secret` (a webhook's signing secret) only when it was just made. */
export const ZChannelWithSecret = z.object({ channel: ZChannel, secret: z.string().nullable() })
