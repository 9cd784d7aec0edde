// GET/PUT /api/v1/routing-defaults — the model decide answers (with 404) when
// no published policy covers a step: per workflow, or the organization's
// (workflow_id null). GET: a "read" key or any member; PUT replaces the list:
// a "write" key or routing.write.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { listRoutingDefaults, putRoutingDefaults } from '@/lib/routing/runtime'
import { ZRoutingDefaults } from '@/lib/routing/schema'

export const GET = withOrg(async (_req, { org }) => json({ defaults: await listRoutingDefaults(org.orgId) }), { scope: 'read', permission: 'metrics.read' })

export const PUT = withOrg(
  async (req, { org }) => json({ defaults: await putRoutingDefaults(org.orgId, parseOrThrow(ZRoutingDefaults, await readJson(req, 256 * 1024), 'Invalid routing defaults')) }),
  { scope: 'write', permission: 'routing.write' },
)
