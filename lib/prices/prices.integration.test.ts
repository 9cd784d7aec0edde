import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { acceptEvents } from '@/lib/ingest/accept'
import { runRepriceJob } from '@/lib/reprice'
import { listUnpriced, listDiscrepancies } from '@/lib/prices'
import { GET as getPrices, PUT as putPrices } from '@/app/api/v1/prices/route'
import { GET as getMetrics } from '@/app/api/v1/metrics/route'

// Prices as code: add a price for an unpriced model through the API, watch
// the metrics move from unpriced to the exact cost; correct it; re-price twice.

let orgId = ''
let readKey = ''
let writeKey = ''
const H = (key: string, body?: unknown) =>
  ({
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }) as RequestInit
const metrics = async (q = '') => (await (await getMetrics(new Request(`http://x/api/v1/metrics?from=2000-01-01${q}`, H(readKey)))).json()).rows
const put = (body: unknown, key = writeKey) => putPrices(new Request('http://x/api/v1/prices', { method: 'PUT', ...H(key, body) }))
async function drain() {
  for (const id of await pendingBatches(0)) await processBatch(id)
}
const DAY1 = '2026-10-01T10:00:00.000Z'
const DAY1_LATER = '2026-10-01T16:00:00.000Z'

beforeAll(async () => {
  await useTestServices('prices')
  orgId = (await createOrgWithAdmin({ org_name: 'Price Co', email: 'price@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  readKey = (await createTestApiKey(orgId, { name: 'r', scopes: ['read', 'ingest'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  const ev = (id: string, ts: string, extra: Record<string, unknown> = {}) => ({
    id,
    timestamp: ts,
    workflow_id: 'wf',
    step: 'gen',
    provider: 'acme',
    model: 'acme-large-2026-09-01',
    tokens_in: 1_000_000,
    cached_tokens_in: 400_000,
    tokens_out: 100_000,
    ...extra,
  })
  await acceptEvents(
    { orgId, now: new Date('2026-11-01T00:00:00Z') },
    {
      events: [ev('a', DAY1), ev('b', DAY1_LATER, { cost_usd: 9.99 }), ev('c', DAY1_LATER, { model: 'ACME/acme-large' })],
    },
  )
  await drain()
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('prices API and re-pricing', () => {
  it('counts events of a model without a price as unpriced and lists them', async () => {
    expect(await metrics()).toEqual([expect.objectContaining({ events: 3, unpriced_events: 3, cost_usd: '0.000000' })])
    const unpriced = await listUnpriced(orgId)
    expect(unpriced.map((u) => [u.model, u.events]).sort()).toEqual([
      ['ACME/acme-large', 1],
      ['acme-large-2026-09-01', 2],
    ])
  })

  it('rejects bad prices field by field, and a read key', async () => {
    const bad = await put({
      prices: [{ provider: 'acme', model: 'x', effective_from: 'yesterday', input_per_mtok: '-1', output_per_mtok: '0.1234567891', colour: 1 }],
    })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual(
      expect.arrayContaining([
        'prices.0.colour: unknown field',
        'prices.0.effective_from: must be an ISO-8601 date-time, e.g. 2026-01-01T00:00:00Z',
        'prices.0.input_per_mtok: must be a non-negative decimal with at most 9 decimal places',
        'prices.0.output_per_mtok: must be a non-negative decimal with at most 9 decimal places',
      ]),
    )
    expect((await put({ prices: [] }, readKey)).status).toBe(403)
  })

  it('adding a price re-prices exactly the events it covers, to the micro-dollar', async () => {
    const res = await put({
      prices: [
        {
          provider: 'acme',
          model: 'acme-large',
          effective_from: '2026-01-01T00:00:00Z',
          input_per_mtok: '2.5',
          cached_input_per_mtok: 0.25,
          output_per_mtok: '10',
        },
      ],
    })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.prices).toEqual([
      expect.objectContaining({
        provider: 'acme',
        model: 'acme-large',
        input_per_mtok: '2.5',
        cached_input_per_mtok: '0.25',
        output_per_mtok: '10',
        cache_write_per_mtok: null,
      }),
    ])
    expect(body.reprice_job_ids).toHaveLength(1)
    expect(await runRepriceJob(body.reprice_job_ids[0])).toEqual({ processed: 3, changed: 3 })
    // per event: 600,000·2.5 + 400,000·0.25 + 100,000·10 = 1.5 + 0.1 + 1.0 = $2.60; savings 400,000·(2.5 − 0.25) = $0.90
    expect(await metrics()).toEqual([expect.objectContaining({ events: 3, unpriced_events: 0, cost_usd: '7.800000', cache_savings_usd: '2.700000' })])
    expect(await listUnpriced(orgId)).toEqual([])
    // The provider said $9.99 for event b; we say $2.60: shown as a discrepancy.
    expect(await listDiscrepancies(orgId, new Date('2026-09-01'), new Date('2026-11-01'))).toEqual([
      expect.objectContaining({ model: 'acme-large-2026-09-01', events: 1, computed_usd: '2.600000', reported_usd: '9.990000', difference_usd: '-7.390000' }),
    ])
  })

  it('re-pricing twice gives the same result as once', async () => {
    const [job] = (await ownerPool().query<{ id: string }>('SELECT id::text FROM reprice_jobs ORDER BY id LIMIT 1')).rows
    await ownerPool().query(`UPDATE reprice_jobs SET status = 'queued', cursor = NULL WHERE id = $1`, [job.id])
    expect(await runRepriceJob(job.id)).toEqual({ processed: 3, changed: 0 })
    expect(await metrics()).toEqual([expect.objectContaining({ cost_usd: '7.800000' })])
  })

  it('a correction effective mid-day re-prices only the events after it, and the rollups follow', async () => {
    const res = await put({
      prices: [
        {
          provider: 'acme',
          model: 'acme-large',
          effective_from: '2026-10-01T12:00:00Z',
          input_per_mtok: '1.25',
          cached_input_per_mtok: '0.125',
          output_per_mtok: '5',
        },
      ],
    })
    const { reprice_job_ids } = await res.json()
    expect(await runRepriceJob(reprice_job_ids[0])).toEqual({ processed: 2, changed: 2 }) // only events from 12:00 on are in scope
    // a (10:00) keeps $2.60; b and c (16:00) now cost 0.75 + 0.05 + 0.5 = $1.30 each → $5.20
    const rows = await metrics('&granularity=hour')
    expect(rows).toEqual([
      expect.objectContaining({ bucket: '2026-10-01T10:00:00.000Z', cost_usd: '2.600000' }),
      expect.objectContaining({ bucket: '2026-10-01T16:00:00.000Z', cost_usd: '2.600000' }),
    ])
    const sum = await ownerPool().query(`SELECT sum(cost_usd)::text AS s FROM inference_events WHERE org_id = $1`, [orgId])
    expect(sum.rows[0].s).toBe('5.200000000000')
    const got = await (await getPrices(new Request('http://x/api/v1/prices', H(readKey)))).json()
    expect(got.prices.map((p: { effective_from: string }) => p.effective_from)).toEqual(['2026-01-01T00:00:00.000Z', '2026-10-01T12:00:00.000Z'])
  })

  it('prices self-hosted calls by GPU pool time', async () => {
    await acceptEvents(
      { orgId, now: new Date('2026-11-01T00:00:00Z') },
      { events: [{ id: 'g1', timestamp: DAY1, workflow_id: 'wf', step: 'gen', gpu_seconds: 90, gpu_pool: 'h100-prod' }] },
    )
    await drain()
    expect(await metrics('&workflow_id=wf&group_by=model')).toContainEqual(expect.objectContaining({ model: null, unpriced_events: 1, gpu_seconds: 90 }))
    const res = await put({ gpu_pools: [{ pool: 'h100-prod', gpu_type: 'H100', gpu_hour_usd: '3.96', effective_from: '2026-01-01T00:00:00Z' }] })
    const { reprice_job_ids } = await res.json()
    await runRepriceJob(reprice_job_ids[0])
    // 90 s / 3600 · $3.96 = $0.099
    expect(await metrics('&group_by=model')).toContainEqual(expect.objectContaining({ model: null, unpriced_events: 0, cost_usd: '0.099000' }))
  })
})

describe('long-context tiers of a negotiated price', () => {
  const sonnet = { provider: 'anthropic', model: 'claude-sonnet-4-5', effective_from: '2026-10-01T00:00:00Z' }
  // 20% off the catalog's $3 / $0.30 / $3.75 / $15 per M (above 200k input tokens: $6 / $0.60 / $7.50 / $22.50)
  const discounted = { ...sonnet, input_per_mtok: '2.4', cached_input_per_mtok: '0.24', cache_write_per_mtok: '3', output_per_mtok: '12' }

  it('a price without tiers over a catalog entry with tiers is saved as sent, with a warning', async () => {
    const res = await put({ prices: [discounted] })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.warnings).toEqual([expect.stringMatching(/^anthropic\/claude-sonnet-4-5: the catalog prices calls above 200,000 input tokens at higher rates/)])
    expect(body.prices.find((p: { model: string }) => p.model === 'claude-sonnet-4-5').tiers).toBeNull()
  })

  it('keep_catalog_tiers keeps the catalog tiers scaled by the same discount, and re-prices a long call at them', async () => {
    await acceptEvents(
      { orgId, now: new Date('2026-11-01T00:00:00Z') },
      {
        events: [
          {
            id: 'long-1',
            timestamp: '2026-10-02T10:00:00.000Z',
            workflow_id: 'wf-long',
            step: 'gen',
            provider: sonnet.provider,
            model: sonnet.model,
            tokens_in: 300_000,
            tokens_out: 1000,
          },
        ],
      },
    )
    await drain()
    const res = await put({ prices: [{ ...discounted, keep_catalog_tiers: true }] })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.warnings).toEqual([])
    const saved = body.prices.find((p: { model: string }) => p.model === 'claude-sonnet-4-5')
    expect(saved.tiers).toEqual([
      { above_input_tokens: 200_000, input_per_mtok: '4.8', cached_input_per_mtok: '0.48', cache_write_per_mtok: '6', output_per_mtok: '18' },
    ])
    for (const id of body.reprice_job_ids) await runRepriceJob(id)
    // 300,000 × $4.80 + 1,000 × $18 per M: the tier's rates on every token of the call
    expect(await metrics('&workflow_id=wf-long&group_by=workflow_id')).toEqual([expect.objectContaining({ events: 1, cost_usd: '1.458000' })])
    // the tiers round-trip through GET
    const listed = await (await getPrices(new Request('http://x/api/v1/prices', H(readKey)))).json()
    expect(listed.prices.find((p: { model: string }) => p.model === 'claude-sonnet-4-5').tiers).toEqual(saved.tiers)
  })

  it('tiers sent are kept as sent; tiers and keep_catalog_tiers together, or keep for a model without catalog tiers, are refused', async () => {
    const own = [{ above_input_tokens: 128_000, input_per_mtok: '5', output_per_mtok: '20' }]
    const res = await put({ prices: [{ ...discounted, tiers: own }] })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.warnings).toEqual([])
    expect(body.prices.find((p: { model: string }) => p.model === 'claude-sonnet-4-5').tiers).toEqual(own)
    const both = await put({ prices: [{ ...discounted, tiers: own, keep_catalog_tiers: true }] })
    expect(both.status).toBe(400)
    expect((await both.json()).error.details.errors).toEqual(['prices.0.keep_catalog_tiers: send tiers or keep_catalog_tiers, not both'])
    const none = await put({
      prices: [
        { provider: 'acme', model: 'acme-large', effective_from: '2026-01-01T00:00:00Z', input_per_mtok: '2', output_per_mtok: '8', keep_catalog_tiers: true },
      ],
    })
    expect(none.status).toBe(400)
    expect((await none.json()).error.details.errors).toEqual(['prices.0.keep_catalog_tiers: the catalog has no long-context tiers for acme/acme-large'])
  })
})
