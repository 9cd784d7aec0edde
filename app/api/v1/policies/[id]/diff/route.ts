// GET /api/v1/policies/:id/diff?from=<version>&to=<version> — what changed
// between two versions and the model each selected. A "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { diffVersions } from '@/lib/routing/policies'
import { ZDiffQuery, ZPolicyId } from '@/lib/routing/schema'

export const GET = withOrg(
  async (_req, { org, params, query }) => {
    const { id } = parseOrThrow(ZPolicyId, { id: params.id }, 'Invalid policy id')
    return json(await diffVersions(org.orgId, id, query.from, query.to))
  },
  { scope: 'read', permission: 'metrics.read', query: ZDiffQuery },
)
