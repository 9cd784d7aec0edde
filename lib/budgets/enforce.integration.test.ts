import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Worker } from 'bullmq'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, QUEUE_ALERTS, QUEUE_INGEST, workerConnection } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { budgetHistory, createBudget, type TBudgetInput } from '@/lib/budgets'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { stateHistory } from '@/lib/budgets/enforce'
import { GET as getHistory } from '@/app/api/v1/budgets/[id]/history/route'
import { decide } from '@/lib/decide'
import { decideWithKey } from '@/lib/decide/http'
import { ingestProcessor } from '@/workers/processors/ingest'
import { alertsProcessor } from '@/workers/processors/alerts'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postDecide } from '@/app/api/v1/decide/route'
import { gpt4oCall } from '@/lib/testing/events'

// Spend pushed over hard-cutoff budgets through the ingest API; decide flips
// to throttle / deny once an evaluation (injected clock) has seen it, and
// recovers in the next period. Events are recorded whatever decide says.

let orgId = ''
let ingestKey = ''
let readKey = ''
const budgetIds: Record<string, string> = {}

// gpt-4o: 100k input + 10k output tokens = $0.35 a call
const call = (id: string, timestamp: string, over: Record<string, unknown> = {}) => gpt4oCall(id, { timestamp, ...over })
async function post(events: Record<string, unknown>[]) {
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
}
async function ingest(events: Record<string, unknown>[]) {
  await post(events)
  for (const id of await pendingBatches(0)) await processBatch(id)
}
const base: TBudgetInput = {
  name: '',
  environment: null,
  workflow_id: null,
  account_id: null,
  feature: null,
  traffic_sources: ['production'],
  period: 'day',
  rolling_days: null,
  metric: 'spend',
  amount_usd: '1',
  thresholds: [50, 80, 100],
  hard_cutoff: true,
  cutoff_action: 'throttle',
  throttle_per_minute: 3,
  owner: null,
}
const at = (iso: string) => new Date(iso)
const evaluateBudgets = (now: Date) => evaluateOrgAlerts(orgId, now, { kinds: ['budget'] })
const verdict = async (req: Record<string, unknown>, now: string) =>
  (await decide(orgId, { workflow_id: 'support', step: 'draft', ...req }, { now: at(now) })).answer.budget

