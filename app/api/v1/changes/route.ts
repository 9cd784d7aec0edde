// GET /api/v1/changes — the spend delta between two periods, split into volume, tokens per call, model mix, price and retries; API key with "read", or a signed-in member.
import { json, withOrg } from '@/lib/http/route'
import { queryChanges, ZChangesQuery } from '@/lib/changes/query'

export const GET = withOrg(async (_req, { org, query }) => json(await queryChanges(org.orgId, query)), {
  scope: 'read',
  permission: 'metrics.read',
  query: ZChangesQuery,
})
