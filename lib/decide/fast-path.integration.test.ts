import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { asOrg, closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { createBudget } from '@/lib/budgets'
import { ZBudgetCreate } from '@/lib/budgets/schema'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { putRoutingDefaults } from '@/lib/routing/runtime'
import { decideWithKey, decideWithKeyNow } from '@/lib/decide/http'
import { serveFast, type TFastRoute } from '@/lib/http/fast'
import { FAST_ROUTES } from '@/lib/http/fast-routes'
import { decide as decideEndpoint } from '@/lib/decide/api'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { gpt4oCall } from '@/lib/testing/events'

// Decide's synchronous path (decideWithKeyNow, lib/http/fast.ts answerWithKeyNow): when the key, the budget gates
// and the published routing are fresh in this process's memory, the web server answers without a promise. It must
// answer exactly what the promised path answers, and leave everything else to it: an unknown or unscoped key, a bad
// body, a throttled budget (its minute is counted in Redis), caches not loaded or due a check.

let orgId = ''
let ingestKey = ''
let readKey = ''

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))
// a hard-cutoff spend budget over the last day, the schema's defaults for the rest
const budget = (b: Record<string, unknown>) =>
  ZBudgetCreate.parse({ period: 'rolling', rolling_days: 1, metric: 'spend', hard_cutoff: true, cutoff_action: 'deny', throttle_per_minute: 1000, ...b })

