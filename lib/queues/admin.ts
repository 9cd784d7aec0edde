import 'server-only'
import { pool } from '@/lib/db'
import { notFound } from '@/lib/errors'
import { QUEUE_INGEST, QUEUE_REPRICE, queue } from '@/lib/queues'
import { queueLag } from '@/lib/ingest/process'
import type { z } from 'zod'
import type { ZFailedJob, ZQueueCounts, ZQueueOverview } from '@/lib/queues/admin-schema'

// What an admin sees of the queues. Queue counts are system-wide (they reveal
// no data); failed jobs are shown, and retried, only for the admin's own
// organization (a job belongs to the organization of its batch or re-pricing).

export type TQueueCounts = z.infer<typeof ZQueueCounts>
export type TFailedJob = z.infer<typeof ZFailedJob>
export type TQueueOverview = z.infer<typeof ZQueueOverview>

const QUEUES = [QUEUE_INGEST, QUEUE_REPRICE]

async function ownedReferences(orgId: string, batchIds: string[], repriceIds: string[]): Promise<Set<string>> {
  const [b, r] = await Promise.all([
    pool().query<{ id: string }>('SELECT id::text FROM ingest_batches WHERE org_id = $1 AND id = ANY($2::int8[])', [orgId, batchIds]),
    pool().query<{ id: string }>('SELECT id::text FROM reprice_jobs WHERE org_id = $1 AND id = ANY($2::int8[])', [orgId, repriceIds]),
  ])
  return new Set([...b.rows.map((x) => `batch:${x.id}`), ...r.rows.map((x) => `reprice:${x.id}`)])
}

const referenceOf = (data: { batchId?: string; repriceId?: string }) =>
  data.batchId ? `batch:${data.batchId}` : data.repriceId ? `reprice:${data.repriceId}` : ''

export async function queueOverview(orgId: string): Promise<TQueueOverview> {
  const queues = await Promise.all(
    QUEUES.map(async (name) => {
      const c = await queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')
      return { name, waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, completed: c.completed ?? 0 }
    }),
  )
  const failedJobs = (await Promise.all(QUEUES.map(async (name) => (await queue(name).getFailed(0, 199)).map((j) => ({ j, name }))))).flat()
  const refs = failedJobs.map(({ j }) => referenceOf(j.data as { batchId?: string; repriceId?: string }))
  const owned = await ownedReferences(
    orgId,
    refs.filter((r) => r.startsWith('batch:')).map((r) => r.slice(6)),
    refs.filter((r) => r.startsWith('reprice:')).map((r) => r.slice(8)),
  )
  const failed = failedJobs.flatMap(({ j, name }, i) =>
    owned.has(refs[i])
      ? [
          {
            id: j.id!,
            queue: name,
            reference: refs[i],
            attempts: j.attemptsMade,
            failed_reason: j.failedReason ?? '',
            failed_at: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
          },
        ]
      : [],
  )
  const mine = await pool().query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches WHERE org_id = $1 AND processed_at IS NULL', [orgId])
  return { queues, backlog: await queueLag(), org_pending_batches: mine.rows[0].n, failed }
}

/** Retry one failed job of this organization. */
export async function retryFailedJob(orgId: string, queueName: string, jobId: string): Promise<void> {
  if (!QUEUES.includes(queueName)) throw notFound('No such queue')
  const job = await queue(queueName).getJob(jobId)
  if (!job || !(await job.isFailed())) throw notFound('No failed job with that id')
  const owned = await ownedReferences(orgId, job.data.batchId ? [job.data.batchId] : [], job.data.repriceId ? [job.data.repriceId] : [])
  if (!owned.has(referenceOf(job.data))) throw notFound('No failed job with that id')
  if (job.data.repriceId)
    await pool().query(`UPDATE reprice_jobs SET status = 'queued', error = NULL WHERE id = $1 AND org_id = $2`, [job.data.repriceId, orgId])
  await job.retry('failed')
}
