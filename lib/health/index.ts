import 'server-only'
import { HOUR_MS } from '@/lib/domain'
import { pool } from '@/lib/db'
import { producerConnection, WORKER_HEARTBEAT_KEY } from '@/lib/queues'
import { queueLag } from '@/lib/ingest/process'

// GET /api/health: the state of the database, Redis and the workers.
const HEARTBEAT_FRESH_MS = 20_000

export type THealth = {
  status: 'ok' | 'degraded'
  database: { ok: boolean; error?: string }
  redis: { ok: boolean; error?: string }
  workers: { ok: boolean; alive: number }
  queue: { pending_batches: number; oldest_pending_s: number | null } | null
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms))])

export async function health(): Promise<THealth> {
  const [dbr, rr] = await Promise.allSettled([withTimeout(pool().query('SELECT 1'), 2000), withTimeout(producerConnection().ping(), 2000)])
  const database = dbr.status === 'fulfilled' ? { ok: true } : { ok: false, error: (dbr.reason as Error).message }
  const redis = rr.status === 'fulfilled' ? { ok: true } : { ok: false, error: (rr.reason as Error).message }
  let alive = 0
  if (redis.ok) {
    const since = Date.now() - HEARTBEAT_FRESH_MS
    alive = await producerConnection()
      .zcount(WORKER_HEARTBEAT_KEY(), since, '+inf')
      .catch(() => 0)
    void producerConnection()
      .zremrangebyscore(WORKER_HEARTBEAT_KEY(), '-inf', since - HOUR_MS)
      .catch(() => undefined)
  }
  const queue = database.ok ? await queueLag().catch(() => null) : null
  const workers = { ok: alive > 0, alive }
  return { status: database.ok && redis.ok && workers.ok ? 'ok' : 'degraded', database, redis, workers, queue }
}
