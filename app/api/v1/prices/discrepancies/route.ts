// GET /api/v1/prices/discrepancies?from&to — where provider-reported cost differs from ours by > 1%; "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { listDiscrepancies } from '@/lib/prices'
import { resolveRange } from '@/lib/metrics/query'
import * as api from '@/lib/prices/api'

export const GET = withOrg(api.listDiscrepancies, async ({ org, query }) => {
  const { from, to } = resolveRange(query)
  return { from: from.toISOString(), to: to.toISOString(), models: await listDiscrepancies(org.orgId, from, to) }
})
