// GET /api/v1/reprice-jobs — re-pricing jobs and their progress; "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { listRepriceJobs } from '@/lib/reprice'
import * as api from '@/lib/prices/api'

export const GET = withOrg(api.listRepriceJobs, async ({ org }) => ({ jobs: await listRepriceJobs(org.orgId) }))
