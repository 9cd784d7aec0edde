// GET/PUT /api/v1/gateway/providers — the organization's upstreams for the gateway (keys masked when read;
// PUT replaces the list). GET: "read" key or an admin/engineer session; PUT: "write" key or an admin/engineer session.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { listGatewayProviders, putGatewayProviders, ZPutGatewayProviders } from '@/lib/gateway/providers'

export const GET = withOrg(async (_req, { org }) => json({ providers: await listGatewayProviders(org.orgId) }), { scope: 'read', permission: 'keys.manage' })

export const PUT = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZPutGatewayProviders, await readJson(req, 256 * 1024), 'Invalid request body')
    return json({ providers: await putGatewayProviders(org.orgId, body) })
  },
  { scope: 'write', permission: 'keys.manage' },
)
