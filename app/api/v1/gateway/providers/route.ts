// GET/PUT /api/v1/gateway/providers — the organization's upstreams for the gateway (keys masked when read;
// PUT replaces the list). GET: "read" key or an admin/engineer session; PUT: "write" key or an admin/engineer session.
import { withOrg } from '@/lib/http/route'
import * as api from '@/lib/gateway/api'
import { listGatewayProviders, putGatewayProviders } from '@/lib/gateway/providers'

export const GET = withOrg(api.listGatewayProviders, async ({ org }) => ({ providers: await listGatewayProviders(org.orgId) }))

export const PUT = withOrg(api.putGatewayProviders, async ({ org, body }) => ({ providers: await putGatewayProviders(org.orgId, body) }))