beforeAll(async () => {
  await useTestServices('decide_fast')
  orgId = (await createOrgWithAdmin({ org_name: 'Fast Co', email: 'fast@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  await asOrg(orgId, () =>
    putRoutingDefaults(orgId, {
      defaults: [
        { workflow_id: null, provider: 'openai', model: 'gpt-4o-mini' },
        { workflow_id: 'support', provider: 'anthropic', model: 'claude-3-5-haiku-20241022' },
      ],
    }),
  )
  await createBudget(orgId, budget({ name: 'Acme (deny)', account_id: 'acme', amount_usd: '0.3' }))
  await createBudget(orgId, budget({ name: 'Bulk (throttle)', workflow_id: 'bulk', amount_usd: '0.3', cutoff_action: 'throttle' }))
  await createBudget(orgId, budget({ name: 'Support (warning only)', workflow_id: 'support', amount_usd: '0.6', hard_cutoff: false }))
  // gpt-4o: 100k input + 10k output tokens = $0.35 a call, an hour ago
  const t = new Date(Date.now() - 3_600_000).toISOString()
  const call = (id: string, over: Record<string, unknown>) => gpt4oCall(id, { timestamp: t, ...over })
  const events = [call('a1', { account_id: 'acme', workflow_id: 'other' }), call('b1', { workflow_id: 'bulk' }), call('s1', {})]
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
  await evaluateOrgAlerts(orgId, new Date(), { kinds: ['budget'] })
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe("decide's synchronous path", () => {
  it('answers nothing before the process has read the key, the gates and the policies; then exactly what the promised path answers', async () => {
    const req = enc({ workflow_id: 'support', step: 'draft' })
    expect(decideWithKeyNow(`Bearer ${ingestKey}`, 'application/json', req)).toBeUndefined() // nothing in memory yet
    const cases: Record<string, unknown>[] = [
      { workflow_id: 'support', step: 'draft' }, // warning, the workflow's default
      { workflow_id: 'other', step: 'x', account_id: 'acme' }, // denied: Retry-After
      { workflow_id: 'other', step: 'x', account_id: 'globex' }, // ok, the organization's default
      { workflow_id: 'other', step: 'x', account_id: 'acme', traffic_source: 'eval' }, // the budget counts production only
      { workflow_id: 'support', step: 'draft', environment: 'staging', run_id: 'r1', attempt: 2, confidence: 0.4 },
    ]
    const verdicts = new Set<string>()
    for (const c of cases) {
      const promised = await decideWithKey(`Bearer ${ingestKey}`, 'application/json', enc(c))
      const now = decideWithKeyNow(`Bearer ${ingestKey}`, 'application/json', enc(c))
      expect(now, JSON.stringify(c)).toEqual(promised)
      verdicts.add(`${promised.status} ${(promised.body as { budget: { action: string; state: string } }).budget.state}`)
    }
    // the cases reach every kind of answer the synchronous path gives
    expect(verdicts).toEqual(new Set(['404 warning', '404 exceeded', '404 ok']))
    const denied = decideWithKeyNow(`Bearer ${ingestKey}`, 'application/json', enc(cases[1]))
    expect(denied?.headers?.['Retry-After']).toMatch(/^\d+$/)
    expect(denied?.body).toMatchObject({ model: 'gpt-4o-mini', budget: { action: 'deny', budget_name: 'Acme (deny)' } })
  })

  it('leaves a throttled budget (counted in Redis), refusals and bad bodies to the promised path', async () => {
    const bulk = enc({ workflow_id: 'bulk', step: 'x' })
    const promised = await decideWithKey(`Bearer ${ingestKey}`, 'application/json', bulk)
    expect(promised.body).toMatchObject({ budget: { state: 'exceeded', action: 'allow', budget_name: 'Bulk (throttle)' } })
    expect(decideWithKeyNow(`Bearer ${ingestKey}`, 'application/json', bulk)).toBeUndefined()
    await decideWithKey(`Bearer ${readKey}`, 'application/json', enc({ workflow_id: 'a', step: 'b' })) // 403, and the key is cached now
    for (const [auth, type, body] of [
      [`Bearer ${readKey}`, 'application/json', enc({ workflow_id: 'a', step: 'b' })], // no ingest scope
      ['Basic abc', 'application/json', enc({ workflow_id: 'a', step: 'b' })],
      ['Bearer olk_live_unknown', 'application/json', enc({ workflow_id: 'a', step: 'b' })],
      [`Bearer ${ingestKey}`, 'text/plain', enc({ workflow_id: 'a', step: 'b' })],
      [`Bearer ${ingestKey}`, 'application/json', enc('{"workflow_id":')],
      [`Bearer ${ingestKey}`, 'application/json', enc({ workflow_id: 'a' })],
      [`Bearer ${ingestKey}`, 'application/json', enc({ workflow_id: 'a', step: 'b', extra: 1 })],
    ] as const) {
      expect(decideWithKeyNow(auth, type, body)).toBeUndefined()
      expect((await decideWithKey(auth, type, body)).status).toBeGreaterThanOrEqual(400)
    }
  })

  it('the web server answers from it without calling the promised path, and falls back to that path whenever it has no answer', async () => {
    const real = FAST_ROUTES.get(decideEndpoint.path)!
    let promised = 0
    let now: TFastRoute['answerNow'] = real.answerNow
    const route: TFastRoute = {
      ...real,
      answer: (...a) => {
        promised++
        return real.answer(...a)
      },
      answerNow: (...a) => now?.(...a),
    }
    const server = http.createServer((req, res) => serveFast(req, res, route))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${decideEndpoint.path}`
    const post = async (body: unknown) => {
      const r = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: r.status, body: await r.json(), retryAfter: r.headers.get('retry-after') }
    }
    try {
      const acme = { workflow_id: 'other', step: 'x', account_id: 'acme' }
      const first = await post(acme)
      const p = promised // the caches may have been due a check: that call took the promised path
      const again = await post(acme)
      expect(promised).toBe(p) // answered synchronously
      expect(again).toEqual(first)
      expect(again).toMatchObject({ status: 404, body: { budget: { action: 'deny' } }, retryAfter: expect.stringMatching(/^\d+$/) })
      await post({ workflow_id: 'bulk', step: 'x' })
      expect(promised).toBe(p + 1) // a throttled budget: counted in Redis on the promised path
      now = () => {
        throw new Error('broken')
      }
      expect(await post(acme)).toEqual(first) // an exception in the synchronous path: the promised path answers
      expect(promised).toBe(p + 2)
    } finally {
      server.close()
    }
  })
})
