// GET /api/v1/policies/:id/simulate?days=30 — the draft (or the version in
// force) replayed over the step's production calls of the last N days:
// estimated vs actual cost, per month, share of calls per model, expected
// quality and escalations. A "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { simulatePolicy } from '@/lib/routing/policies'
import { ZPolicyId, ZSimulateQuery } from '@/lib/routing/schema'

export const GET = withOrg(
  async (_req, { org, params, query }) => {
    const { id } = parseOrThrow(ZPolicyId, { id: params.id }, 'Invalid policy id')
    return json(await simulatePolicy(org.orgId, id, query.days))
  },
  { scope: 'read', permission: 'metrics.read', query: ZSimulateQuery },
)
