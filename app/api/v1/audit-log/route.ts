// GET /api/v1/audit-log: who changed what, when (newest first, filters, cursor paging; ?format=csv: every
// matching entry as CSV, at most 10,000, x-next-cursor when more). Admins only (members.manage), signed in:
// no API key reads it.
import { withOrg } from '@/lib/http/route'
import { auditLogCsv, exportAuditLog, listAuditLog } from '@/lib/audit'
import * as api from '@/lib/audit/api'

export const GET = withOrg(api.auditLog, async ({ org, query }) => {
  const { format, limit, ...q } = query
  if (format === 'json') return listAuditLog(org.orgId, { ...q, limit })
  const page = await exportAuditLog(org.orgId, q)
  return new Response(auditLogCsv(page.entries), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="outlay-audit-log.csv"',
      ...(page.next_cursor ? { 'x-next-cursor': page.next_cursor } : {}),
    },
  })
})
