// POST /api/v1/admin/queues/retry {queue, job_id} — retry a failed job of this organization; signed-in admin.
import { withOrg } from '@/lib/http/route'
import { retryFailedJob } from '@/lib/queues/admin'
import * as api from '@/lib/queues/api'

export const POST = withOrg(api.retryJob, async ({ org, body }) => {
  await retryFailedJob(org.orgId, body.queue, body.job_id)
  return { retried: true as const }
})
