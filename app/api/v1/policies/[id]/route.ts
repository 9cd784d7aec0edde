// GET/PATCH /api/v1/policies/:id — one policy with its versions (each with
// what it changed); PATCH edits the draft: a "write" key or routing.write.
import { withOrg } from '@/lib/http/route'
import { authorOf, editDraft, getPolicy } from '@/lib/routing/policies'
import * as api from '@/lib/routing/api'

export const GET = withOrg(api.getPolicy, async ({ org, params }) => ({ policy: await getPolicy(org.orgId, params.id) }))

export const PATCH = withOrg(api.editPolicy, async ({ org, params, body }) => ({
  policy: await editDraft(org.orgId, params.id, body, await authorOf(org.orgId, org.userId)),
}))
