// POST /api/v1/policies/:id/publish — publish the draft with a required note
// ({"note"}): its selection is computed from evals and cost per call and
// frozen; 409 when no candidate clears the bar. A "write" key or routing.write.
import { withOrg } from '@/lib/http/route'
import { authorOf, publishDraft } from '@/lib/routing/policies'
import * as api from '@/lib/routing/api'

export const POST = withOrg(api.publishPolicy, async ({ org, params, body }) => ({
  policy: await publishDraft(org.orgId, params.id, body.note, await authorOf(org.orgId, org.userId)),
}))
