// GET/POST/PATCH /api/v1/gpu/pools — the GPU fleet's pools. GET: "read" key or any member.
// POST, PATCH (the pool named by "name" in the body): "write" key or an admin/engineer/finance session.
import { json, readJson, withOrg } from '@/lib/http/route'
import { badRequest } from '@/lib/errors'
import { parseOrThrow } from '@/lib/validation'
import { createPool, listPools, patchPool } from '@/lib/gpu'
import { ZPoolCreate, ZPoolPatch } from '@/lib/gpu/schema'

export const GET = withOrg(async (_req, { org }) => json({ pools: await listPools(org.orgId) }), { scope: 'read', permission: 'fleet.read' })

export const POST = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZPoolCreate, await readJson(req, 64 * 1024), 'Invalid pool')
    return json(await createPool(org.orgId, body), 201)
  },
  { scope: 'write', permission: 'fleet.write' },
)

export const PATCH = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZPoolPatch, await readJson(req, 64 * 1024), 'Invalid pool')
    if (!body.name) throw badRequest('Invalid pool', { errors: ['name: is required (the pool to change), or PATCH /api/v1/gpu/pools/<id>'] })
    return json(await patchPool(org.orgId, { name: body.name }, body))
  },
  { scope: 'write', permission: 'fleet.write' },
)
