// GET /api/v1/admin/queues — queue counts, backlog and this organization's failed jobs; signed-in admin.
import { json, withOrg } from '@/lib/http/route'
import { queueOverview } from '@/lib/queues/admin'

export const GET = withOrg(async (_req, { org }) => json(await queueOverview(org.orgId)), { permission: 'queues.manage' })
