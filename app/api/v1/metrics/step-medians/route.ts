// GET /api/v1/metrics/step-medians — per workflow step, the median account's calls per run; API key with "read", or a signed-in member.
import { json, withOrg } from '@/lib/http/route'
import { queryStepMedians, ZStepMediansQuery } from '@/lib/metrics/step-medians'

export const GET = withOrg(async (_req, { org, query }) => json(await queryStepMedians(org.orgId, query)), {
  scope: 'read',
  permission: 'spend.read',
  query: ZStepMediansQuery,
})
