// GET/PATCH /api/v1/gpu/pools/:id — one pool with its versions. GET: "read" key or any member;
// PATCH: "write" key or an admin/engineer/finance session.
import { withOrg } from '@/lib/http/route'
import { getPool, patchPool } from '@/lib/gpu'
import * as api from '@/lib/gpu/api'

export const GET = withOrg(api.getPool, async ({ org, params }) => ({ pool: await getPool(org.orgId, params.id) }))

export const PATCH = withOrg(api.updatePool, ({ org, params, body }) => patchPool(org.orgId, { id: params.id }, body))
