// GET /api/v1/scenarios/cost?month=YYYY-MM — each scenario's cost in a month, part by part, with the
// pools' allocation and cost per accepted outcome. "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { scenarioCost } from '@/lib/gpu/scenarios'
import * as api from '@/lib/scenarios/api'

export const GET = withOrg(api.scenarioCost, async ({ org, query }) => scenarioCost(org.orgId, query.month))
