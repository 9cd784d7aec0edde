// GET/POST/PATCH /api/v1/policies — routing policies as code. GET: a "read"
// key or any member; POST (create with a first draft) and PATCH (edit the
// draft of the policy named by workflow_id, step, environment, account_id):
// a "write" key or a session with routing.write (admin, engineer).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { authorOf, createPolicy, editDraft, findPolicyId, listPolicies } from '@/lib/routing/policies'
import { ZDraftPatchByKey, ZPolicyCreate, ZPolicyListQuery } from '@/lib/routing/schema'

export const GET = withOrg(async (_req, { org, query }) => json({ policies: await listPolicies(org.orgId, query) }), {
  scope: 'read', permission: 'metrics.read', query: ZPolicyListQuery,
})

export const POST = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZPolicyCreate, await readJson(req, 64 * 1024), 'Invalid routing policy')
    return json({ policy: await createPolicy(org.orgId, body, await authorOf(org.orgId, org.userId)) }, 201)
  },
  { scope: 'write', permission: 'routing.write' },
)

export const PATCH = withOrg(
  async (req, { org }) => {
    const { workflow_id, step, environment, account_id, ...patch } = parseOrThrow(ZDraftPatchByKey, await readJson(req, 64 * 1024), 'Invalid policy draft')
    const id = await findPolicyId(org.orgId, { workflow_id, step, environment: environment ?? null, account_id: account_id ?? null })
    return json({ policy: await editDraft(org.orgId, id, patch, await authorOf(org.orgId, org.userId)) })
  },
  { scope: 'write', permission: 'routing.write' },
)
