import { endpoint } from '@/lib/http/endpoint'
import { ZAuditLogQuery, ZAuditLogResponse } from '@/lib/audit/schema'

// The audit log's contract (PRODUCT.md "Audit log"): admins only (members.manage),
// signed in; no API key reads it.

export const auditLog = endpoint({
  method: 'GET',
  path: '/api/v1/audit-log',
  tag: 'Audit log',
  permission: 'members.manage',
  summary: 'Who changed what, when',
  description:
    'Every change of configuration or access, newest first, filtered, a page at a time (next_cursor). With format=csv: every matching entry from the cursor on as CSV (at most 10,000; x-next-cursor when more).',
  query: ZAuditLogQuery,
  responses: {
    200: {
      description: 'A page of entries',
      schema: ZAuditLogResponse,
      alternates: [{ contentType: 'text/csv', description: 'format=csv: the matching entries, before/after as JSON text' }],
      headers: { 'x-next-cursor': 'format=csv: the cursor of the entries past the 10,000 exported, when there are more' },
    },
  },
  example: { query: { action: 'budget.update', limit: '20' } },
})
