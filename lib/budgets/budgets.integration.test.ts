import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as list, POST as create } from '@/app/api/v1/budgets/route'
import { DELETE as remove, GET as getOne, PATCH as patch } from '@/app/api/v1/budgets/[id]/route'
import { gpt4oCall } from '@/lib/testing/events'

// Budgets as code through the real routes, measured on rollups that the real
// ingest path filled: spend pushed over a budget shows it exceeded.

let ingestKey = ''
let writeKey = ''
let readKey = ''
let otherKey = ''

const req = (path: string, key: string, method = 'GET', body?: unknown) => apiRequest(path, { key, method, body })
const ctx = (id: string) => ({ params: Promise.resolve({ id }) })

async function ingest(events: Record<string, unknown>[]) {
  expect((await postEvents(req('/api/v1/events', ingestKey, 'POST', { events }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
}

beforeAll(async () => {
  await useTestServices('budgets')
  const a = await createOrgWithAdmin({ org_name: 'Budget Co', email: 'budget@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  const b = await createOrgWithAdmin({ org_name: 'Other Co', email: 'other-budget@example.com', password: 'password-123' })
  ingestKey = (await createTestApiKey(a.org.id, { name: 'ingest', scopes: ['ingest'] })).key
  writeKey = (await createTestApiKey(a.org.id, { name: 'write', scopes: ['write', 'read'] })).key
  readKey = (await createTestApiKey(a.org.id, { name: 'read', scopes: ['read'] })).key
  otherKey = (await createTestApiKey(b.org.id, { name: 'other', scopes: ['read', 'write'] })).key
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

// gpt-4o: $2.50 / M input, $10 / M output → 100k in + 10k out = $0.35 per call
const call = gpt4oCall

describe('/api/v1/budgets', () => {
  let id = ''

  it('creates a daily production budget for a workflow, with defaults', async () => {
    const res = await create(
      req('/api/v1/budgets', writeKey, 'POST', { name: 'Support daily', workflow_id: 'support', period: 'day', metric: 'spend', amount_usd: '1' }),
    )
    expect(res.status).toBe(201)
    const { budget } = await res.json()
    id = budget.id
    expect(budget).toMatchObject({
      name: 'Support daily',
      workflow_id: 'support',
      environment: null,
      traffic_sources: ['production'],
      thresholds: [50, 80, 100],
      hard_cutoff: false,
      amount_usd: '1',
    })
    expect(budget.status).toMatchObject({ state: 'ok', actual_usd: '0.000000', used_ratio: 0 })
  })

  it('moves to warning, then exceeded, as spend arrives through the ingest path; other scopes and eval traffic do not count', async () => {
    const now = new Date().toISOString()
    await ingest([
      call('a1', { timestamp: now }),
      call('a2', { timestamp: now }),
      call('x1', { timestamp: now, workflow_id: 'other' }),
      call('e1', { timestamp: now, traffic_source: 'eval' }),
    ])
    let { budget } = await (await getOne(req(`/api/v1/budgets/${id}`, readKey), ctx(id))).json()
    expect(budget.status).toMatchObject({ state: 'warning', actual_usd: '0.700000', used_ratio: 0.7, threshold_crossed: 50 })
    await ingest([call('a3', { timestamp: now })])
    ;({ budget } = await (await getOne(req(`/api/v1/budgets/${id}`, readKey), ctx(id))).json())
    expect(budget.status).toMatchObject({ state: 'exceeded', actual_usd: '1.050000', threshold_crossed: 100 })
    expect(Number(budget.status.projected_usd)).toBeGreaterThanOrEqual(1.05)
  })

  it('patches the amount and lists the budget with its state', async () => {
    const res = await patch(req(`/api/v1/budgets/${id}`, writeKey, 'PATCH', { amount_usd: 10, thresholds: [80, 50] }), ctx(id))
    expect(res.status).toBe(200)
    expect((await res.json()).budget).toMatchObject({ amount_usd: '10', thresholds: [50, 80], status: { state: 'ok', used_ratio: 0.105 } })
    const { budgets } = await (await list(req('/api/v1/budgets', readKey))).json()
    expect(budgets).toHaveLength(1)
  })

  it('names every bad field, and keeps a rolling budget consistent', async () => {
    const bad = await create(
      req('/api/v1/budgets', writeKey, 'POST', {
        name: '',
        period: 'week',
        metric: 'spend',
        amount_usd: '-3',
        environment: 'prod',
        traffic_sources: [],
        colour: 'red',
      }),
    )
    expect(bad.status).toBe(400)
    const errors: string[] = (await bad.json()).error.details.errors
    expect(errors).toEqual(
      expect.arrayContaining([
        'name: must not be empty',
        'period: must be one of: day, month, rolling',
        'amount_usd: must be a positive USD amount with at most 6 decimal places, e.g. 250 or 0.05',
        'environment: must be one of: production, staging, development',
        'traffic_sources: list at least one traffic source',
        'colour: unknown field',
      ]),
    )
    const rolling = await create(req('/api/v1/budgets', writeKey, 'POST', { name: 'r', period: 'rolling', metric: 'spend', amount_usd: 5 }))
    expect((await rolling.json()).error.details.errors).toEqual(['rolling_days: is required when period is rolling'])
    const toRolling = await patch(req(`/api/v1/budgets/${id}`, writeKey, 'PATCH', { period: 'rolling' }), ctx(id))
    expect(toRolling.status).toBe(400)
    expect((await toRolling.json()).error.details.errors).toEqual(['rolling_days: is required when period is rolling'])
  })

  it('keeps budgets to their organization and to keys that may write', async () => {
    expect((await getOne(req(`/api/v1/budgets/${id}`, otherKey), ctx(id))).status).toBe(404)
    expect((await remove(req(`/api/v1/budgets/${id}`, otherKey, 'DELETE'), ctx(id))).status).toBe(404)
    expect((await create(req('/api/v1/budgets', readKey, 'POST', { name: 'n', period: 'day', metric: 'spend', amount_usd: 1 }))).status).toBe(403)
    expect((await getOne(req('/api/v1/budgets/not-a-uuid', readKey), ctx('not-a-uuid'))).status).toBe(400)
  })

  it('deletes', async () => {
    expect((await remove(req(`/api/v1/budgets/${id}`, writeKey, 'DELETE'), ctx(id))).status).toBe(204)
    expect((await getOne(req(`/api/v1/budgets/${id}`, readKey), ctx(id))).status).toBe(404)
  })
})

describe('gateway options of a budget', () => {
  it('sets a run cap (fixed and × p95) and a brown-out threshold, reads them back, and changes them by PATCH', async () => {
    const res = await create(
      req('/api/v1/budgets', writeKey, 'POST', {
        name: 'Agent runs',
        workflow_id: 'agent',
        period: 'day',
        metric: 'spend',
        amount_usd: '50',
        run_cap_usd: '2.5',
        run_cap_p95_multiple: 3,
        brownout_pct: 80,
      }),
    )
    expect(res.status).toBe(201)
    const { budget } = await res.json()
    expect(budget).toMatchObject({ run_cap_usd: '2.5', run_cap_p95_multiple: 3, brownout_pct: 80 })
    const p = await patch(req(`/api/v1/budgets/${budget.id}`, writeKey, 'PATCH', { run_cap_usd: null, run_cap_p95_multiple: 1.25 }), ctx(budget.id))
    expect(p.status).toBe(200)
    expect((await p.json()).budget).toMatchObject({ run_cap_usd: null, run_cap_p95_multiple: 1.25, brownout_pct: 80 })
    const plain = await (await create(req('/api/v1/budgets', writeKey, 'POST', { name: 'Plain', period: 'day', metric: 'spend', amount_usd: '1' }))).json()
    expect(plain.budget).toMatchObject({ run_cap_usd: null, run_cap_p95_multiple: null, brownout_pct: null })
  })

  it('names each bad option', async () => {
    const res = await create(
      req('/api/v1/budgets', writeKey, 'POST', {
        name: 'Bad',
        period: 'day',
        metric: 'cost_per_run',
        amount_usd: '1',
        run_cap_usd: '-1',
        run_cap_p95_multiple: 0.5,
        brownout_pct: 100,
      }),
    )
    expect(res.status).toBe(400)
    expect((await res.json()).error.details.errors).toEqual(
      expect.arrayContaining([
        'run_cap_usd: must be a positive USD amount with at most 6 decimal places, e.g. 250 or 0.05',
        'run_cap_p95_multiple: must be at least 1',
        'brownout_pct: must be below 100 (the cutoff acts at 100)',
      ]),
    )
    const other = await create(
      req('/api/v1/budgets', writeKey, 'POST', { name: 'Bad 2', period: 'day', metric: 'cost_per_run', amount_usd: '1', brownout_pct: 50 }),
    )
    expect((await other.json()).error.details.errors).toEqual(['brownout_pct: applies only to spend budgets'])
  })
})
