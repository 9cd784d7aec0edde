// GET/POST/PATCH /api/v1/gpu/pools — the GPU fleet's pools. GET: "read" key or any member.
// POST, PATCH (the pool named by "name" in the body): "write" key or an admin/engineer/finance session.
import { withOrg } from '@/lib/http/route'
import { badRequest } from '@/lib/errors'
import { createPool, listPools, patchPool } from '@/lib/gpu'
import * as api from '@/lib/gpu/api'

export const GET = withOrg(api.listPools, async ({ org }) => ({ pools: await listPools(org.orgId) }))

export const POST = withOrg(api.createPool, ({ org, body }) => createPool(org.orgId, body))

export const PATCH = withOrg(api.updatePoolByName, ({ org, body }) => {
  if (!body.name) throw badRequest('Invalid pool', { errors: ['name: is required (the pool to change), or PATCH /api/v1/gpu/pools/<id>'] })
  return patchPool(org.orgId, { name: body.name }, body)
})
