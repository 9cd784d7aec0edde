import { afterAll, beforeAll, expect, it } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { pendingBatches, processBatch, queueLag } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'

// The backlog bound follows the workers' pace: INGEST_MAX_BACKLOG_SECONDS of the events they counted in the
// last 10 s (never below INGEST_MIN_BACKLOG_EVENTS), so the same backlog is refused while the workers are slow
// and admitted once they count faster.

let key = ''
const batch = (prefix: string, n: number) => ({
  events: Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 10 })),
})
const post = (body: unknown) =>
  postEvents(
    new Request('http://x/api/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )
const drain = async () => {
  for (const id of await pendingBatches(0)) await processBatch(id)
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  await useTestServices('backlog')
  process.env.INGEST_MAX_BACKLOG_SECONDS = '1'
  process.env.INGEST_MIN_BACKLOG_EVENTS = '50'
  process.env.INGEST_MAX_PENDING_EVENTS = '100000'
  const orgId = (await createOrgWithAdmin({ org_name: 'Backlog Co', email: 'backlog@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  key = (await createTestApiKey(orgId, { name: 'k', scopes: ['ingest'] })).key
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

it('refuses a backlog past a second of the workers’ pace, and admits the same backlog once they count faster', async () => {
  expect((await post(batch('a', 100))).status).toBe(202)
  await drain()
  expect((await queueLag()).processed_events_per_s).toBe(10) // 100 events counted in the last 10 s

  // 60 waiting against a bound of max(50, 10/s × 1 s) = 50
  expect((await post(batch('b', 60))).status).toBe(202)
  await sleep(600) // the web tier re-reads the backlog twice a second
  const refused = await post(batch('c', 1))
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1')
  expect((await refused.json()).error.message).toBe(
    'Outlay is catching up on a backlog (60 events waiting, about 6.0 s of work at 10 events/s): retry after 1 s',
  )

  // the workers count 1,060 events in 10 s: the bound is 106, and 60 waiting pass
  await drain()
  await sleep(600)
  expect((await post(batch('d', 900))).status).toBe(202)
  await drain()
  expect((await post(batch('e', 60))).status).toBe(202)
  await sleep(600)
  expect((await post(batch('f', 1))).status).toBe(202)
})
