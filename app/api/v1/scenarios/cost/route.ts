// GET /api/v1/scenarios/cost?month=YYYY-MM — each scenario's cost in a month, part by part, with the
// pools' allocation and cost per accepted outcome. "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { scenarioCost, ZScenarioCostQuery } from '@/lib/gpu/scenarios'

export const GET = withOrg(async (_req, { org, query }) => json(await scenarioCost(org.orgId, query.month)), {
  scope: 'read', permission: 'fleet.read', query: ZScenarioCostQuery,
})
