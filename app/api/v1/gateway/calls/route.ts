// GET /api/v1/gateway/calls?limit= — the latest calls through the gateway (the Gateway page's live list); "read" key or any member who reads metrics.
import { withOrg } from '@/lib/http/route'
import * as api from '@/lib/gateway/api'
import { recentGatewayCalls } from '@/lib/gateway/calls'

export const GET = withOrg(api.gatewayCalls, async ({ org, query }) => recentGatewayCalls(org.orgId, query))
