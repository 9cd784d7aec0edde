// GET /api/v1/opportunities/review — the quarterly review: opportunities, which were acted on, the saving measured since; API key with "read", or any member.
import { withOrg } from '@/lib/http/route'
import { loadOpportunityReview } from '@/lib/opportunities/review'
import * as api from '@/lib/opportunities/api'

export const GET = withOrg(api.opportunityReview, async ({ org, query }) => loadOpportunityReview(org.orgId, query))
