// GET /api/v1/gateway/calls?limit= — the latest calls through the gateway (the Gateway page's live list); "read" key or any member who reads metrics.
import { json, withOrg } from '@/lib/http/route'
import { recentGatewayCalls, ZGatewayCallsQuery } from '@/lib/gateway/calls'

export const GET = withOrg(async (_req, { org, query }) => json(await recentGatewayCalls(org.orgId, query)), { scope: 'read', permission: 'metrics.read', query: ZGatewayCallsQuery })
