// GET /api/v1/metrics/step-medians — per workflow step, the median account's calls per run; API key with "read", or a signed-in member.
import { withOrg } from '@/lib/http/route'
import { queryStepMedians } from '@/lib/metrics/step-medians'
import * as api from '@/lib/metrics/api'

export const GET = withOrg(api.stepMedians, async ({ org, query }) => queryStepMedians(org.orgId, query))
