// GET /api/v1/reports/audit?quarter=YYYY-Qn&format=json|csv|samples_csv — per workflow, 100 sampled production calls
// against its eval/replay calls (cost per call: mean, p50, p90), flagged beyond 2×. "read" key or any member; the CSV forms: a member whose role may export.
import { requirePermission, withOrg } from '@/lib/http/route'
import { auditCsv, auditSamplesCsv, quarterlyAudit } from '@/lib/reports/audit'
import * as api from '@/lib/reports/api'

export const GET = withOrg(api.auditReport, async ({ org, query }) => {
  if (query.format !== 'json') requirePermission(org, 'exports.read')
  const a = await quarterlyAudit(org.orgId, query, { samples: query.format !== 'csv' })
  if (query.format === 'json') return a
  const [text, name] = query.format === 'csv' ? [auditCsv(a), 'audit'] : [auditSamplesCsv(a), 'audit-samples']
  return new Response(text, {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="outlay-${name}-${a.quarter}.csv"` },
  })
})
