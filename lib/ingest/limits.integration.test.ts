import { afterAll, beforeAll, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, prisma, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { ingestSpans } from '@/lib/otlp/receive'
import type { TOtlpSpan } from '@/lib/otlp/decode'
import { answerProblem } from '@/lib/http/contract-check'
import { ingestEvents } from '@/lib/ingest/api'

// Back-pressure: 429 with Retry-After, never a slowdown, and nothing of a refused request is kept.

let key = ''
let orgId = ''
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
const stored = async () =>
  (await ownerPool().query<{ n: number }>('SELECT coalesce(sum(event_count), 0)::int AS n FROM ingest_batches WHERE org_id = $1', [orgId])).rows[0].n
const drain = async () => {
  for (const id of await pendingBatches(0)) await processBatch(id)
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  await useTestServices('limits')
  process.env.INGEST_MAX_PENDING_EVENTS = '200'
  orgId = (await createOrgWithAdmin({ org_name: 'Limit Co', email: 'limit@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  await prisma().organization.update({ where: { id: orgId }, data: { ingestRateLimit: 100 } }) // burst: 200 events
  key = (await createTestApiKey(orgId, { name: 'k', scopes: ['ingest'] })).key
  // Outside production the route checks its answers against the declaration; the first check of each status compiles
  // its validator (near a second on a busy machine), which would refill the token bucket between the tests' requests.
  answerProblem(ingestEvents, 202, 'application/json', { accepted: 0, duplicates: 0, rejected: [] })
  answerProblem(ingestEvents, 429, 'application/json', { error: { code: 'rate_limited', message: 'warm-up' } })
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

it("answers 429 with Retry-After past the organization's rate, keeping nothing of the refused request", async () => {
  expect((await post(batch('a', 150))).status).toBe(202)
  await drain()
  const refused = await post(batch('b', 150))
  expect(refused.status).toBe(429)
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  expect((await refused.json()).error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('100 events per second') })
  expect(await stored()).toBe(150)
  await sleep(1100) // 110 tokens back: a small batch fits again
  expect((await post(batch('c', 50))).status).toBe(202)
  await drain()
})

it('answers 429 while the backlog of accepted events no worker has counted is past its bound', async () => {
  await sleep(2100) // a full bucket: 200 events
  expect((await post(batch('d', 150))).status).toBe(202)
  await sleep(1100) // 110 tokens back
  expect((await post(batch('e', 100))).status).toBe(202) // 250 events waiting, bound 200
  await sleep(600) // the web tier re-reads the backlog twice a second
  const refused = await post(batch('g', 1))
  expect(refused.status).toBe(429)
  expect(refused.headers.get('retry-after')).toBe('1')
  expect((await refused.json()).error.message).toMatch(/backlog \(250 events waiting, about [\d.]+ s of work at \d+ events\/s\)/)
  await drain()
  await sleep(600)
  expect((await post(batch('h', 1))).status).toBe(202)
})

it('charges every submitted event to the rate, rejected ones too: a batch of nothing but bad events is throttled', async () => {
  const junkOrg = (await createOrgWithAdmin({ org_name: 'Junk Co', email: 'junk@example.com', password: 'password-123' })).org.id
  await prisma().organization.update({ where: { id: junkOrg }, data: { ingestRateLimit: 100 } }) // burst: 200 events
  const junkKey = (await createTestApiKey(junkOrg, { name: 'k', scopes: ['ingest'] })).key
  const postJunk = (n: number, valid = 0) =>
    postEvents(
      new Request('http://x/api/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${junkKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [...batch(`v${n}`, valid).events, ...Array.from({ length: n }, (_, i) => ({ id: `bad-${i}`, workflow_id: 'w' }))] }),
      }),
    )
  const first = await postJunk(150)
  expect(first.status).toBe(202)
  expect((await first.json()).rejected).toHaveLength(150)
  const refused = await postJunk(150)
  expect(refused.status).toBe(429)
  expect((await refused.json()).error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('100 events per second') })
  await sleep(2100) // a full bucket again
  // A mixed batch is charged for all it holds: 150 rejected + 50 valid take the whole burst of 200.
  expect((await postJunk(150, 50)).status).toBe(202)
  expect((await postJunk(0, 10)).status).toBe(429)
  const kept = await ownerPool().query<{ n: number }>('SELECT coalesce(sum(event_count), 0)::int AS n FROM ingest_batches WHERE org_id = $1', [junkOrg])
  expect(kept.rows[0].n).toBe(50)
  await drain()
})

it('charges OTLP GenAI spans refused while mapping to the rate as well', async () => {
  const otlpOrg = (await createOrgWithAdmin({ org_name: 'Otlp Junk', email: 'otlp-junk@example.com', password: 'password-123' })).org.id
  const badSpans = (n: number): TOtlpSpan[] =>
    Array.from({ length: n }, () => ({
      traceId: 'not-hex',
      spanId: 'nope',
      name: 'chat',
      startTimeUnixNano: null,
      endTimeUnixNano: null,
      statusCode: 0,
      statusMessage: null,
      attributes: { 'gen_ai.system': 'openai' },
      resource: {},
    }))
  const first = await ingestSpans({ orgId: otlpOrg, rateLimit: 100 }, badSpans(150))
  expect(first).toMatchObject({
    accepted: 0,
    rejected: expect.arrayContaining([expect.objectContaining({ errors: expect.arrayContaining(['traceId: must be 32 hex characters, not all zero']) })]),
  })
  expect(first.rejected).toHaveLength(150)
  await expect(ingestSpans({ orgId: otlpOrg, rateLimit: 100 }, badSpans(150))).rejects.toMatchObject({ httpStatus: 429 })
})
