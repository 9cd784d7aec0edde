import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import IORedis from 'ioredis'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, producerConnection, WORKER_HEARTBEAT_KEY } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { createBudget, type TBudgetInput } from '@/lib/budgets'
import { gatesFor, publishGates, type TBudgetGate } from '@/lib/budgets/enforce'
import { decideWithKey } from '@/lib/decide/http'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { gpt4oCall } from '@/lib/testing/events'

// A budget verdict follows the spend: events accepted by the API → a real
// worker process (its own PostgreSQL and Redis connections) commits them and
// publishes the organization's gates on Redis pub/sub → this process, serving
// decide like a web process, denies the calls the exceeded budget covers. The
// bound (≤ 2 s) is measured by npm run bench:decide; here the wait is polled
// with a generous timeout and the time taken is printed.

let orgId = ''
let ingestKey = ''
let env: NodeJS.ProcessEnv = process.env
const children: ChildProcess[] = []

const base: TBudgetInput = {
  name: '',
  environment: null,
  workflow_id: null,
  account_id: null,
  feature: null,
  traffic_sources: ['production'],
  period: 'rolling',
  rolling_days: 1,
  metric: 'spend',
  amount_usd: '0.5',
  thresholds: [50, 80, 100],
  hard_cutoff: true,
  cutoff_action: 'deny',
  throttle_per_minute: 60,
  owner: null,
}
// gpt-4o: 100k input + 10k output tokens = $0.35 a call
const call = (id: string, over: Record<string, unknown> = {}) => gpt4oCall(id, { timestamp: new Date(Date.now() - 60_000).toISOString(), ...over })
const gate = (id: string, over: Partial<TBudgetGate> = {}): TBudgetGate => ({
  id,
  name: `Gate ${id}`,
  environment: null,
  workflow_id: 'support',
  account_id: null,
  feature: null,
  traffic_sources: ['production'],
  state: 'exceeded',
  hard_cutoff: true,
  cutoff_action: 'deny',
  throttle_per_minute: 60,
  until: null,
  ...over,
})

async function decideFor(workflow_id: string): Promise<{ action: string; budget_name?: string }> {
  const r = await decideWithKey(`Bearer ${ingestKey}`, 'application/json', new TextEncoder().encode(JSON.stringify({ workflow_id, step: 'draft' })))
  return (r.body as { budget: { action: string; budget_name?: string } }).budget
}
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, what: string): Promise<{ value: T; ms: number }> {
  const t0 = Date.now()
  for (;;) {
    const value = await read()
    if (done(value)) return { value, ms: Date.now() - t0 }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(value)})`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

beforeAll(async () => {
  await useTestServices('verdicts')
  env = { ...process.env, WORKER_CONCURRENCY: '2' }
  orgId = (await createOrgWithAdmin({ org_name: 'Verdict Co', email: 'verdict@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
})
afterAll(async () => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL')
    } catch {
      /* already gone */
    }
  }
  await closeQueues()
  await closeDb()
})

describe('gates on Redis', () => {
  it('keeps the newer measurement when two evaluations finish out of order', async () => {
    const org = crypto.randomUUID()
    expect(await publishGates(org, [gate('newer')], 2_000)).toBe(true)
    expect(await publishGates(org, [gate('older')], 1_000)).toBe(false)
    expect((await gatesFor(org)).map((g) => g.id)).toEqual(['newer'])
    expect(await publishGates(org, [], 3_000)).toBe(true)
    expect(await gatesFor(org)).toEqual([])
  })

  it('applies an announcement to the copy in memory without reading Redis', async () => {
    const org = crypto.randomUUID()
    expect(await gatesFor(org)).toEqual([]) // served here now, and subscribed
    // announced only (the stored key stays empty): only the subscription can bring this gate
    const other = new IORedis(process.env.REDIS_URL!)
    try {
      const announce = () => other.publish(`${process.env.QUEUE_PREFIX}:budget-gates`, JSON.stringify({ org_id: org, gates: [gate('announced')] }))
      const { value } = await until(
        async () => {
          await announce()
          return gatesFor(org)
        },
        (gs) => gs.length === 1,
        10_000,
        'the announced gate',
      )
      expect(value[0]).toMatchObject({ id: 'announced', state: 'exceeded', cutoff_action: 'deny' })
    } finally {
      other.disconnect()
    }
  })
})

describe('a verdict follows the spend through a real worker process', () => {
  it('denies the calls of an exceeded hard-cutoff budget soon after its events are accepted, and leaves others alone', async () => {
    children.push(spawn('npx', ['tsx', 'workers/index.ts'], { env, detached: true, stdio: 'ignore' }))
    await createBudget(orgId, { ...base, name: 'Support daily (deny)', workflow_id: 'support' })
    await until(
      () => producerConnection().zcard(WORKER_HEARTBEAT_KEY()),
      (n) => n > 0,
      60_000,
      'the worker to start',
    )
    expect((await decideFor('support')).action).toBe('allow')

    const r = await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events: [call('v1'), call('v2')] } })) // $0.70 of $0.50
    expect(r.status).toBe(202)
    const { value, ms } = await until(
      () => decideFor('support'),
      (b) => b.action === 'deny',
      60_000,
      'decide to deny',
    )
    console.log(`[verdicts] decide denied ${ms} ms after the events were accepted (bench:decide measures the bound)`)
    expect(value).toMatchObject({ action: 'deny', budget_name: 'Support daily (deny)' })
    expect((await decideFor('search')).action).toBe('allow')
  })
})
