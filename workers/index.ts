import { Worker } from 'bullmq'
import IORedis from 'ioredis'
import { loadEnv } from '@/lib/env'
import { closeDb } from '@/lib/db'
import { closeQueues, QUEUE_INGEST, QUEUE_NOTIFICATIONS, QUEUE_REPRICE, WORKER_HEARTBEAT_KEY, workerConnection } from '@/lib/queues'
import { ingestProcessor } from '@/workers/processors/ingest'
import { repriceProcessor } from '@/workers/processors/reprice'
import { startAlertsWorker } from '@/workers/alerts'
import { notificationsProcessor } from '@/workers/processors/notifications'
import { reconcileOnce } from '@/workers/reconciler'
import { maintainEventsOnce } from '@/lib/ingest/retention'
import { gateRefresher } from '@/lib/budgets/gates-refresh'
import { sealPlainChannelSecrets } from '@/lib/notifications/channels'
import { hostname } from 'node:os'
import { jobLogFields, log, withJobLog } from '@/lib/log'

// Registers every processor; concurrency from the environment; clean shutdown on SIGTERM/SIGINT.
const env = loadEnv()
const workerId = `${hostname()}:${process.pid}`
const heartbeat = new IORedis(env.REDIS_URL, { maxRetriesPerRequest: 1 })
heartbeat.on('error', () => undefined)

const lock = { lockDuration: env.WORKER_LOCK_MS, stalledInterval: env.WORKER_LOCK_MS }
// Alerts (budgets and drift detectors): one scheduler for every worker process (upsert is idempotent), one evaluation
// at a time; jobs left in the queue's former name ("budgets") are processed first (workers/alerts.ts).
const alerts = startAlertsWorker({ connection: workerConnection(), prefix: env.QUEUE_PREFIX, workerOptions: lock })
alerts.started
  .then((r) => (r.processed || r.failed || r.left) && log({ component: 'worker', queue: 'budgets' }).info(r, 'former "budgets" queue drained'))
  .catch((err) => log({ component: 'worker', queue: 'alerts' }).error({ err }, 'could not move the alert evaluation to its queue'))
const workers = [
  new Worker(QUEUE_INGEST, withJobLog(ingestProcessor), {
    connection: workerConnection(),
    prefix: env.QUEUE_PREFIX,
    concurrency: env.WORKER_CONCURRENCY,
    ...lock,
  }),
  // Re-pricing is long and rare: one at a time per process keeps ingest responsive.
  new Worker(QUEUE_REPRICE, withJobLog(repriceProcessor), { connection: workerConnection(), prefix: env.QUEUE_PREFIX, concurrency: 1, ...lock }),
  alerts.worker,
  // Notifications wait on receivers' HTTP and SMTP servers, not on this process: a few at once.
  new Worker(QUEUE_NOTIFICATIONS, withJobLog(notificationsProcessor), { connection: workerConnection(), prefix: env.QUEUE_PREFIX, concurrency: 4, ...lock }),
]
for (const w of workers) {
  w.on('failed', (job, err) => log({ component: 'worker', ...jobLogFields(job, w.name) }).error({ err, attempt: job?.attemptsMade }, 'job failed'))
  w.on('error', (err) => log({ component: 'worker', queue: w.name }).error({ err }, 'worker error'))
}

async function beat() {
  await heartbeat.zadd(WORKER_HEARTBEAT_KEY(), Date.now(), workerId).catch(() => undefined)
}
async function reconcile() {
  await reconcileOnce(env.RECONCILE_AFTER_SECONDS).catch((err) => log({ component: 'reconciler' }).error({ err }, 'reconciliation failed'))
}
// inference_events: monthly partitions created ahead of time and each organization's raw-event retention applied
// (lib/ingest/retention.ts), at start and every hour; one worker process at a time (advisory lock).
async function maintainEvents() {
  await maintainEventsOnce().catch((err) => log({ component: 'events-maintenance' }).error({ err }, 'events maintenance failed'))
}
void beat()
void reconcile()
void maintainEvents()
// Channel URLs and secrets stored before they were encrypted at rest are sealed once (a no-op afterwards).
void sealPlainChannelSecrets()
  .then((n) => n && log({ component: 'worker' }).info({ channels: n }, 'sealed the URL and secret of notification channels'))
  .catch((err) => log({ component: 'worker' }).error({ err }, 'could not seal channel secrets'))
const timers = [
  setInterval(beat, 5_000),
  setInterval(reconcile, Math.max(1000, Math.floor((env.RECONCILE_AFTER_SECONDS * 1000) / 2))),
  setInterval(maintainEvents, 3_600_000),
]
log({ component: 'worker' }).info({ worker_id: workerId, queues: workers.map((w) => w.name), concurrency: env.WORKER_CONCURRENCY }, 'started')

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  log({ component: 'worker' }).info({ signal }, 'finishing active jobs')
  timers.forEach(clearInterval)
  await Promise.all(workers.map((w) => (w === alerts.worker ? alerts.close() : w.close())))
  await gateRefresher().idle() // a gate refresh an ingest job started after its commit
  await heartbeat.zrem(WORKER_HEARTBEAT_KEY(), workerId).catch(() => undefined)
  heartbeat.disconnect()
  await closeQueues()
  await closeDb()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
