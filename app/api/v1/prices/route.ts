// GET/PUT /api/v1/prices — the organization's own model and GPU pool prices.
// GET: "read" key or any member. PUT: "write" key or an admin/engineer session.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { listOrgPrices, putOrgPrices } from '@/lib/prices'
import { ZPricesPut } from '@/lib/prices/schema'

export const GET = withOrg(async (_req, { org }) => json(await listOrgPrices(org.orgId)), { scope: 'read', permission: 'prices.read' })

export const PUT = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZPricesPut, await readJson(req, 1024 * 1024), 'Invalid prices')
    const result = await putOrgPrices(org.orgId, body)
    return json({ ...(await listOrgPrices(org.orgId)), ...result })
  },
  { scope: 'write', permission: 'prices.write' },
)
