import type { Job } from 'bullmq'
import { ZRepriceQueueJob } from '@/lib/queues'
import { markRepriceFailed, runRepriceJob } from '@/lib/reprice'

// Queue "reprice": one job per reprice_jobs row. Resumable and idempotent:
// each chunk commits its re-priced events, rollup deltas and progress together.
export async function repriceProcessor(job: Job): Promise<{ processed: number; changed: number }> {
  const { repriceId } = ZRepriceQueueJob.parse(job.data)
  try {
    return await runRepriceJob(repriceId)
  } catch (e) {
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await markRepriceFailed(repriceId, (e as Error).message)
    throw e
  }
}
