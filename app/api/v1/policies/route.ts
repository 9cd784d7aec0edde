// GET/POST/PATCH /api/v1/policies — routing policies as code. GET: a "read"
// key or any member; POST (create with a first draft) and PATCH (edit the
// draft of the policy named by workflow_id, step, environment, account_id):
// a "write" key or a session with routing.write (admin, engineer).
import { withOrg } from '@/lib/http/route'
import { authorOf, createPolicy, editDraft, findPolicyId, listPolicies } from '@/lib/routing/policies'
import * as api from '@/lib/routing/api'

export const GET = withOrg(api.listPolicies, async ({ org, query }) => ({ policies: await listPolicies(org.orgId, query) }))

export const POST = withOrg(api.createPolicy, async ({ org, body }) => ({ policy: await createPolicy(org.orgId, body, await authorOf(org.orgId, org.userId)) }))

export const PATCH = withOrg(api.editPolicyByKey, async ({ org, body }) => {
  const { workflow_id, step, environment, account_id, ...patch } = body
  const id = await findPolicyId(org.orgId, { workflow_id, step, environment: environment ?? null, account_id: account_id ?? null })
  return { policy: await editDraft(org.orgId, id, patch, await authorOf(org.orgId, org.userId)) }
})
