// GET /api/v1/audit-log: who changed what, when (newest first, filters, cursor paging; ?format=csv: every
// matching entry as CSV, at most 10,000, x-next-cursor when more). Admins only (members.manage), signed in:
// no API key reads it.
import { json, withOrg } from '@/lib/http/route'
import { auditLogCsv, exportAuditLog, listAuditLog } from '@/lib/audit'
import { ZAuditLogQuery } from '@/lib/audit/schema'

export const GET = withOrg(
  async (_req, { org, query }) => {
    const { format, limit, ...q } = query
    if (format === 'json') return json(await listAuditLog(org.orgId, { ...q, limit }))
    const page = await exportAuditLog(org.orgId, q)
    return new Response(auditLogCsv(page.entries), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="outlay-audit-log.csv"',
        ...(page.next_cursor ? { 'x-next-cursor': page.next_cursor } : {}),
      },
    })
  },
  { permission: 'members.manage', query: ZAuditLogQuery },
)
