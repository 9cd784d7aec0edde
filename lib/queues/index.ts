import 'server-only'
import { createHash } from 'node:crypto'
import { DAY_S } from '@/lib/domain'
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq'
import IORedis, { type Redis } from 'ioredis'
import { z } from 'zod'
import { env } from '@/lib/env'

// Queue contracts, shared by the web tier (producers) and the workers.
// New payload fields start optional so jobs already in flight still parse.

export const QUEUE_INGEST = 'ingest'

// orgId: the batch's organization (row-level security), when the producer knew it; jobs queued without it
// (by older code, or the reconciler) look it up.
export const ZIngestJob = z.object({ batchId: z.string().regex(/^\d+$/), orgId: z.uuid().optional() })
export type TIngestJob = z.infer<typeof ZIngestJob>

export const ingestJobOptions: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * DAY_S },
}

export const QUEUE_REPRICE = 'reprice'
export const ZRepriceQueueJob = z.object({ repriceId: z.string().regex(/^\d+$/) })
export type TRepriceQueueJob = z.infer<typeof ZRepriceQueueJob>
export const repriceJobId = (repriceId: string) => `reprice-${repriceId}`

/**
 * Alert evaluation: the recurring job (scheduler ALERTS_SCHEDULER_ID) measures
 * every organization's alerts (budgets and drift detectors) and records those
 * that fire; an "evaluate-org" job evaluates one organization.
 */
export const QUEUE_ALERTS = 'alerts'
export const ALERTS_SCHEDULER_ID = 'evaluate-alerts'
export const ALERT_EVALUATION_EVERY_MS = 30_000
export const alertsSchedulerJob = { name: 'evaluate', opts: { removeOnComplete: true, removeOnFail: { count: 100 } } } as const
export const ZAlertsJob = z.object({ orgId: z.uuid().optional() })
export type TAlertsJob = z.infer<typeof ZAlertsJob>

/**
 * The alerts queue's former name (it said "budgets" but evaluated every alert)
 * and its scheduler. A worker removes that scheduler and drains the jobs still
 * there (queued before the upgrade, or by a web process not yet upgraded)
 * before it serves QUEUE_ALERTS. Remove once every deployment ran such a worker.
 */
export const LEGACY_QUEUE_BUDGETS = 'budgets'
export const LEGACY_BUDGETS_SCHEDULER_ID = 'evaluate-budgets'

/**
 * Evaluate one organization's alerts soon after its rollups moved: at most one
 * waiting job per organization (deduplicated), one more if spend moves while it
 * runs. The delay gathers the batches of a few seconds into one evaluation, so a
 * busy organization is evaluated about every 5 s, not after every batch.
 */
export const EVALUATE_AFTER_INGEST_MS = 5000
export async function enqueueAlertEvaluation(orgId: string, delayMs = EVALUATE_AFTER_INGEST_MS): Promise<void> {
  await queue(QUEUE_ALERTS).add('evaluate-org', { orgId } satisfies TAlertsJob, {
    delay: delayMs,
    deduplication: { id: `evaluate-${orgId}`, keepLastIfActive: true },
    removeOnComplete: true,
    removeOnFail: { count: 100 },
  })
}

/** Notifications: one job per delivery (alert × channel, or a "send test"), retried with exponential backoff. */
export const QUEUE_NOTIFICATIONS = 'notifications'
export const ZNotificationJob = z.object({ orgId: z.uuid(), deliveryId: z.string().regex(/^\d+$/) })
export type TNotificationJob = z.infer<typeof ZNotificationJob>
export const notificationJobId = (deliveryId: string) => `delivery-${deliveryId}`
export const notificationJobOptions = (): JobsOptions => ({
  attempts: env().NOTIFICATION_ATTEMPTS,
  backoff: { type: 'exponential', delay: env().NOTIFICATION_BACKOFF_MS },
  removeOnComplete: true,
  removeOnFail: { age: 7 * DAY_S },
})

/** One job per batch; the job id makes a re-queue of a waiting batch a no-op. */
export const ingestJobId = (batchId: string) => `batch-${batchId}`

const g = globalThis as unknown as { __outlayRedis?: Redis; __outlayQueues?: Map<string, Queue>; __outlaySubscriber?: Redis }

export function redisOptions(): { url: string } {
  return { url: env().REDIS_URL }
}

/** A connection for producers: give up within 2 s while Redis is away (the batch is already durable in PostgreSQL). */
export function producerConnection(): Redis {
  if (!g.__outlayRedis) {
    g.__outlayRedis = new IORedis(env().REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2000 })
    g.__outlayRedis.on('error', () => undefined) // reported by health checks, not as unhandled events
  }
  return g.__outlayRedis
}

