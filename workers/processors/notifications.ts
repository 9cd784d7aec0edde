import type { Job } from 'bullmq'
import { asOrg } from '@/lib/db'
import { ZNotificationJob } from '@/lib/queues'
import { tryDelivery } from '@/lib/notifications/deliver'

// Queue "notifications": one job per delivery (alert × channel, or a test).
// A failed try throws so BullMQ retries it with exponential backoff; the last
// try, a success, or a delivery already finished (a second run) ends it.
export async function notificationsProcessor(job: Job): Promise<{ outcome: string; status_code: number | null }> {
  const { orgId, deliveryId } = ZNotificationJob.parse(job.data)
  const r = await asOrg(orgId, () => tryDelivery(orgId, deliveryId, job.attemptsMade + 1, job.opts.attempts ?? 1))
  if (r.outcome === 'retry') throw new Error(`delivery ${deliveryId}: ${r.error ?? 'failed'}`)
  return { outcome: r.outcome, status_code: r.status_code }
}
