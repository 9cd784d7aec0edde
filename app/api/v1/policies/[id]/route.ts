// GET/PATCH /api/v1/policies/:id — one policy with its versions (each with
// what it changed); PATCH edits the draft: a "write" key or routing.write.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { authorOf, editDraft, getPolicy } from '@/lib/routing/policies'
import { ZDraftPatch, ZPolicyId } from '@/lib/routing/schema'

const policyIdOf = (params: Record<string, string>) => parseOrThrow(ZPolicyId, { id: params.id }, 'Invalid policy id').id

export const GET = withOrg(async (_req, { org, params }) => json({ policy: await getPolicy(org.orgId, policyIdOf(params)) }), { scope: 'read', permission: 'metrics.read' })

export const PATCH = withOrg(
  async (req, { org, params }) => {
    const id = policyIdOf(params)
    const patch = parseOrThrow(ZDraftPatch, await readJson(req, 64 * 1024), 'Invalid policy draft')
    return json({ policy: await editDraft(org.orgId, id, patch, await authorOf(org.orgId, org.userId)) })
  },
  { scope: 'write', permission: 'routing.write' },
)
