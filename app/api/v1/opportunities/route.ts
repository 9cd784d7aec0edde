// GET /api/v1/opportunities — where money could be saved, largest first; API key with "read", or any member.
import { withOrg } from '@/lib/http/route'
import { loadOpportunities } from '@/lib/opportunities/load'
import * as api from '@/lib/opportunities/api'

export const GET = withOrg(api.opportunities, async ({ org, query }) => loadOpportunities(org.orgId, query))
