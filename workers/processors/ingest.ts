import type { Job } from 'bullmq'
import { ZIngestJob } from '@/lib/queues'
import { processBatch } from '@/lib/ingest/process'

// Queue "ingest": one job per persisted batch. Safe to run twice: processBatch
// marks the batch processed in the same transaction that counts its events.
export async function ingestProcessor(job: Job): Promise<{ inserted: number; duplicates: number; status: string }> {
  const { batchId } = ZIngestJob.parse(job.data)
  return processBatch(batchId)
}
