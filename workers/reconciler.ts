import { pool } from '@/lib/db'
import { log } from '@/lib/log'
import { enqueueIngest, enqueueReprice } from '@/lib/queues'
import { pendingRepriceJobs } from '@/lib/reprice'
import { pendingBatches, pruneProcessedBatches } from '@/lib/ingest/process'

// Re-queues batches that were accepted but that no worker finished: a Redis
// restart that lost the queue, a crash between the 202 and the enqueue, a job
// that ran out of attempts. Runs on a timer inside each worker process rather
// than as a Redis-held repeatable job, so it survives Redis losing its data;
// an advisory lock keeps several workers from scanning at the same time.
const LOCK_KEY = 7_461_001

export async function reconcileOnce(olderThanSeconds: number): Promise<number> {
  const client = await pool().connect()
  try {
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY])
    if (!got.rows[0].ok) return 0
    try {
      const ids = await pendingBatches(olderThanSeconds)
      if (ids.length > 0) {
        await enqueueIngest(ids)
        log({ component: 'reconciler' }).info({ batches: ids.length }, 're-queued pending batches')
      }
      // A re-queue of a job that is still waiting or running is a no-op (same job id).
      const reprices = await pendingRepriceJobs(Math.max(60, olderThanSeconds))
      await enqueueReprice(reprices)
      await pruneProcessedBatches()
      return ids.length
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY])
    }
  } finally {
    client.release()
  }
}
