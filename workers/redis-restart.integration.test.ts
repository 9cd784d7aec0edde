import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { useTestServices, ownerPool } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents } from '@/lib/ingest/accept'

// A Redis of our own (this machine's Redis keeps nothing on disk either), killed
// and restarted empty in the middle of ingestion: every accepted event is
// counted exactly once after recovery, including those accepted while it was down.

const PORT = 6391
let redis: ChildProcess | null = null
let worker: ChildProcess | null = null
let orgId = ''

function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  return new Promise((resolve) => setTimeout(resolve, 300))
}
const stop = (c: ChildProcess | null) => {
  try {
    if (c?.pid) process.kill(-c.pid, 'SIGKILL')
  } catch {
    c?.kill('SIGKILL')
  }
}
async function until(pred: () => Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
const counts = async () =>
  (
    await ownerPool().query<{ events: number; rolled: number; rolled_daily: number; pending: number }>(
      `SELECT (SELECT count(*) FROM inference_events WHERE org_id = $1)::int AS events,
            (SELECT coalesce(sum(events), 0) FROM rollups_hourly WHERE org_id = $1)::int AS rolled,
            (SELECT coalesce(sum(events), 0) FROM rollups_daily_workflows WHERE org_id = $1)::int AS rolled_daily,
            (SELECT count(*) FROM ingest_batches WHERE processed_at IS NULL)::int AS pending`,
      [orgId],
    )
  ).rows[0]

beforeAll(async () => {
  await useTestServices('redis_restart')
  process.env.REDIS_URL = `redis://127.0.0.1:${PORT}`
  await startRedis()
  orgId = (await createOrgWithAdmin({ org_name: 'Restart Co', email: 'restart@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  worker = spawn('npx', ['tsx', 'workers/index.ts'], {
    env: { ...process.env, RECONCILE_AFTER_SECONDS: '1', WORKER_LOCK_MS: '2000' },
    detached: true,
    stdio: 'ignore',
  })
})
afterAll(async () => {
  stop(worker)
  redis?.kill('SIGKILL')
  await closeQueues()
  await closeDb()
})

it('loses nothing and counts nothing twice across a Redis restart that loses its data', async () => {
  const t = new Date(Date.now() - 60_000).toISOString()
  const send = async (from: number, to: number) => {
    for (let b = from; b < to; b++) {
      const events = Array.from({ length: 50 }, (_, i) => ({
        id: `r-${b}-${i}`,
        timestamp: t,
        workflow_id: 'w',
        step: 's',
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 100,
      }))
      expect((await acceptEvents({ orgId }, { events })).accepted).toBe(50)
    }
  }
  await send(0, 40)
  await until(async () => (await counts()).events > 0, 30_000, 'the worker to start')

  redis!.kill('SIGKILL') // the queue, with whatever it still held, is gone
  await send(40, 60) // accepted while Redis is down: durable in PostgreSQL, queued later
  await startRedis() // empty

  await until(async () => (await counts()).pending === 0, 60_000, 'every batch to be processed')
  expect(await counts()).toEqual({ events: 3000, rolled: 3000, rolled_daily: 3000, pending: 0 })
}, 120_000)