/**
 * A Lua script run on the producer connection by its SHA1 (EVALSHA: the script's text is sent once per Redis
 * server, not with every call), falling back to EVAL when Redis does not know it yet (a restart, a flush).
 */
export function redisScript(src: string): (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown> {
  const sha = createHash('sha1').update(src).digest('hex')
  return async (keys, args) => {
    const redis = producerConnection()
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args)
    } catch (e) {
      if (!String((e as Error).message).includes('NOSCRIPT')) throw e
      return redis.eval(src, keys.length, ...keys, ...args)
    }
  }
}

/**
 * The process's one connection in subscriber mode (Redis pub/sub: a subscribed
 * connection can run no other command). Reconnects and re-subscribes by itself
 * (ioredis autoResubscribe); messages published while it was away are lost, so
 * every subscriber also keeps a slower path of its own.
 */
export function subscriberConnection(): Redis {
  if (!g.__outlaySubscriber) {
    g.__outlaySubscriber = new IORedis(env().REDIS_URL, { maxRetriesPerRequest: null, autoResubscribe: true })
    g.__outlaySubscriber.on('error', () => undefined) // reported by health checks, not as unhandled events
  }
  return g.__outlaySubscriber
}

/** A connection for workers: BullMQ needs blocking commands that wait for Redis to come back. */
export function workerConnection(): ConnectionOptions {
  return new IORedis(env().REDIS_URL, { maxRetriesPerRequest: null })
}

/**
 * Whether Redis can take a command now. While it is away (reconnecting) the
 * ingest path must not wait on it: the batch is durable in PostgreSQL and the
 * reconciler queues it later. A first connection gets a short grace period.
 */
export async function redisAvailable(graceMs = 500): Promise<boolean> {
  const r = producerConnection()
  if (r.status === 'ready') return true
  if (r.status !== 'connecting' && r.status !== 'connect' && r.status !== 'wait') return false
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer)
      r.off('ready', onReady)
      resolve(ok)
    }
    const onReady = () => done(true)
    const timer = setTimeout(() => done(false), graceMs)
    r.once('ready', onReady)
  })
}

export function queue(name: string): Queue {
  g.__outlayQueues ??= new Map()
  let q = g.__outlayQueues.get(name)
  if (!q) {
    q = new Queue(name, { connection: producerConnection(), prefix: env().QUEUE_PREFIX })
    q.on('error', () => undefined)
    g.__outlayQueues.set(name, q)
  }
  return q
}

export async function enqueueIngest(batchIds: string[], orgId?: string): Promise<void> {
  if (batchIds.length === 0) return
  await queue(QUEUE_INGEST).addBulk(
    batchIds.map((batchId) => ({
      name: 'batch',
      data: { batchId, ...(orgId ? { orgId } : {}) } satisfies TIngestJob,
      opts: { ...ingestJobOptions, jobId: ingestJobId(batchId) },
    })),
  )
}

/** delayMs lets every worker's price-book cache (PRICE_CACHE_MS) expire first. */
export async function enqueueReprice(repriceIds: string[], delayMs = 0): Promise<void> {
  if (repriceIds.length === 0) return
  await queue(QUEUE_REPRICE).addBulk(
    repriceIds.map((repriceId) => ({
      name: 'reprice',
      data: { repriceId } satisfies TRepriceQueueJob,
      opts: { ...ingestJobOptions, delay: delayMs, jobId: repriceJobId(repriceId) },
    })),
  )
}

/** The job id makes a second enqueue of a delivery still queued or retrying a no-op; the processor skips one already finished. */
export async function enqueueNotifications(jobs: TNotificationJob[]): Promise<void> {
  if (jobs.length === 0) return
  await queue(QUEUE_NOTIFICATIONS).addBulk(
    jobs.map((data) => ({ name: 'deliver', data, opts: { ...notificationJobOptions(), jobId: notificationJobId(data.deliveryId) } })),
  )
}

export async function closeQueues(): Promise<void> {
  for (const q of g.__outlayQueues?.values() ?? []) await q.close().catch(() => undefined)
  g.__outlayQueues = undefined
  g.__outlayRedis?.disconnect()
  g.__outlayRedis = undefined
  g.__outlaySubscriber?.disconnect()
  g.__outlaySubscriber = undefined
}

export const WORKER_HEARTBEAT_KEY = () => `${env().QUEUE_PREFIX}:workers`
