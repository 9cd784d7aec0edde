// GET/PATCH /api/v1/gpu/pools/:id — one pool with its versions. GET: "read" key or any member;
// PATCH: "write" key or an admin/engineer/finance session.
import { z } from 'zod'
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { getPool, patchPool } from '@/lib/gpu'
import { ZPoolPatch } from '@/lib/gpu/schema'

const ZPoolId = z.strictObject({ id: z.uuid({ error: 'must be a pool id (a UUID)' }) })
const idOf = (params: Record<string, string>) => parseOrThrow(ZPoolId, { id: params.id }, 'Invalid pool id').id

export const GET = withOrg(async (_req, { org, params }) => json({ pool: await getPool(org.orgId, idOf(params)) }), { scope: 'read', permission: 'fleet.read' })

export const PATCH = withOrg(
  async (req, { org, params }) => {
    const id = idOf(params)
    const body = parseOrThrow(ZPoolPatch, await readJson(req, 64 * 1024), 'Invalid pool')
    return json(await patchPool(org.orgId, { id }, body))
  },
  { scope: 'write', permission: 'fleet.write' },
)
