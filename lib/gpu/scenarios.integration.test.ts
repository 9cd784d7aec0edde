import { DAY_MS, HOUR_MS, micros } from '@/lib/domain'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg, asOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { toScaled } from '@/lib/cost/money'
import { POST as createPool } from '@/app/api/v1/gpu/pools/route'
import { PATCH as patchPool } from '@/app/api/v1/gpu/pools/[id]/route'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postOutcomes } from '@/app/api/v1/outcomes/route'
import { GET as getCost } from '@/app/api/v1/scenarios/cost/route'
import { callsByScenario } from '@/lib/gpu/scenarios'
import { GET as listItems, POST as postItem } from '@/app/api/v1/scenarios/line-items/route'
import { DELETE as deleteItem } from '@/app/api/v1/scenarios/line-items/[id]/route'

// Scenario cost through the real routes: a month's calls, two shared pools and
// a line item, against the sums they must make.

const now = new Date()
const M = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
const MONTH = M.toISOString().slice(0, 7)
const HOURS = BigInt((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - M.getTime()) / HOUR_MS)
const at = (day: number, h = 10) => new Date(M.getTime() + (day - 1) * DAY_MS + h * HOUR_MS).toISOString()
const ctx = (id?: string) => ({ params: Promise.resolve<Record<string, string>>(id ? { id } : {}) })
let write = ''
let read = ''
let other = ''
let orgId = ''
let prodId = ''

