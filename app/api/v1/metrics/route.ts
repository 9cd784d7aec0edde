// GET /api/v1/metrics — rolled-up cost and usage; API key with "read", or a signed-in member.
import { json, withOrg } from '@/lib/http/route'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'

export const GET = withOrg(async (_req, { org, query }) => json(await queryMetrics(org.orgId, query)), {
  scope: 'read',
  permission: 'spend.read',
  query: ZMetricsQuery,
})
