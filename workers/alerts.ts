import { Queue, Worker, type ConnectionOptions, type Processor, type WorkerOptions } from 'bullmq'
import {
  ALERT_EVALUATION_EVERY_MS,
  ALERTS_SCHEDULER_ID,
  alertsSchedulerJob,
  LEGACY_BUDGETS_SCHEDULER_ID,
  LEGACY_QUEUE_BUDGETS,
  QUEUE_ALERTS,
} from '@/lib/queues'
import { alertsProcessor } from '@/workers/processors/alerts'
import { withJobLog } from '@/lib/log'

// The alerts worker, and the move from the queue's former name ("budgets").
// On an upgraded deployment jobs may still wait there: the recurring job
// scheduled by older workers and "evaluate-org" jobs queued by web processes
// not yet upgraded. So the worker first removes the old scheduler (and its
// next job), processes what is left in the old queue, and only then serves
// the alerts queue. A job queued under the old name after that waits for the
// next worker start; nothing is lost meanwhile, since the recurring
// evaluation covers every organization every 30 s.

/** The states a job can be in before it is done (completed and failed jobs are done). */
const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const

export type TDrainResult = { processed: number; failed: number; left: number }

/**
 * Runs `processor` (one job at a time) over the jobs still pending in queue
 * `name` until none is left or `timeoutMs` passed (a job stalled by a dead
 * worker comes back after the lock expires), then stops. `left` > 0: gave up.
 */
export async function drainQueue(
  name: string,
  processor: Processor,
  opts: { connection: ConnectionOptions; prefix: string; timeoutMs?: number; pollMs?: number; signal?: AbortSignal; workerOptions?: Partial<WorkerOptions> },
): Promise<TDrainResult> {
  const q = new Queue(name, { connection: opts.connection, prefix: opts.prefix })
  q.on('error', () => undefined)
  const pending = async () => Object.values(await q.getJobCounts(...PENDING)).reduce((a, b) => a + b, 0)
  try {
    let left = await pending()
    if (left === 0) return { processed: 0, failed: 0, left }
    const w = new Worker(name, withJobLog(processor), { ...opts.workerOptions, connection: opts.connection, prefix: opts.prefix, concurrency: 1 })
    w.on('error', () => undefined)
    let processed = 0
    let failed = 0
    w.on('completed', () => processed++)
    w.on('failed', () => failed++)
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000)
    try {
      while (left > 0 && Date.now() < deadline && !opts.signal?.aborted) {
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 250))
        left = await pending()
      }
    } finally {
      await w.close()
    }
    return { processed, failed, left: await pending() }
  } finally {
    await q.close()
  }
}

/**
 * The alerts worker: upserts the recurring evaluation on the alerts queue,
 * removes the former queue's scheduler, drains the former queue, then runs.
 * `started` settles when the worker serves the alerts queue (or was closed first).
 */
export function startAlertsWorker(opts: {
  connection: ConnectionOptions
  prefix: string
  workerOptions?: Partial<WorkerOptions>
  drainTimeoutMs?: number
  everyMs?: number
}): { worker: Worker; started: Promise<TDrainResult>; close: () => Promise<void> } {
  const worker = new Worker(QUEUE_ALERTS, withJobLog(alertsProcessor), {
    ...opts.workerOptions,
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: 1,
    autorun: false,
  })
  const abort = new AbortController()
  const started = (async () => {
    try {
      const alerts = new Queue(QUEUE_ALERTS, { connection: opts.connection, prefix: opts.prefix })
      const legacy = new Queue(LEGACY_QUEUE_BUDGETS, { connection: opts.connection, prefix: opts.prefix })
      alerts.on('error', () => undefined)
      legacy.on('error', () => undefined)
      try {
        // upserted, never removed and re-added: every worker process does this at start
        await alerts.upsertJobScheduler(ALERTS_SCHEDULER_ID, { every: opts.everyMs ?? ALERT_EVALUATION_EVERY_MS }, alertsSchedulerJob)
        await legacy.removeJobScheduler(LEGACY_BUDGETS_SCHEDULER_ID)
      } finally {
        await Promise.all([alerts.close(), legacy.close()])
      }
      return await drainQueue(LEGACY_QUEUE_BUDGETS, alertsProcessor, {
        connection: opts.connection,
        prefix: opts.prefix,
        timeoutMs: opts.drainTimeoutMs,
        signal: abort.signal,
        workerOptions: opts.workerOptions,
      })
    } finally {
      // a failed transition (reported through `started`) must not leave the alerts unevaluated
      if (!abort.signal.aborted) void worker.run().catch((e: Error) => worker.emit('error', e))
    }
  })()
  return {
    worker,
    started,
    close: async () => {
      abort.abort()
      await started.catch(() => undefined)
      await worker.close()
    },
  }
}
