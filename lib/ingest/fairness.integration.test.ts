import { afterAll, beforeAll, expect, it } from 'vitest'
import { useTestServices, createTestApiKey, ownerPool } from '@/lib/testing/services'
import { closeDb } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'

// The backlog bound is shared: past it, an organization holding more than its share (the bound divided among
// the organizations with events waiting) gets 429, and the others are still admitted. No worker runs here:
// batches wait until the test counts them.

const keys: Record<'flood' | 'quiet', string> = { flood: '', quiet: '' }
const orgIds: Record<'flood' | 'quiet', string> = { flood: '', quiet: '' }
let seq = 0
const batch = (n: number) => ({
  events: Array.from({ length: n }, () => ({ id: `e-${seq++}`, workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 10 })),
})
const post = (who: 'flood' | 'quiet', n: number) =>
  postEvents(
    new Request('http://x/api/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[who]}`, 'content-type': 'application/json' },
      body: JSON.stringify(batch(n)),
    }),
  )
const waiting = async (who: 'flood' | 'quiet') =>
  (
    await ownerPool().query<{ n: number }>('SELECT coalesce(sum(event_count), 0)::int AS n FROM ingest_batches WHERE org_id = $1 AND processed_at IS NULL', [
      orgIds[who],
    ])
  ).rows[0].n
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const reread = () => sleep(600) // the web tier re-reads the backlog twice a second

beforeAll(async () => {
  await useTestServices('fairness')
  process.env.INGEST_MAX_BACKLOG_SECONDS = '1'
  process.env.INGEST_MIN_BACKLOG_EVENTS = '100' // no batch counted yet: the bound is this floor
  process.env.INGEST_MAX_PENDING_EVENTS = '100000'
  for (const who of ['flood', 'quiet'] as const) {
    orgIds[who] = (await createOrgWithAdmin({ org_name: `${who} Co`, email: `${who}@example.com`, password: 'password-123' })).org.id
    keys[who] = (await createTestApiKey(orgIds[who], { name: 'k', scopes: ['ingest'] })).key
  }
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

it('refuses a flooding tenant past its share while a quiet tenant is still admitted, up to its own share', async () => {
  // Alone, the flooder may fill the whole bound (100), and one batch past it.
  expect((await post('flood', 80)).status).toBe(202)
  await reread()
  expect((await post('flood', 80)).status).toBe(202)
  await reread()
  const refused = await post('flood', 1)
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1')
  expect((await refused.json()).error.message).toBe('Outlay is catching up on a backlog (160 events waiting): retry after 1 s')

  // The backlog is past its bound, yet the quiet tenant, holding nothing of it, is admitted: its share is 100 / 2.
  expect((await post('quiet', 30)).status).toBe(202)
  await reread()
  const still = await post('flood', 1)
  expect(still.status).toBe(429)
  expect((await still.json()).error.message).toBe(
    'Outlay is catching up on a backlog (190 events waiting; this organization has 160 of them, past its share of 50 while 2 organizations have events waiting): retry after 1 s',
  )
  expect((await post('quiet', 30)).status).toBe(202) // 30 waiting ≤ 50
  await reread()
  // 60 waiting: past its share, the quiet tenant is held back too.
  const quietRefused = await post('quiet', 1)
  expect(quietRefused.status).toBe(429)
  expect((await quietRefused.json()).error.message).toContain('this organization has 60 of them, past its share of 50')
  expect([await waiting('flood'), await waiting('quiet')]).toEqual([160, 60])

  // Once the workers have counted the backlog, both are admitted again.
  for (const id of await pendingBatches(0)) await processBatch(id)
  await reread()
  expect((await post('flood', 1)).status).toBe(202)
  expect((await post('quiet', 1)).status).toBe(202)
})
