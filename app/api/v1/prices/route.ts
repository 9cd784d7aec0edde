// GET/PUT /api/v1/prices — the organization's own model and GPU pool prices.
// GET: "read" key or any member. PUT: "write" key or an admin/engineer session.
import { withOrg } from '@/lib/http/route'
import { listOrgPrices, putOrgPrices } from '@/lib/prices'
import * as api from '@/lib/prices/api'

export const GET = withOrg(api.listPrices, ({ org }) => listOrgPrices(org.orgId))

export const PUT = withOrg(api.putPrices, async ({ org, body }) => {
  const result = await putOrgPrices(org.orgId, body)
  return { ...(await listOrgPrices(org.orgId)), ...result }
})
