// GET /api/v1/reports/monthly?month=YYYY-MM&format=json|csv — a month's spend by workflow, account, feature,
// environment, traffic source and scenario against the month before, with the month-end forecast. "read" key or any member;
// the CSV form: a member whose role may export.
import { requirePermission, withOrg } from '@/lib/http/route'
import { monthlyReport, monthlyReportCsv } from '@/lib/reports/monthly'
import * as api from '@/lib/reports/api'

export const GET = withOrg(api.monthlyReport, async ({ org, query }) => {
  if (query.format !== 'json') requirePermission(org, 'exports.read')
  const r = await monthlyReport(org.orgId, query)
  if (query.format === 'json') return r
  return new Response(monthlyReportCsv(r), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="outlay-monthly-${r.month}.csv"` },
  })
})
