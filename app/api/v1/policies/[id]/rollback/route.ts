// POST /api/v1/policies/:id/rollback — {"version", "note"}: publish a copy of
// an older published version (all traffic, no canary). A "write" key or routing.write.
import { withOrg } from '@/lib/http/route'
import { authorOf, rollbackTo } from '@/lib/routing/policies'
import * as api from '@/lib/routing/api'

export const POST = withOrg(api.rollbackPolicy, async ({ org, params, body }) => ({
  policy: await rollbackTo(org.orgId, params.id, body.version, body.note, await authorOf(org.orgId, org.userId)),
}))
