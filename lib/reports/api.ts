import { endpoint } from '@/lib/http/endpoint'
import { ZAudit, ZAuditQuery, ZMonthlyReport, ZMonthlyReportQuery } from '@/lib/reports/schema'

// The reports' contract (PRODUCT.md "Reports"): read with a "read" key or as any
// member; the CSV forms need a member whose role may export (exports.read).

export const auditReport = endpoint({
  method: 'GET',
  path: '/api/v1/reports/audit',
  tag: 'Reports',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'The quarterly audit: eval cost per call against production',
  description:
    'Per workflow, 100 sampled production calls against 100 of its eval/replay calls (deterministic, stratified by day and hour): cost per call (mean, p50, p90), flagged when the means differ by more than 2× either way. format=csv: one line per workflow; format=samples_csv: every sampled call.',
  query: ZAuditQuery,
  responses: {
    200: {
      description: 'The audit, flagged workflows first, with the sampled calls',
      schema: ZAudit,
      alternates: [
        { contentType: 'text/csv', description: 'format=csv: one line per workflow; format=samples_csv: every sampled call with its cost per call' },
      ],
    },
  },
  example: { query: { quarter: '2026-Q4' } },
})

export const monthlyReport = endpoint({
  method: 'GET',
  path: '/api/v1/reports/monthly',
  tag: 'Reports',
  scope: 'read',
  permission: 'metrics.read',
  summary: "A month's spend by workflow, account, feature, environment, traffic source and scenario",
  description:
    'Against the month before (and, while the month runs, the month before to the same day and hour), with the month-end forecast. format=csv: the same as CSV.',
  query: ZMonthlyReportQuery,
  responses: {
    200: {
      description: 'The report',
      schema: ZMonthlyReport,
      alternates: [{ contentType: 'text/csv', description: 'format=csv: one line per section row, then the totals and the forecast' }],
    },
  },
  example: { query: { month: '2026-11' } },
})
