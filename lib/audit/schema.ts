import { z } from 'zod'
import { ZInstant, ZUuid } from '@/lib/api/wire'

// GET /api/v1/audit-log (PRODUCT.md "Audit log"): the query, and the entry every answer carries.

export const AUDIT_ACTOR_TYPES = ['user', 'api_key'] as const

export const ZAuditLogQuery = z.strictObject({
  from: z.iso.datetime({ offset: true, error: 'must be a date and time like 2026-12-01T00:00:00Z' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be a date and time like 2026-12-31T00:00:00Z' }).optional(),
  /** a user id or API key id, or an actor's label (an email, a key's name, "cli") */
  actor: z.string().trim().min(1).max(200).optional(),
  action: z.string().trim().min(1).max(100).optional(),
  target_type: z.string().trim().min(1).max(100).optional(),
  /** next_cursor of the previous page */
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'must be the next_cursor of a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  format: z.enum(['json', 'csv']).default('json'),
})
export type TAuditLogQuery = z.infer<typeof ZAuditLogQuery>

export const ZAuditEntry = z.object({
  id: ZUuid,
  at: ZInstant,
  actor: z.object({
    type: z.enum(AUDIT_ACTOR_TYPES),
    id: z.string().nullable(),
    label: z.string().meta({ description: "the user's email, the API key's name, or cli" }),
  }),
  action: z.string().meta({ description: 'verb on a resource: budget.update, api_key.revoke, member.role_change …' }),
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  before: z.unknown().meta({ description: "the resource's JSON view before the change; null when created" }),
  after: z.unknown().meta({ description: "the resource's JSON view after the change; null when deleted" }),
})
export type TAuditEntry = z.infer<typeof ZAuditEntry>

export const ZAuditLogResponse = z.object({
  entries: z.array(ZAuditEntry),
  next_cursor: z.string().nullable().meta({ description: 'pass as cursor for the next page; null on the last page' }),
})
export type TAuditLogResponse = z.infer<typeof ZAuditLogResponse>
