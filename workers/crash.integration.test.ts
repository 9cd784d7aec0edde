import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { useTestServices, ownerPool } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents } from '@/lib/ingest/accept'
import { fromScaled } from '@/lib/cost/money'

// kill -9 of a real worker process in the middle of a backlog: after a new
// worker takes over, every accepted event is counted exactly once.

const BATCHES = 200
const PER_BATCH = 100
let env: NodeJS.ProcessEnv = process.env
let orgId = ''
const children: ChildProcess[] = []

function startWorker(): ChildProcess {
  const child = spawn('npx', ['tsx', 'workers/index.ts'], { env, detached: true, stdio: 'ignore' })
  children.push(child)
  return child
}
const killGroup = (c: ChildProcess, signal: NodeJS.Signals) => {
  try {
    process.kill(-c.pid!, signal)
  } catch {
    /* already gone */
  }
}
async function processedBatches(): Promise<number> {
  const r = await ownerPool().query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches WHERE processed_at IS NOT NULL')
  return r.rows[0].n
}
async function until(pred: () => Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

beforeAll(async () => {
  await useTestServices('crash')
  // the backlog is built on purpose with no worker running (20,000 events): above the back-pressure floor
  process.env.INGEST_MIN_BACKLOG_EVENTS = '100000'
  process.env.INGEST_MAX_PENDING_EVENTS = '100000'
  env = { ...process.env, WORKER_CONCURRENCY: '4', WORKER_LOCK_MS: '3000', RECONCILE_AFTER_SECONDS: '2' }
  orgId = (await createOrgWithAdmin({ org_name: 'Crash Co', email: 'crash@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
})
afterAll(async () => {
  children.forEach((c) => killGroup(c, 'SIGKILL'))
  await closeQueues()
  await closeDb()
})

it('kill -9 of a worker mid-backlog loses no event and counts none twice', async () => {
  const t = new Date(Date.now() - 60_000).toISOString()
  for (let b = 0; b < BATCHES; b++) {
    const events = Array.from({ length: PER_BATCH }, (_, i) => ({
      id: `k-${b}-${i}`,
      timestamp: t,
      workflow_id: 'crash',
      step: 's',
      account_id: `acct-${i % 7}`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 1000,
      tokens_out: 100,
    }))
    // A few ids repeat across batches: they must still count once.
    if (b > 0) events[0].id = `k-${b - 1}-1`
    await acceptEvents({ orgId }, { events })
  }
  const first = startWorker()
  await until(async () => (await processedBatches()) >= 5, 60_000, 'the first worker to start processing')
  killGroup(first, 'SIGKILL')
  const atKill = await processedBatches()
  expect(atKill).toBeLessThan(BATCHES) // it really died mid-backlog

  startWorker()
  await until(async () => (await processedBatches()) === BATCHES, 90_000, 'the second worker to finish the backlog')

  const unique = BATCHES * PER_BATCH - (BATCHES - 1)
  const r = await ownerPool().query<{
    events: string
    rolled: string
    cost: string
    rolled_cost: string
    daily: string
    daily_cost: string
    daily_models: string
  }>(
    `SELECT (SELECT count(*) FROM inference_events WHERE org_id = $1)::text AS events,
            (SELECT sum(events) FROM rollups_hourly WHERE org_id = $1)::text AS rolled,
            (SELECT sum(cost_usd) FROM inference_events WHERE org_id = $1)::text AS cost,
            (SELECT sum(cost_usd) FROM rollups_hourly WHERE org_id = $1)::text AS rolled_cost,
            (SELECT sum(events) FROM rollups_daily WHERE org_id = $1)::text AS daily,
            (SELECT sum(cost_usd) FROM rollups_daily WHERE org_id = $1)::text AS daily_cost,
            (SELECT sum(events) FROM rollups_daily_models WHERE org_id = $1)::text AS daily_models`,
    [orgId],
  )
  expect(Number(r.rows[0].events)).toBe(unique)
  expect(Number(r.rows[0].rolled)).toBe(unique)
  // the daily rollups move in the same transaction: exactly once too
  expect(Number(r.rows[0].daily)).toBe(unique)
  expect(Number(r.rows[0].daily_models)).toBe(unique)
  expect(r.rows[0].daily_cost).toBe(r.rows[0].cost)
  // 1000·0.15 + 100·0.60 = 210 µ$ per event
  expect(r.rows[0].rolled_cost).toBe(r.rows[0].cost)
  expect(r.rows[0].cost).toBe(fromScaled(BigInt(unique) * 210n, 6) + '000000')
}, 180_000)
