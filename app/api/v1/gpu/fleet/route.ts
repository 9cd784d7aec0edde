// GET /api/v1/gpu/fleet?days=30 — the fleet page's numbers: cost per role, per pool, idle cost,
// daily utilization, right-sizing hints. "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { fleetSummary } from '@/lib/gpu/summary'
import { ZFleetQuery } from '@/lib/gpu/schema'

export const GET = withOrg(async (_req, { org, query }) => json(await fleetSummary(org.orgId, query.days)), {
  scope: 'read',
  permission: 'fleet.read',
  query: ZFleetQuery,
})
