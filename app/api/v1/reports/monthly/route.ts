// GET /api/v1/reports/monthly?month=YYYY-MM&format=json|csv — a month's spend by workflow, account, feature,
// environment, traffic source and scenario against the month before, with the month-end forecast. "read" key or any member;
// the CSV form: a member whose role may export.
import { json, requirePermission, withOrg } from '@/lib/http/route'
import { monthlyReport, monthlyReportCsv, ZMonthlyReportQuery } from '@/lib/reports/monthly'

export const GET = withOrg(async (_req, { org, query }) => {
  if (query.format !== 'json') requirePermission(org, 'exports.read')
  const r = await monthlyReport(org.orgId, query)
  if (query.format === 'json') return json(r)
  return new Response(monthlyReportCsv(r), { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="outlay-monthly-${r.month}.csv"` } })
}, { scope: 'read', permission: 'metrics.read', query: ZMonthlyReportQuery })
