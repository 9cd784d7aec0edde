// GET /api/v1/admin/queues — queue counts, backlog and this organization's failed jobs; signed-in admin.
import { withOrg } from '@/lib/http/route'
import { queueOverview } from '@/lib/queues/admin'
import * as api from '@/lib/queues/api'

export const GET = withOrg(api.queueOverview, async ({ org }) => queueOverview(org.orgId))
