// GET /api/v1/gpu/fleet?days=30 — the fleet page's numbers: cost per role, per pool, idle cost,
// daily utilization, right-sizing hints. "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { fleetSummary } from '@/lib/gpu/summary'
import * as api from '@/lib/gpu/api'

export const GET = withOrg(api.fleetSummary, ({ org, query }) => fleetSummary(org.orgId, query.days))
