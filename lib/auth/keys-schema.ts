import { z } from 'zod'
import { ZInstant, ZUuid } from '@/lib/api/wire'
import { DAY_MS, ZEnvironment } from '@/lib/domain'

// API keys' requests and answers (client-safe): shared by the routes, the CLI and the Settings page.

export const KEY_SCOPES = ['ingest', 'read', 'write', 'gateway'] as const
export type TKeyScope = (typeof KEY_SCOPES)[number]

/** What each scope lets a key do, as the key creation form says it. */
export const SCOPE_LABELS: Record<TKeyScope, string> = {
  ingest: 'ingest (send events)',
  read: 'read (metrics)',
  write: 'write (prices)',
  gateway: 'gateway (call models through Outlay)',
}

/** A rotation's default overlap, and the longest one. */
export const ROTATION_DEFAULT_OVERLAP_MS = DAY_MS
export const ROTATION_MAX_OVERLAP_MS = 30 * DAY_MS

const future = (what: string) =>
  z.iso
    .datetime({ offset: true, error: 'must be a date and time like 2027-01-31T00:00:00Z' })
    .refine((v) => Date.parse(v) > Date.now(), `${what} must be in the future`)

export const ZCreateApiKey = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
  scopes: z.array(z.enum(KEY_SCOPES, { error: `must be one of ${KEY_SCOPES.map((s) => `"${s}"`).join(', ')}` })).min(1, 'choose at least one scope'),
  default_environment: ZEnvironment.optional(),
  /** The key stops working at this time; omitted or null: never. */
  expires_at: future('the expiry').nullish(),
})
export type TCreateApiKey = z.infer<typeof ZCreateApiKey>

export const ZRotateApiKey = z.strictObject({
  /** The old key keeps working until then (default: 24 h from now; at most 30 days). */
  overlap_until: future('the overlap end')
    .refine((v) => Date.parse(v) <= Date.now() + ROTATION_MAX_OVERLAP_MS, 'the overlap may last at most 30 days')
    .optional(),
  /** The new key's expiry; omitted or null: never. */
  expires_at: future('the expiry').nullish(),
})
export type TRotateApiKey = z.infer<typeof ZRotateApiKey>

export const ZApiKeyView = z.object({
  id: ZUuid,
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(KEY_SCOPES)),
  default_environment: z.string().nullable(),
  created_at: ZInstant,
  last_used_at: ZInstant.nullable(),
  revoked_at: ZInstant.nullable(),
  created_by: z
    .object({ user_id: z.string(), email: z.string(), name: z.string().nullable() })
    .nullable()
    .meta({ description: 'the member who created the key, when one did' }),
  created_by_label: z.string().nullable().meta({ description: '"cli", "seed", … when no member created it' }),
  expires_at: ZInstant.nullable(),
  replaced_by_id: z.string().nullable().meta({ description: 'set once the key was rotated: its replacement' }),
  status: z.enum(['active', 'expired', 'revoked']),
})
export type TApiKeyView = z.infer<typeof ZApiKeyView>
/** A new key: the secret, shown this once, and its view. */
export const ZCreatedApiKey = z.object({ key: z.string().meta({ description: 'the secret, shown once' }), api_key: ZApiKeyView })
export const ZRotatedApiKey = ZCreatedApiKey.extend({ previous: ZApiKeyView.meta({ description: 'the old key, valid until the overlap ends' }) })
