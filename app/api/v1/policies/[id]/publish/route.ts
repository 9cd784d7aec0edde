// POST /api/v1/policies/:id/publish — publish the draft with a required note
// ({"note"}): its selection is computed from evals and cost per call and
// frozen; 409 when no candidate clears the bar. A "write" key or routing.write.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { authorOf, publishDraft } from '@/lib/routing/policies'
import { ZPolicyId, ZPublish } from '@/lib/routing/schema'

export const POST = withOrg(
  async (req, { org, params }) => {
    const { id } = parseOrThrow(ZPolicyId, { id: params.id }, 'Invalid policy id')
    const { note } = parseOrThrow(ZPublish, await readJson(req, 16 * 1024), 'Invalid publish request')
    return json({ policy: await publishDraft(org.orgId, id, note, await authorOf(org.orgId, org.userId)) })
  },
  { scope: 'write', permission: 'routing.write' },
)