beforeAll(async () => {
  await useTestServices('scenarios')
  orgId = (await createOrgWithAdmin({ org_name: 'Scenario Co', email: 'sc@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  write = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  read = (await createTestApiKey(orgId, { name: 'r', scopes: ['read', 'ingest'] })).key
  other = (
    await createTestApiKey((await createOrgWithAdmin({ org_name: 'Other', email: 'o@example.com', password: 'password-123' })).org.id, {
      name: 'w',
      scopes: ['write', 'read'],
    })
  ).key
  const mk = async (b: Record<string, unknown>) =>
    (
      await (
        await createPool(apiRequest('/api/v1/gpu/pools', { key: write, body: { effective_from: M.toISOString(), pricing: 'hourly', ...b } }), ctx())
      ).json()
    ).pool
  prodId = (await mk({ name: 'prod', role: 'production', gpu_type: 'H100', gpu_count: 2, gpu_hour_usd: '1', serves: ['search', 'triage'] })).id
  await mk({ name: 'stage', role: 'staging', gpu_type: 'A10', gpu_count: 1, gpu_hour_usd: '0.5', serves: ['search', 'triage'], allocation: 'even' })
  const ev = (id: string, workflow: string, extra: Record<string, unknown>) => ({
    id,
    timestamp: at(3),
    workflow_id: workflow,
    step: 'answer',
    provider: 'self-hosted',
    model: 'llama',
    ...extra,
  })
  const events = [
    ev('s1', 'search', { gpu_seconds: 3600, gpu_pool: 'prod', run_id: 'r1' }),
    ev('t1', 'triage', { gpu_seconds: 1800, gpu_pool: 'prod' }),
    ev('s2', 'search', { gpu_seconds: 360, gpu_pool: 'stage', traffic_source: 'eval', environment: 'staging' }),
    ev('x1', 'kb', { scenario_id: 'search', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1_000_000 }), // scenario_id wins over the workflow
    ev('late', 'search', { timestamp: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(), gpu_seconds: 3600, gpu_pool: 'prod' }),
  ]
  expect((await postEvents(apiRequest('/api/v1/events', { key: read, body: { events } }))).status).toBe(202)
  const outcomes = [1, 2, 3, 4].map((i) => ({ id: `o${i}`, timestamp: at(3, 11), workflow_id: 'search', accepted: i < 4 }))
  expect((await postOutcomes(apiRequest('/api/v1/outcomes', { key: read, body: { outcomes } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('scenario cost API', () => {
  it('adds finance line items, field by field errors, read-only keys refused', async () => {
    const bad = await postItem(
      apiRequest('/api/v1/scenarios/line-items', { key: write, body: { scenario: '', month: '2026-13', category: 'travel', amount_usd: '-1' } }),
      ctx(),
    )
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual([
      'scenario: must not be empty',
      'month: must be a month like 2026-11',
      'category: must be engineering or operations',
      'amount_usd: must be a non-negative amount with at most 6 decimal places',
      'note: is required',
    ])
    const ok = await postItem(
      apiRequest('/api/v1/scenarios/line-items', {
        key: write,
        body: { scenario: 'search', month: MONTH, category: 'engineering', amount_usd: '100.5', note: 'prompt work, 2 days' },
      }),
      ctx(),
    )
    expect(ok.status).toBe(201)
    const throwaway = (
      await (
        await postItem(
          apiRequest('/api/v1/scenarios/line-items', {
            key: write,
            body: { scenario: 'triage', month: MONTH, category: 'operations', amount_usd: 1, note: 'x' },
          }),
          ctx(),
        )
      ).json()
    ).line_item
    expect((await deleteItem(apiRequest(`/api/v1/scenarios/line-items/${throwaway.id}`, { method: 'DELETE', key: other }), ctx(throwaway.id))).status).toBe(404)
    expect((await deleteItem(apiRequest(`/api/v1/scenarios/line-items/${throwaway.id}`, { method: 'DELETE', key: write }), ctx(throwaway.id))).status).toBe(204)
    expect((await postItem(apiRequest('/api/v1/scenarios/line-items', { key: read, body: {} }), ctx())).status).toBe(403)
    const list = await (await listItems(apiRequest(`/api/v1/scenarios/line-items?month=${MONTH}`, { key: read }), ctx())).json()
    expect(list.line_items).toEqual([
      expect.objectContaining({ scenario: 'search', month: MONTH, category: 'engineering', amount_usd: '100.5', note: 'prompt work, 2 days' }),
    ])
  })

  it('splits a month into parts that add up to the calls, the pools and the line items', async () => {
    const r = await (await getCost(apiRequest(`/api/v1/scenarios/cost?month=${MONTH}`, { key: read }), ctx())).json()
    const prodCost = 2n * HOURS * 1_000_000n
    const stageCost = HOURS * 500_000n
    const [api] = (
      await ownerPool().query<{ c: string }>(`SELECT round(cost_usd * 1000000)::text AS c FROM inference_events WHERE org_id = $1 AND event_id = 'x1'`, [orgId])
    ).rows
    const apiCost = BigInt(api.c)
    // prod: 2 × hours × $1, of which calls paid 1.5 h = $1.50; the rest by GPU-seconds 3600:1800 → 2/3 search
    const prodRest = prodCost - 1_500_000n
    const searchProd = (prodRest * 2n + 1n) / 3n // largest remainder of 2:1 gives the odd micro to the larger remainder
    const stageRest = stageCost - 50_000n // 360 s at $0.50/h
    const search = r.scenarios.find((s: { scenario: string }) => s.scenario === 'search')
    expect(micros(search.parts.production_inference)).toBe(1_000_000n + apiCost)
    expect(search.parts.eval_benchmark).toBe('0.050000')
    expect(micros(search.parts.production_capacity)).toBeGreaterThanOrEqual(searchProd - 1n)
    expect(micros(search.parts.production_capacity)).toBeLessThanOrEqual(searchProd + 1n)
    expect(micros(search.parts.non_production_capacity)).toBe((stageRest + 1n) / 2n)
    expect(search.parts.engineering).toBe('100.500000')
    expect(search.accepted_outcomes).toBe(3)
    expect(micros(search.cost_per_accepted_outcome_usd)).toBe((micros(search.total_usd) * 2n + 3n) / 6n) // total ÷ 3 accepted, rounded half up
    const total = r.scenarios.reduce((s: bigint, x: { total_usd: string }) => s + micros(x.total_usd), 0n)
    // Calls not on a pool + every pool's whole cost + the line item: nothing lost, nothing counted twice.
    expect(total).toBe(apiCost + prodCost + stageCost + 100_500_000n)
    expect(r.pools.map((p: { pool: string; used_by_calls_usd: string }) => [p.pool, p.used_by_calls_usd])).toEqual([
      ['prod', '1.500000'],
      ['stage', '0.050000'],
    ])
    expect(r.scenarios.map((s: { scenario: string }) => s.scenario).sort()).toEqual(['search', 'triage'])
  })

  it('follows an edited allocation rule', async () => {
    await patchPool(
      apiRequest(`/api/v1/gpu/pools/${prodId}`, { method: 'PATCH', key: write, body: { allocation: 'share', shares: { triage: 1 } } }),
      ctx(prodId),
    )
    const r = await (await getCost(apiRequest(`/api/v1/scenarios/cost?month=${MONTH}`, { key: read }), ctx())).json()
    const prod = r.pools.find((p: { pool: string }) => p.pool === 'prod')
    expect(prod.rule).toBe('share')
    expect(prod.allocation).toEqual([
      { scenario: 'search', usd: '0.000000', weight: 0 },
      { scenario: 'triage', usd: prod.allocated_usd, weight: 1 },
    ])
    expect((await getCost(apiRequest('/api/v1/scenarios/cost?month=11-2026', { key: read }), ctx())).status).toBe(400)
  })
})

describe('calls by scenario: tagged calls from the events, the rest from the rollups', () => {
  it('equals the same sums over the events alone, across daily and hourly rollups', async () => {
    const org = (await createOrgWithAdmin({ org_name: 'Mix Co', email: 'mix@example.com', password: 'password-123' })).org.id
    const key = (await createTestApiKey(org, { name: 'i', scopes: ['ingest'] })).key
    await ownerPool().query(
      `INSERT INTO gpu_pool_prices (id, org_id, pool, gpu_type, gpu_hour_usd, effective_from) VALUES (gen_random_uuid(), $1, 'p1', 'H100', 2.5, '2020-01-01')`,
      [org],
    )
    const base = Date.now() - 3 * DAY_MS
    const events = Array.from({ length: 240 }, (_, i) => ({
      id: `m${i}`,
      timestamp: new Date(base + i * 17 * 60_000).toISOString(),
      workflow_id: ['search', 'triage', 'kb'][i % 3],
      step: 's',
      traffic_source: i % 5 === 0 ? 'eval' : 'production',
      environment: i % 7 === 0 ? 'staging' : 'production',
      ...(i % 4 === 0 ? { scenario_id: i % 8 === 0 ? 'search' : 'onboarding' } : {}),
      ...(i % 6 === 0 ? { gpu_seconds: 10 + i, gpu_pool: 'p1' } : { provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1000 + i, tokens_out: 50 }),
    }))
    expect((await postEvents(apiRequest('/api/v1/events', { key, body: { events } }))).status).toBe(202)
    for (const id of await pendingBatches(0)) await processBatch(id)
    const from = new Date(base - 5 * HOUR_MS + 1234)
    const to = new Date(Date.now() + HOUR_MS)
    const norm = (
      rows: {
        scenario: string
        traffic_source: string
        environment: string
        gpu_pool: string | null
        cost_usd: string
        gpu_seconds: number
        gpu_cost_usd: string
      }[],
    ) =>
      rows
        .map(
          (r) =>
            `${r.scenario}|${r.traffic_source}|${r.environment}|${r.gpu_pool}|${toScaled(r.cost_usd, 12)}|${toScaled(String(r.gpu_seconds), 6)}|${toScaled(r.gpu_cost_usd, 12)}`,
        )
        .sort()
    const raw = await ownerPool().query(
      `SELECT coalesce(nullif(e.scenario_id, ''), e.workflow_id) AS scenario, e.traffic_source, e.environment, e.gpu_pool,
              coalesce(sum(e.cost_usd), 0)::text AS cost_usd, coalesce(sum(e.gpu_seconds), 0)::float8 AS gpu_seconds,
              round(coalesce(sum(e.gpu_seconds * 2.5 / 3600) FILTER (WHERE e.gpu_pool IS NOT NULL), 0), 12)::text AS gpu_cost_usd
       FROM inference_events e WHERE e.org_id = $1 AND e.timestamp >= $2 AND e.timestamp < $3 GROUP BY 1, 2, 3, 4`,
      [org, from, to],
    )
    const mixed = await asOrg(org, () => callsByScenario(org, from, to))
    expect(mixed.length).toBeGreaterThan(8)
    expect(norm(mixed)).toEqual(norm(raw.rows))
  })
})
