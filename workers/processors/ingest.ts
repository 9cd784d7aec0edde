import type { Job } from 'bullmq'
import { enqueueAlertEvaluation, ZIngestJob } from '@/lib/queues'
import { processBatch } from '@/lib/ingest/process'
import { log } from '@/lib/log'
import { gateRefresher } from '@/lib/budgets/gates-refresh'

// Queue "ingest": one job per persisted batch. Safe to run twice: processBatch
// marks the batch processed in the same transaction that counts its events.
// When the batch moved the rollups, the organization's alerts (budgets included) are evaluated
// right after (deduplicated per organization), so an alert or a cutoff follows
// the spend within seconds rather than at the next scheduled evaluation; and
// decide's gates are measured and pushed to the web processes at once. A job that failed once retries its own batch
// alone, so one batch that cannot be stored does not hold back the others of its group-commit transaction.
export async function ingestProcessor(job: Job): Promise<{ inserted: number; duplicates: number; status: string }> {
  const { batchId, orgId } = ZIngestJob.parse(job.data)
  // A retry takes its own batch only: if a batch in the group could not be stored, the others get through on theirs.
  const r = await processBatch(batchId, orgId, { alone: job.attemptsMade > 0 })
  if (r.inserted > 0 && r.orgId) {
    // decide's verdicts first, within about a second (lib/budgets/gates-refresh.ts); alerts with the evaluation below
    gateRefresher().request(r.orgId)
    await enqueueAlertEvaluation(r.orgId).catch((err) => log({ org_id: r.orgId }).error({ err }, 'could not queue the alert evaluation'))
  }
  return { status: r.status, inserted: r.inserted, duplicates: r.duplicates }
}
