// GET /api/v1/reprice-jobs — re-pricing jobs and their progress; "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { listRepriceJobs } from '@/lib/reprice'

export const GET = withOrg(async (_req, { org }) => json({ jobs: await listRepriceJobs(org.orgId) }), { scope: 'read', permission: 'prices.read' })
