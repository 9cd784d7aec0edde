// GET /api/v1/exports/focus?from&to — priced usage as FOCUS CSV, streamed ("read" key, or a member whose role may
// export: exports.read, as every CSV export).
import { requirePermission, withOrg } from '@/lib/http/route'
import { focusExport } from '@/lib/bills/export'
import * as api from '@/lib/bills/api'

export const GET = withOrg(api.exportFocus, async ({ org, query }) => {
  requirePermission(org, 'exports.read')
  const { from, to, body } = focusExport(org.orgId, query)
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="outlay-focus-${from}-${to}.csv"`,
    },
  })
})
