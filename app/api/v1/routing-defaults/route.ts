// GET/PUT /api/v1/routing-defaults — the model decide answers (with 404) when
// no published policy covers a step: per workflow, or the organization's
// (workflow_id null). GET: a "read" key or any member; PUT replaces the list:
// a "write" key or routing.write.
import { withOrg } from '@/lib/http/route'
import { listRoutingDefaults, putRoutingDefaults } from '@/lib/routing/runtime'
import * as api from '@/lib/routing/api'

export const GET = withOrg(api.listRoutingDefaults, async ({ org }) => ({ defaults: await listRoutingDefaults(org.orgId) }))

export const PUT = withOrg(api.putRoutingDefaults, async ({ org, body }) => ({ defaults: await putRoutingDefaults(org.orgId, body) }))
