import type { Job } from 'bullmq'
import { enqueueAlertEvaluation, ZIngestJob } from '@/lib/queues'
import { processBatch } from '@/lib/ingest/process'

// Queue "ingest": one job per persisted batch. Safe to run twice: processBatch
// marks the batch processed in the same transaction that counts its events.
// When the batch moved the rollups, the organization's alerts (budgets included) are evaluated
// right after (deduplicated per organization), so an alert or a cutoff follows
// the spend within seconds rather than at the next scheduled evaluation.
export async function ingestProcessor(job: Job): Promise<{ inserted: number; duplicates: number; status: string }> {
  const { batchId, orgId } = ZIngestJob.parse(job.data)
  const r = await processBatch(batchId, orgId)
  if (r.inserted > 0 && r.orgId) {
    await enqueueAlertEvaluation(r.orgId).catch((e) => console.error(`[worker] could not queue the alert evaluation: ${(e as Error).message}`))
  }
  return { status: r.status, inserted: r.inserted, duplicates: r.duplicates }
}
