import { afterAll, beforeAll, expect, it } from 'vitest'
import { useTestServices } from '@/lib/testing/services'
import { closeDb } from '@/lib/db'
import { closeQueues, producerConnection, WORKER_HEARTBEAT_KEY } from '@/lib/queues'
import { health } from '@/lib/health'

beforeAll(async () => {
  await useTestServices('health')
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

it('is degraded without a live worker and ok with one', async () => {
  const before = await health()
  expect(before).toMatchObject({ status: 'degraded', database: { ok: true }, redis: { ok: true }, workers: { ok: false, alive: 0 } })
  await producerConnection().zadd(WORKER_HEARTBEAT_KEY(), Date.now(), 'test-worker')
  const after = await health()
  expect(after).toMatchObject({ status: 'ok', workers: { ok: true, alive: 1 }, queue: { pending_batches: 0, oldest_pending_s: null } })
  // A heartbeat older than the freshness window does not count.
  await producerConnection().zadd(WORKER_HEARTBEAT_KEY(), Date.now() - 60_000, 'test-worker')
  expect((await health()).workers.alive).toBe(0)
})
