import { z } from 'zod'

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
  cursor: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be the next_cursor of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  format: z.enum(['json', 'csv']).default('json'),
})
export type TAuditLogQuery = z.infer<typeof ZAuditLogQuery>

export const ZAuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ type: z.enum(AUDIT_ACTOR_TYPES), id: z.string().nullable(), label: z.string() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  before: z.unknown(),
  after: z.unknown(),
})
export type TAuditEntry = z.infer<typeof ZAuditEntry>

export const ZAuditLogResponse = z.object({ entries: z.array(ZAuditEntry), next_cursor: z.string().nullable() })
export type TAuditLogResponse = z.infer<typeof ZAuditLogResponse>