beforeAll(async () => {
  await useTestServices('enforce')
  orgId = (await createOrgWithAdmin({ org_name: 'Cutoff Co', email: 'cutoff@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  budgetIds.throttle = (await createBudget(orgId, { ...base, name: 'Support daily (throttle)', workflow_id: 'support' })).id
  budgetIds.deny = (
    await createBudget(orgId, {
      ...base,
      name: 'Acme monthly (deny)',
      period: 'month',
      environment: 'production',
      account_id: 'acme',
      amount_usd: '0.3',
      cutoff_action: 'deny',
    })
  ).id
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('run-time enforcement', () => {
  it('allows everything until an evaluation has seen the spend', async () => {
    await ingest([
      call('e1', '2026-11-02T09:00:00Z', { account_id: 'acme' }),
      call('e2', '2026-11-02T10:00:00Z', { account_id: 'globex' }),
      call('e3', '2026-11-02T11:00:00Z', { account_id: 'globex' }),
    ]) // $1.05
    expect(await verdict({ account_id: 'globex' }, '2026-11-02T13:00:10Z')).toEqual({ state: 'ok', action: 'allow' })
  })

  it('denies the calls a denying budget covers until its period ends', async () => {
    await evaluateBudgets(at('2026-11-02T13:00:00Z'))
    expect(await verdict({ account_id: 'acme' }, '2026-11-02T13:00:10Z')).toEqual({
      state: 'exceeded',
      action: 'deny',
      retry_after_s: (Date.parse('2026-12-01T00:00:00Z') - Date.parse('2026-11-02T13:00:10Z')) / 1000,
      budget_id: budgetIds.deny,
      budget_name: 'Acme monthly (deny)',
    })
    // the denying budget counts production only, in production only
    expect((await verdict({ account_id: 'acme', environment: 'staging' }, '2026-11-02T13:05:00Z')).action).not.toBe('deny')
  })

  it('does not let calls through while a fresh process reads its first gates (concurrent first calls wait for the read)', async () => {
    // a web process that just started (or dropped its copy): no gates in memory yet
    ;(globalThis as { __outlayGates?: unknown }).__outlayGates = undefined
    const both = await Promise.all([verdict({ account_id: 'acme' }, '2026-11-02T13:01:00Z'), verdict({ account_id: 'acme' }, '2026-11-02T13:01:00Z')])
    expect(both.map((v) => v.action)).toEqual(['deny', 'deny'])
  })

  it('throttles past the allowance of a minute, and lets calls through again the next minute', async () => {
    const minute = await Promise.all([1, 2, 3, 4, 5].map(() => verdict({ account_id: 'globex' }, '2026-11-02T13:00:10Z')))
    expect(minute.map((v) => v.action).sort()).toEqual(['allow', 'allow', 'allow', 'throttle', 'throttle'])
    expect(minute.find((v) => v.action === 'throttle')).toEqual({
      state: 'exceeded',
      action: 'throttle',
      retry_after_s: 50,
      budget_id: budgetIds.throttle,
      budget_name: 'Support daily (throttle)',
    })
    expect((await verdict({ account_id: 'globex' }, '2026-11-02T13:01:00Z')).action).toBe('allow')
  })

  it('draws the day as a burn-down from the rollups: spend per hour, cumulative, pace and projection', async () => {
    const h = await budgetHistory(orgId, budgetIds.throttle, at('2026-11-02T13:00:00Z'))
    expect(h.granularity).toBe('hour')
    expect(h.points).toHaveLength(24)
    expect(h.points.slice(8, 13).map((p) => [p.spend_usd, p.cumulative_usd])).toEqual([
      ['0.000000', '0.000000'],
      ['0.350000', '0.350000'],
      ['0.350000', '0.700000'],
      ['0.350000', '1.050000'],
      ['0.000000', '1.050000'],
    ])
    expect(h.points[23]).toMatchObject({ pace_usd: '1.000000', projected_usd: '1.938461', cumulative_usd: null }) // 1.05 × 24 / 13
    expect(h.budget.status).toMatchObject({ state: 'exceeded', actual_usd: '1.050000' })
    expect(h.state_changes.map((c) => c.to_state)).toEqual(['exceeded'])
    const r = await getHistory(apiRequest(`/api/v1/budgets/${budgetIds.throttle}/history`, { key: readKey }), {
      params: Promise.resolve({ id: budgetIds.throttle }),
    })
    expect(r.status).toBe(200)
    expect((await r.json()).points).toHaveLength(24)
  })

  it('leaves other workflows and other traffic sources alone', async () => {
    expect(await verdict({ workflow_id: 'search', account_id: 'globex' }, '2026-11-02T13:00:10Z')).toEqual({ state: 'ok', action: 'allow' })
    expect(await verdict({ account_id: 'globex', traffic_source: 'eval' }, '2026-11-02T13:00:10Z')).toEqual({ state: 'ok', action: 'allow' })
  })

  it('still records every event sent while a budget cuts calls off', async () => {
    await ingest([call('e4', '2026-11-02T13:30:00Z', { account_id: 'acme' })])
    const r = await ownerPool().query(`SELECT count(*)::int AS n, round(sum(cost_usd), 6)::text AS usd FROM inference_events WHERE org_id = $1`, [orgId])
    expect(r.rows[0]).toEqual({ n: 4, usd: '1.400000' })
  })

  it('recovers in the next period: the daily gate lapses at midnight, and evaluation clears it', async () => {
    expect((await verdict({ account_id: 'globex' }, '2026-11-03T00:00:05Z')).action).toBe('allow')
    await evaluateBudgets(at('2026-11-03T01:00:00Z'))
    expect(await verdict({ account_id: 'globex' }, '2026-11-03T01:00:10Z')).toEqual({ state: 'ok', action: 'allow' })
    // the month is not over for the denying budget
    expect((await verdict({ account_id: 'acme' }, '2026-11-03T01:00:10Z')).action).toBe('deny')
    expect((await stateHistory(orgId, budgetIds.throttle)).map((c) => [c.from_state, c.to_state, c.actual_usd])).toEqual([
      ['exceeded', 'ok', '0.000000'],
      [null, 'exceeded', '1.050000'],
    ])
  })
})

describe('POST /api/v1/decide', () => {
  it('answers 404 with the budget verdict when no routing policy covers the step; Retry-After when held back', async () => {
    const r = await postDecide(apiRequest('/api/v1/decide', { key: ingestKey, body: { workflow_id: 'support', step: 'draft', account_id: 'acme' } }))
    const body = await r.json()
    expect(r.status).toBe(404)
    expect(body).toMatchObject({
      error: { code: 'no_policy' },
      provider: null,
      model: null,
      policy_id: null,
      policy_version: null,
      budget: { state: expect.any(String), action: expect.any(String) },
    })
  })

  it('names each bad field and its reason; read keys may not decide', async () => {
    const r = await postDecide(
      apiRequest('/api/v1/decide', { key: ingestKey, body: { workflow_id: '', confidence: 2, attempt: 0, environment: 'prod', extra: 1 } }),
    )
    expect(r.status).toBe(400)
    const { error } = await r.json()
    expect(error.details.errors).toEqual(
      expect.arrayContaining([
        'workflow_id: must not be empty',
        'step: is required',
        'confidence: must be ≤ 1',
        'attempt: must be ≥ 1',
        'extra: unknown field',
        expect.stringMatching(/^environment: must be one of/),
      ]),
    )
    expect((await postDecide(apiRequest('/api/v1/decide', { key: readKey, body: { workflow_id: 'a', step: 'b' } }))).status).toBe(403)
    expect((await postDecide(apiRequest('/api/v1/decide', { key: ingestKey, body: '{"workflow_id":' }))).status).toBe(400)
  })

  it("answers the same on the web server's fast path (API keys, before Next.js), errors included", async () => {
    const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))
    const ok = await decideWithKey(`Bearer ${ingestKey}`, 'application/json', enc({ workflow_id: 'support', step: 'draft', account_id: 'acme' }))
    const viaRoute = await postDecide(apiRequest('/api/v1/decide', { key: ingestKey, body: { workflow_id: 'support', step: 'draft', account_id: 'acme' } }))
    expect(ok.status).toBe(viaRoute.status)
    expect(ok.body).toEqual(await viaRoute.json())
    expect((await decideWithKey('Basic abc', 'application/json', enc({}))).status).toBe(401)
    expect((await decideWithKey(`Bearer ${readKey}`, 'application/json', enc({}))).status).toBe(403)
    expect((await decideWithKey(`Bearer ${ingestKey}`, 'text/plain', enc({}))).status).toBe(415)
    const bad = await decideWithKey(`Bearer ${ingestKey}`, 'application/json', enc('{"workflow_id":'))
    expect(bad.status).toBe(400)
    expect((bad.body as { error: { message: string } }).error.message).toMatch(/not valid JSON/)
    const missing = await decideWithKey(`Bearer ${ingestKey}`, 'application/json', enc({ workflow_id: 'x' }))
    expect(missing).toMatchObject({ status: 400, body: { error: { details: { errors: ['step: is required'] } } } })
  })

  it('flips within seconds of the spend, through the workers: ingest → rollups → evaluation → decide', async () => {
    const connection = workerConnection()
    const { prefix } = { prefix: process.env.QUEUE_PREFIX! }
    const workers = [
      new Worker(QUEUE_INGEST, ingestProcessor, { connection, prefix, concurrency: 2 }),
      new Worker(QUEUE_ALERTS, alertsProcessor, { connection: workerConnection(), prefix, concurrency: 1 }),
    ]
    try {
      await createBudget(orgId, {
        ...base,
        name: 'Live deny',
        workflow_id: 'live',
        period: 'rolling',
        rolling_days: 1,
        cutoff_action: 'deny',
        amount_usd: '0.5',
      })
      const ask = async () => {
        const r = await postDecide(apiRequest('/api/v1/decide', { key: ingestKey, body: { workflow_id: 'live', step: 'draft' } }))
        return { status: r.status, retryAfter: r.headers.get('retry-after'), budget: (await r.json()).budget }
      }
      expect((await ask()).budget.action).toBe('allow')
      const now = Date.now()
      await post([0, 1].map((i) => call(`live-${i}`, new Date(now - (i + 1) * 60_000).toISOString(), { workflow_id: 'live' }))) // $0.70 of $0.50
      let last = await ask()
      for (let i = 0; i < 60 && last.budget.action !== 'deny'; i++) {
        await new Promise((r) => setTimeout(r, 500))
        last = await ask()
      }
      expect(last).toMatchObject({ status: 404, retryAfter: '60', budget: { state: 'exceeded', action: 'deny', retry_after_s: 60, budget_name: 'Live deny' } })
    } finally {
      await Promise.all(workers.map((w) => w.close()))
    }
  })
})
