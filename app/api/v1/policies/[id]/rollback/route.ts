// POST /api/v1/policies/:id/rollback — {"version", "note"}: publish a copy of
// an older published version (all traffic, no canary). A "write" key or routing.write.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { authorOf, rollbackTo } from '@/lib/routing/policies'
import { ZPolicyId, ZRollback } from '@/lib/routing/schema'

export const POST = withOrg(
  async (req, { org, params }) => {
    const { id } = parseOrThrow(ZPolicyId, { id: params.id }, 'Invalid policy id')
    const { version, note } = parseOrThrow(ZRollback, await readJson(req, 16 * 1024), 'Invalid rollback request')
    return json({ policy: await rollbackTo(org.orgId, id, version, note, await authorOf(org.orgId, org.userId)) })
  },
  { scope: 'write', permission: 'routing.write' },
)
