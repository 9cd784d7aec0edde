// POST /api/v1/policies/:id/withdraw — {"note"}: no version in force any more, the
// step returns to the caller's default model. A "write" key or routing.write.
import { withOrg } from '@/lib/http/route'
import { authorOf, withdrawPolicy } from '@/lib/routing/policies'
import * as api from '@/lib/routing/api'

export const POST = withOrg(api.withdrawPolicy, async ({ org, params, body }) => ({
  policy: await withdrawPolicy(org.orgId, params.id, body.note, await authorOf(org.orgId, org.userId)),
}))
