// GET /api/v1/metrics — rolled-up cost and usage; API key with "read", or a signed-in member.
import { withOrg } from '@/lib/http/route'
import { queryMetrics } from '@/lib/metrics/query'
import * as api from '@/lib/metrics/api'

export const GET = withOrg(api.metrics, async ({ org, query }) => queryMetrics(org.orgId, query))
