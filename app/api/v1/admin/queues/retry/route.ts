// POST /api/v1/admin/queues/retry {queue, job_id} — retry a failed job of this organization; signed-in admin.
import { z } from 'zod'
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { retryFailedJob } from '@/lib/queues/admin'

const ZRetry = z.strictObject({ queue: z.string().min(1).max(50), job_id: z.string().min(1).max(200) })

export const POST = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZRetry, await readJson(req, 4096), 'Invalid retry request')
    await retryFailedJob(org.orgId, body.queue, body.job_id)
    return json({ retried: true })
  },
  { permission: 'queues.manage' },
)
