import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY_MS, HOUR_MS, micros, microsToUsd } from '@/lib/domain'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as createPoolRoute } from '@/app/api/v1/gpu/pools/route'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { fleetSummary } from '@/lib/gpu/summary'
import { selfHosting } from '@/lib/gpu/self-hosting-query'
import { GET as selfHostingRoute } from '@/app/api/v1/gpu/self-hosting/route'
import { searchCatalog } from '@/lib/cost/catalog'
import { costAtMix, perMtok } from '@/lib/gpu/self-hosting'

// GPU vs API through the route on real PostgreSQL: a pool's paid capacity is the fleet page's figure, its calls'
// tokens equal SQL over the events, and each model's alternative is the cheapest of the catalog's hosted offerings
// of the same model and the same steps' API calls at their billed rate.

let orgId = ''
let read = ''
const ctx = { params: Promise.resolve({}) }
const NOW = Date.now()
const at = (hoursAgo: number) => new Date(Math.floor(NOW / HOUR_MS) * HOUR_MS - hoursAgo * HOUR_MS + 60_000).toISOString()

beforeAll(async () => {
  await useTestServices('selfhost')
  const made = await createOrgWithAdmin({ org_name: 'Self Host Co', email: 'selfhost@example.com', password: 'password-123' })
  orgId = made.org.id
  setTestDefaultOrg(orgId)
  read = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  const write = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  const ingest = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest'] })).key
  for (const [name, count] of [
    ['h100', 2],
    ['idle-a10', 1],
  ] as const) {
    const r = await createPoolRoute(
      apiRequest('/api/v1/gpu/pools', {
        key: write,
        body: {
          name,
          role: 'production',
          gpu_type: 'H100',
          gpu_count: count,
          pricing: 'hourly',
          gpu_hour_usd: '2.50',
          effective_from: new Date(NOW - 10 * DAY_MS).toISOString(),
        },
      }),
      ctx,
    )
    expect(r.status).toBe(201)
  }
  const events: Record<string, unknown>[] = []
  for (let h = 1; h <= 48; h++) {
    // the pool's calls: a 70B answer and an embedding with no hosted offering
    events.push({
      id: `g-${h}`,
      timestamp: at(h),
      workflow_id: 'kb',
      step: 'answer',
      provider: 'self-hosted',
      model: 'llama-3.1-70b-instruct',
      tokens_in: 3000 + h,
      tokens_out: 200,
      gpu_seconds: 2.5,
      gpu_pool: 'h100',
    })
    events.push({
      id: `b-${h}`,
      timestamp: at(h),
      workflow_id: 'kb',
      step: 'embed',
      provider: 'self-hosted',
      model: 'in-house-embedder',
      tokens_in: 50,
      tokens_out: 0,
      gpu_seconds: 0.05,
      gpu_pool: 'h100',
    })
    // the same answer step served by an API model part of the time
    if (h % 4 === 0)
      events.push({
        id: `a-${h}`,
        timestamp: at(h),
        workflow_id: 'kb',
        step: 'answer',
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 3100,
        tokens_out: 210,
      })
  }
  const r = await postEvents(apiRequest('/api/v1/events', { key: ingest, body: { events } }))
  expect(r.status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('GET /api/v1/gpu/self-hosting', () => {
  it('holds each pool’s paid capacity per million tokens against the cheapest API alternative of each model', async () => {
    const res = await selfHostingRoute(apiRequest('/api/v1/gpu/self-hosting?days=7', { key: read }), ctx)
    expect(res.status).toBe(200)
    expect((await res.json()).pools.map((p: { pool: string }) => p.pool)).toEqual(['h100', 'idle-a10'])
    // the figures at one instant: the paid capacity runs to now
    const now = new Date()
    const a = JSON.parse(JSON.stringify(await selfHosting(orgId, 7, now)))
    const fleet = JSON.parse(JSON.stringify(await fleetSummary(orgId, 7, now)))
    expect(a.period).toEqual(fleet.period)
    const pool = a.pools.find((p: { pool: string }) => p.pool === 'h100')
    const fleetPool = fleet.pools.find((p: { name: string }) => p.name === 'h100')
    expect(pool.paid_usd).toBe(fleetPool.period_cost_usd)
    expect(micros(pool.paid_usd)).toBeGreaterThan(0n)

    const [sums] = (
      await ownerPool().query<{ calls: number; tin: string; tout: string }>(
        `SELECT count(*)::int AS calls, sum(tokens_in)::text AS tin, sum(tokens_out)::text AS tout FROM inference_events
         WHERE org_id = $1 AND gpu_pool = 'h100' AND model = 'llama-3.1-70b-instruct' AND timestamp >= $2 AND timestamp < $3`,
        [orgId, a.period.from, a.period.to],
      )
    ).rows
    const llama = pool.models.find((m: { model: string }) => m.model === 'llama-3.1-70b-instruct')
    expect(llama).toMatchObject({ calls: sums.calls, tokens_in: Number(sums.tin), tokens_out: Number(sums.tout) })
    const mix = { calls: sums.calls, tokens_in: Number(sums.tin), tokens_out: Number(sums.tout) }

    // the expected cheapest: the catalog's hosted llama-3.1-70b-instruct offerings and gpt-4o-mini on the same step at its billed rate
    const [api] = (
      await ownerPool().query<{ usd: string; tokens: string }>(
        `SELECT round(sum(cost_usd), 6)::text AS usd, sum(tokens_in + tokens_out)::text AS tokens FROM inference_events
         WHERE org_id = $1 AND model = 'gpt-4o-mini' AND timestamp >= $2 AND timestamp < $3`,
        [orgId, a.period.from, a.period.to],
      )
    ).rows
    const candidates = [
      ...searchCatalog('llama-3.1-70b-instruct')
        .filter((e) => e.model.toLowerCase().split('/').pop() === 'llama-3.1-70b-instruct' && (Number(e.input_per_mtok) > 0 || Number(e.output_per_mtok) > 0))
        .map((e) => ({
          provider: e.provider,
          cost: costAtMix(mix, {
            basis: 'same_model',
            provider: e.provider,
            model: e.model,
            input_per_mtok: e.input_per_mtok,
            output_per_mtok: e.output_per_mtok,
          }),
        })),
      {
        provider: 'openai',
        cost: costAtMix(mix, { basis: 'same_steps', provider: 'openai', model: 'gpt-4o-mini', usd_per_mtok: perMtok(micros(api.usd), Number(api.tokens))! }),
      },
    ].filter((c) => c.cost > 0n)
    expect(candidates.length).toBeGreaterThan(1)
    const cheapest = candidates.reduce((m, c) => (c.cost < m.cost ? c : m))
    expect(llama.alternative).toMatchObject({ provider: cheapest.provider, cost_usd: microsToUsd(cheapest.cost) })

    // the embedder has no alternative: no verdict for the pool, its calls counted as unmatched
    const embed = pool.models.find((m: { model: string }) => m.model === 'in-house-embedder')
    expect(embed.alternative).toBeNull()
    expect(pool).toMatchObject({ verdict: 'unknown', ratio: null, unmatched_calls: embed.calls, api_cost_usd: llama.alternative.cost_usd })
    expect(pool.tokens).toBe(mix.tokens_in + mix.tokens_out + embed.tokens_in + embed.tokens_out)
    expect(pool.usd_per_mtok).toBe(perMtok(micros(pool.paid_usd), pool.tokens))

    // a pool that served nothing: its paid capacity, no calls, no verdict
    expect(a.pools.find((p: { pool: string }) => p.pool === 'idle-a10')).toMatchObject({
      calls: 0,
      tokens: 0,
      usd_per_mtok: null,
      verdict: 'unknown',
      models: [],
    })
  })
})
