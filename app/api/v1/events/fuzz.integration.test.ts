import { afterAll, beforeAll, expect, it } from 'vitest'
import fc from 'fast-check'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { POST } from '@/app/api/v1/events/route'
import { fastRouteFor, serveFast } from '@/lib/http/fast'
import { FAST_ROUTES } from '@/lib/http/fast-routes'

// Generated bodies thrown at both ways in: the Next.js route, and the web
// server's fast path over real HTTP (what server.ts serves API-key calls
// with). Every answer is a 2xx/4xx with a readable error, never a 500, and
// the counts stay exact.

let key = ''
let orgId = ''
let acceptedTotal = 0

const validEvent = fc.record({
  id: fc.string({ minLength: 1, maxLength: 20 }),
  workflow_id: fc.constantFrom('support-agent', 'email', 'x'),
  step: fc.constantFrom('generate', 'classify'),
  provider: fc.constantFrom('openai', 'anthropic', 'nobody'),
  model: fc.constantFrom('gpt-4o-mini', 'claude-haiku-4-5', 'mystery'),
  tokens_in: fc.nat({ max: 100_000 }),
  tokens_out: fc.nat({ max: 10_000 }),
})
const nasty = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 2000 }),
  fc.constantFrom(-1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, '12', null, true, [], {}, '\u0000', '😀'.repeat(300)),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'a', 'toString'), fc.string(), { maxKeys: 3 }),
  fc.letrec((tie) => ({ deep: fc.oneof({ depthSize: 'small' }, fc.constant(1), fc.array(tie('deep'), { maxLength: 2 })) })).deep,
)
const mutatedEvent = fc
  .tuple(validEvent, fc.constantFrom('id', 'workflow_id', 'tokens_in', 'cached_tokens_in', 'timestamp', 'metadata', 'outcome', '__proto__', 'extra'), nasty)
  .map(([e, k, v]) => ({ ...e, [k]: v }))
const body = fc.oneof(
  fc.record({ events: fc.array(fc.oneof(validEvent, mutatedEvent, nasty), { minLength: 1, maxLength: 30 }) }).map((b) => JSON.stringify(b)),
  nasty.map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.string({ maxLength: 300 }),
  fc
    .record({ events: fc.array(validEvent, { maxLength: 3 }) })
    .map((b) => JSON.stringify(b).replace('"events"', '"events", "__proto__": {"polluted": 1}, "x"')),
)
const bytes = fc.oneof(
  body.map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 300 }), // invalid UTF-8 and worse
)

let fastServer: http.Server
let fastUrl = ''

async function post(payload: Uint8Array, contentType = 'application/json', via: 'route' | 'fast' = 'route'): Promise<Response> {
  const init = { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body: payload as Uint8Array<ArrayBuffer> }
  return via === 'route' ? POST(new Request('http://x/api/v1/events', init)) : fetch(`${fastUrl}/api/v1/events`, init)
}

beforeAll(async () => {
  await useTestServices('fuzz')
  orgId = (await createOrgWithAdmin({ org_name: 'Fuzz Co', email: 'fuzz@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  key = (await createTestApiKey(orgId, { name: 'k', scopes: ['ingest'] })).key
  fastServer = http.createServer((req, res) => {
    const route = fastRouteFor(req, FAST_ROUTES)
    if (route) return serveFast(req, res, route)
    res.writeHead(404).end()
  })
  await new Promise<void>((ok) => fastServer.listen(0, '127.0.0.1', ok))
  fastUrl = `http://127.0.0.1:${(fastServer.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((ok) => fastServer.close(ok))
  await closeQueues()
  await closeDb()
})

it('answers every generated body with a 2xx/4xx and a readable error, and keeps the counts exact', async () => {
  await fc.assert(
    fc.asyncProperty(
      bytes,
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'),
      fc.constantFrom('route', 'fast' as const),
      async (payload, ct, via) => {
        const res = await post(payload, ct, via)
        expect([202, 400, 413, 415]).toContain(res.status)
        const json = await res.json()
        if (res.status === 202) {
          const sent = JSON.parse(new TextDecoder().decode(payload)).events.length
          expect(json.accepted + json.duplicates + json.rejected.length).toBe(sent)
          for (const r of json.rejected) for (const line of r.errors) expect(line).toMatch(/^\S.*: \S/) // "field: reason"
          acceptedTotal += json.accepted
          for (const id of await pendingBatches(0)) await processBatch(id)
        } else {
          expect(typeof json.error.message).toBe('string')
          expect(json.error.message.length).toBeGreaterThan(5)
        }
      },
    ),
    { numRuns: 300, seed: 20261125 },
  )
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  const stored = await ownerPool().query<{ n: number }>('SELECT count(*)::int AS n FROM inference_events WHERE org_id = $1', [orgId])
  expect(stored.rows[0].n).toBe(acceptedTotal)
  const rolled = await ownerPool().query<{ n: number }>('SELECT coalesce(sum(events), 0)::int AS n FROM rollups_hourly WHERE org_id = $1', [orgId])
  expect(rolled.rows[0].n).toBe(acceptedTotal)
}, 120_000)

it('rejects a body over 1 MiB and a string of megabytes with 413, on both ways in', async () => {
  const big = new TextEncoder().encode(
    JSON.stringify({ events: [{ id: 'big', workflow_id: 'x'.repeat(2 * 1024 * 1024), step: 's', provider: 'p', model: 'm' }] }),
  )
  for (const via of ['route', 'fast'] as const) {
    const res = await post(big, 'application/json', via)
    expect(res.status, via).toBe(413)
    expect((await res.json()).error.code).toBe('payload_too_large')
  }
})

it('the fast path answers like the route: 401 without a valid key, 403 without the ingest scope, 415, and the same acceptance', async () => {
  const readKey = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  const call = (
    auth: string,
    ct = 'application/json',
    body = '{"events":[{"id":"fast-1","workflow_id":"w","step":"s","provider":"openai","model":"gpt-4o-mini","tokens_in":5}]}',
  ) => fetch(`${fastUrl}/api/v1/events?ignored=1`, { method: 'POST', headers: { authorization: auth, 'content-type': ct }, body })
  expect((await call('Bearer ol_nope')).status).toBe(401)
  expect((await call('Basic abc')).status).toBe(401)
  const forbidden = await call(`Bearer ${readKey}`)
  expect(forbidden.status).toBe(403)
  expect((await forbidden.json()).error.message).toMatch(/"ingest" scope/)
  expect((await call(`Bearer ${key}`, 'text/plain')).status).toBe(415)
  const ok = await call(`Bearer ${key}`)
  expect(ok.status).toBe(202)
  expect(await ok.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] })
  const outcome = await fetch(`${fastUrl}/api/v1/outcomes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: '{"outcomes":[{"id":"o1","workflow_id":"w","accepted":"yes"}]}',
  })
  expect(outcome.status).toBe(202)
  expect((await outcome.json()).rejected[0].errors[0]).toMatch(/^accepted: /)
})
