import { HOUR_MS } from '@/lib/domain'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { acceptEvents } from '@/lib/ingest/accept'
import { runRepriceJob } from '@/lib/reprice'
import { GET as listPoolsRoute, PATCH as patchByName, POST as createPoolRoute } from '@/app/api/v1/gpu/pools/route'
import { GET as getPoolRoute, PATCH as patchPoolRoute } from '@/app/api/v1/gpu/pools/[id]/route'
import { POST as postSamples } from '@/app/api/v1/gpu/samples/route'
import { GET as fleetRoute } from '@/app/api/v1/gpu/fleet/route'
import { PUT as putPrices, GET as getPrices } from '@/app/api/v1/prices/route'
import { GET as getMetrics } from '@/app/api/v1/metrics/route'
import { POST as postLineItem } from '@/app/api/v1/scenarios/line-items/route'
import type { TSessionUser } from '@/lib/auth/session'

// The signed-in member, for the session cases (next-auth's cookie is not in play here).
let signedIn: TSessionUser | null = null
vi.mock('@/lib/auth/session', () => ({ sessionUser: async () => signedIn }))

// The fleet as code against the real PostgreSQL: pools with versions, their
// price feeding the cost engine, samples stored once, and the fleet summary.

let orgId = ''
let orgSlug = ''
let otherOrgKey = ''
let read = ''
let write = ''
let ingest = ''
const NOW = new Date()
const hourAgo = (h: number) => new Date(Math.floor(NOW.getTime() / HOUR_MS) * HOUR_MS - h * HOUR_MS)
const ctx = (id?: string) => ({ params: Promise.resolve<Record<string, string>>(id ? { id } : {}) })
async function drain() {
  for (const id of await pendingBatches(0)) await processBatch(id)
}
const body = async (r: Response) => ({ status: r.status, json: await r.json() })

beforeAll(async () => {
  await useTestServices('fleet')
  const created = await createOrgWithAdmin({ org_name: 'Fleet Co', email: 'fleet@example.com', password: 'password-123' })
  setTestDefaultOrg(created.org.id) // the tests' own calls of lib functions run for this organization
  orgId = created.org.id
  orgSlug = created.org.slug
  read = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  write = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  ingest = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest', 'read'] })).key
  const other = (await createOrgWithAdmin({ org_name: 'Other Co', email: 'other@example.com', password: 'password-123' })).org.id
  otherOrgKey = (await createTestApiKey(other, { name: 'r', scopes: ['read', 'write', 'ingest'] })).key
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('GPU pools API', () => {
  let poolId = ''
  it('creates an amortized pool and writes its effective hourly price where the cost engine reads it', async () => {
    const r = await body(
      await createPoolRoute(
        apiRequest('/api/v1/gpu/pools', {
          key: write,
          body: {
            name: 'prod-h100',
            role: 'production',
            gpu_type: 'H100',
            region: 'us-east-1',
            serves: ['kb-search'],
            gpu_count: 4,
            effective_from: hourAgo(48).toISOString(),
            pricing: 'amortized',
            purchase_usd_per_gpu: '30000',
            amortization_months: 36,
            power_hosting_usd_per_gpu_hour: '0.6',
          },
        }),
        ctx(),
      ),
    )
    expect(r.status).toBe(201)
    poolId = r.json.pool.id
    expect(r.json.pool).toMatchObject({
      name: 'prod-h100',
      role: 'production',
      serves: ['kb-search'],
      current: { gpu_count: 4, pricing: 'amortized', effective_gpu_hour_usd: '1.741552511' },
    })
    const prices = await (await getPrices(apiRequest('/api/v1/prices', { key: read }))).json()
    expect(prices.gpu_pools).toEqual([{ pool: 'prod-h100', gpu_type: 'H100', gpu_hour_usd: '1.741552511', effective_from: hourAgo(48).toISOString() }])
  })

  it('rejects bad pools field by field, a duplicate name, a read key and another organization', async () => {
    const bad = await body(
      await createPoolRoute(
        apiRequest('/api/v1/gpu/pools', {
          key: write,
          body: { name: 'bad name!', role: 'prod', gpu_type: '', gpu_count: -1, pricing: 'amortized', purchase_usd_per_gpu: 'lots', colour: 1 },
        }),
        ctx(),
      ),
    )
    expect(bad.status).toBe(400)
    expect(bad.json.error.details.errors).toEqual(
      expect.arrayContaining([
        'colour: unknown field',
        'name: may hold letters, digits and . _ - : / only (it is the gpu_pool events carry)',
        'role: must be one of production, staging, canary, reserve, test, debug, eval',
        'gpu_type: must not be empty',
        'gpu_count: must be ≥ 0',
        'purchase_usd_per_gpu: must be a non-negative decimal with at most 6 decimal places',
      ]),
    )
    const noPrice = await body(
      await createPoolRoute(
        apiRequest('/api/v1/gpu/pools', { key: write, body: { name: 'x', role: 'staging', gpu_type: 'A10', gpu_count: 1, pricing: 'hourly' } }),
        ctx(),
      ),
    )
    expect(noPrice.json.error.details.errors).toEqual(['gpu_hour_usd: is required when pricing is hourly'])
    const dup = await createPoolRoute(
      apiRequest('/api/v1/gpu/pools', {
        key: write,
        body: { name: 'prod-h100', role: 'staging', gpu_type: 'A10', gpu_count: 1, pricing: 'hourly', gpu_hour_usd: 1 },
      }),
      ctx(),
    )
    expect(dup.status).toBe(409)
    expect((await createPoolRoute(apiRequest('/api/v1/gpu/pools', { key: read, body: {} }), ctx())).status).toBe(403)
    expect((await getPoolRoute(apiRequest(`/api/v1/gpu/pools/${poolId}`, { key: otherOrgKey }), ctx(poolId))).status).toBe(404)
    expect((await (await listPoolsRoute(apiRequest('/api/v1/gpu/pools', { key: otherOrgKey }), ctx())).json()).pools).toEqual([])
  })

  it('keeps the PUT /api/v1/prices contract for other pools and sends fleet pools to the fleet', async () => {
    const owned = await putPrices(
      apiRequest('/api/v1/prices', {
        method: 'PUT',
        key: write,
        body: { gpu_pools: [{ pool: 'prod-h100', gpu_type: 'H100', gpu_hour_usd: '9', effective_from: '2026-01-01T00:00:00Z' }] },
      }),
    )
    expect(owned.status).toBe(409)
    expect((await owned.json()).error.message).toMatch(/priced by the GPU fleet/)
    const other = await putPrices(
      apiRequest('/api/v1/prices', {
        method: 'PUT',
        key: write,
        body: { gpu_pools: [{ pool: 'rented-a100', gpu_type: 'A100', gpu_hour_usd: '1.8', effective_from: '2026-01-01T00:00:00Z' }] },
      }),
    )
    expect(other.status).toBe(200)
  })

  it('prices a self-hosted event from the pool, and re-prices it when the pool grows into a new price', async () => {
    const ts = hourAgo(10).toISOString()
    await acceptEvents(
      { orgId, now: NOW },
      {
        events: [
          {
            id: 'gpu-1',
            timestamp: ts,
            workflow_id: 'kb-search',
            step: 'answer',
            provider: 'self-hosted',
            model: 'llama-70b',
            gpu_seconds: 3600,
            gpu_pool: 'prod-h100',
          },
        ],
      },
    )
    await drain()
    const cost = async () =>
      (await ownerPool().query<{ c: string }>(`SELECT cost_usd::text AS c FROM inference_events WHERE org_id = $1 AND event_id = 'gpu-1'`, [orgId])).rows[0].c
    expect(await cost()).toBe('1.741552511000') // one GPU-hour at the amortized price
    // The pool moves to a rented price from 20 hours ago: the event is re-priced, the rollups follow.
    const r = await body(
      await patchPoolRoute(
        apiRequest(`/api/v1/gpu/pools/${poolId}`, {
          method: 'PATCH',
          key: write,
          body: { gpu_count: 8, effective_from: hourAgo(20).toISOString(), pricing: 'hourly', gpu_hour_usd: '2.49' },
        }),
        ctx(poolId),
      ),
    )
    expect(r.status).toBe(200)
    expect(r.json.pool.versions.map((v: { gpu_count: number; effective_gpu_hour_usd: string }) => [v.gpu_count, v.effective_gpu_hour_usd])).toEqual([
      [4, '1.741552511'],
      [8, '2.49'],
    ])
    expect(r.json.reprice_job_ids).toHaveLength(1)
    await runRepriceJob(r.json.reprice_job_ids[0])
    expect(await cost()).toBe('2.490000000000')
    const m = await (await getMetrics(apiRequest('/api/v1/metrics?from=2000-01-01&workflow_id=kb-search', { key: read }))).json()
    expect(m.rows).toEqual([expect.objectContaining({ cost_usd: '2.490000', gpu_seconds: 3600, unpriced_events: 0 })])
  })

  it('patches by name, carries unchanged version fields, and refuses a rename through the id', async () => {
    const r = await body(
      await patchByName(
        apiRequest('/api/v1/gpu/pools', { method: 'PATCH', key: write, body: { name: 'prod-h100', serves: ['kb-search', 'support-agent'], gpu_count: 6 } }),
        ctx(),
      ),
    )
    expect(r.status).toBe(200)
    expect(r.json.pool.serves).toEqual(['kb-search', 'support-agent'])
    expect(r.json.pool.current).toMatchObject({ gpu_count: 6, pricing: 'hourly', gpu_hour_usd: '2.49' })
    const rename = await patchPoolRoute(apiRequest(`/api/v1/gpu/pools/${poolId}`, { method: 'PATCH', key: write, body: { name: 'other' } }), ctx(poolId))
    expect(rename.status).toBe(400)
    const shares = await body(
      await patchPoolRoute(
        apiRequest(`/api/v1/gpu/pools/${poolId}`, { method: 'PATCH', key: write, body: { allocation: 'share', shares: { nope: 1 } } }),
        ctx(poolId),
      ),
    )
    expect(shares.json.error.details.errors).toEqual(['shares.nope: is not one of the scenarios the pool serves'])
    const unknown = await patchByName(apiRequest('/api/v1/gpu/pools', { method: 'PATCH', key: write, body: { name: 'missing', gpu_count: 1 } }), ctx())
    expect(unknown.status).toBe(404)
  })
})

describe('GPU samples API', () => {
  it('stores JSON samples once per (pool, GPU, timestamp) and reports bad ones by index', async () => {
    const t = hourAgo(3)
    const samples = [0, 1].flatMap((gpu) =>
      [0, 30].map((min) => ({
        timestamp: new Date(t.getTime() + min * 60_000).toISOString(),
        pool: 'prod-h100',
        gpu_index: gpu,
        utilization_pct: gpu === 0 ? 80 : 20,
        memory_used_mib: 1000,
      })),
    )
    const first = await body(
      await postSamples(
        apiRequest('/api/v1/gpu/samples', {
          key: ingest,
          body: { samples: [...samples, { timestamp: t.toISOString(), pool: 'nope', utilization_pct: 5 }, { pool: 'prod-h100', utilization_pct: 101 }] },
        }),
        ctx(),
      ),
    )
    expect(first.status).toBe(200)
    expect(first.json).toEqual({
      accepted: 4,
      duplicates: 0,
      rejected: [
        { index: 4, errors: ['pool: no GPU pool named "nope"; create it with POST /api/v1/gpu/pools'] },
        { index: 5, errors: ['timestamp: is required', 'utilization_pct: must be ≤ 100'] },
      ],
    })
    const again = await body(await postSamples(apiRequest('/api/v1/gpu/samples', { key: ingest, body: { samples } }), ctx()))
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 4 })
    const agg = await ownerPool().query(`SELECT samples, util_sum, util_max FROM gpu_util_hourly WHERE org_id = $1 AND hour = $2`, [orgId, t])
    expect(agg.rows).toEqual([{ samples: 4, util_sum: 200, util_max: 80 }])
    expect((await postSamples(apiRequest('/api/v1/gpu/samples', { key: ingest, body: { samples: [] } }), ctx())).status).toBe(400)
    expect((await postSamples(apiRequest('/api/v1/gpu/samples', { key: read, body: { samples } }), ctx())).status).toBe(403)
  })

  it('imports nvidia-smi CSV for a pool, idempotently, with line errors', async () => {
    const t = hourAgo(2)
    const stamp = (m: number) => new Date(t.getTime() + m * 60_000).toISOString().replace('T', ' ').replace('Z', '').replace(/-/g, '/')
    const csv = `timestamp, index, utilization.gpu [%], memory.used [MiB]\n${stamp(0)}, 0, 50 %, 40536 MiB\n${stamp(0)}, 1, 30 %, 512 MiB\n${stamp(1)}, 0, oops, 1 MiB\n`
    const send = (text: string, q = '?pool=prod-h100') =>
      postSamples(apiRequest(`/api/v1/gpu/samples${q}`, { key: ingest, body: text, contentType: 'text/csv' }), ctx())
    const r = await body(await send(csv))
    expect(r.json).toEqual({ accepted: 2, duplicates: 0, rejected: [{ line: 4, errors: ['utilization.gpu: "oops" is not a number of %'] }] })
    expect((await body(await send(csv))).json).toMatchObject({ accepted: 0, duplicates: 2 })
    const noHeader = await body(await send(`${stamp(0)}, 0, 50 %, 1 MiB`))
    expect(noHeader.status).toBe(400)
    expect(noHeader.json.error.details.errors[0]).toMatch(/^csv: Line 1: the header lacks/)
    expect((await send(csv, '')).status).toBe(400)
    expect((await send(csv, '?pool=missing')).status).toBe(404)
    // The route's limit of spaces as a header (the old header cleanup backtracked for hours on it): a 400 at once.
    const spaces = await body(await send(`${' '.repeat(4 * 1024 * 1024 - 2)}x\n`))
    expect(spaces.status).toBe(400)
    expect(spaces.json.error.details.errors).toEqual([`csv: Line 1 is ${4 * 1024 * 1024 - 1} characters long; at most 4096 per line`])
    const agg = await ownerPool().query(`SELECT samples, util_sum FROM gpu_util_hourly WHERE org_id = $1 AND hour = $2`, [orgId, t])
    expect(agg.rows).toEqual([{ samples: 2, util_sum: 80 }])
  })

  it('sums the fleet: cost per role, idle cost from the hourly aggregates', async () => {
    const r = await body(await fleetRoute(apiRequest('/api/v1/gpu/fleet?days=7', { key: read }), ctx()))
    expect(r.status).toBe(200)
    const p = r.json.pools.find((x: { name: string }) => x.name === 'prod-h100')
    // Measured hours: 3 hours ago at 50% and 2 hours ago at 40%, both with 8 GPUs at $2.49 ($19.92/h; the pool
    // shrank to 6 only from the PATCH "now"): idle = 19.92 × 0.5 + 19.92 × 0.6.
    expect(p.hours_measured).toBe(2)
    expect(p.avg_utilization).toBeCloseTo(0.45, 6)
    expect(Number(p.idle_cost_usd)).toBeCloseTo(19.92 * 0.5 + 19.92 * 0.6, 6)
    expect(r.json.roles).toEqual([expect.objectContaining({ role: 'production', pools: 1, gpus: 6, share: 1 })])
    expect((await fleetRoute(apiRequest('/api/v1/gpu/fleet?days=0', { key: read }), ctx())).status).toBe(400)
  })
})

describe('right-sizing hints (issue 21)', () => {
  it('add up to a total saving per month, exactly, each with its 14-day window', async () => {
    // Two oversized pools at a steady 20% for the last 14 days: 8 × $2.00 needs 2 (⌈8 × 0.2 ÷ 0.8⌉), 4 × $1.10 needs 1.
    for (const [name, gpu_count, gpu_hour_usd] of [
      ['hint-a', 8, '2.00'],
      ['hint-b', 4, '1.10'],
    ] as const) {
      const r = await body(
        await createPoolRoute(
          apiRequest('/api/v1/gpu/pools', {
            key: write,
            body: { name, role: 'staging', gpu_type: 'L4', gpu_count, effective_from: hourAgo(24 * 20).toISOString(), pricing: 'hourly', gpu_hour_usd },
          }),
          ctx(),
        ),
      )
      expect(r.status).toBe(201)
      await ownerPool().query(
        `INSERT INTO gpu_util_hourly (org_id, pool_id, hour, samples, util_sum, util_max)
         SELECT $1, $2, h, 10, 200, 20 FROM generate_series($3::timestamptz, $4::timestamptz, interval '1 hour') h`,
        [orgId, r.json.pool.id, hourAgo(14 * 24 - 1), hourAgo(1)],
      )
    }
    const r = await body(await fleetRoute(apiRequest('/api/v1/gpu/fleet?days=30', { key: read }), ctx()))
    const hints = r.json.hints.filter((h: { pool: string }) => h.pool.startsWith('hint-'))
    expect(
      hints.map((h: { pool: string; release_gpus: number; saving_per_month_usd: string; window_days: number }) => [
        h.pool,
        h.release_gpus,
        h.saving_per_month_usd,
        h.window_days,
      ]),
    ).toEqual([
      ['hint-a', 6, '8760.000000', 14], // 6 × $2.00 × 730 h
      ['hint-b', 3, '2409.000000', 14], // 3 × $1.10 × 730 h
    ])
    const sum = r.json.hints.reduce((m: bigint, h: { saving_per_month_usd: string }) => m + BigInt(h.saving_per_month_usd.replace('.', '')), 0n)
    expect(r.json.right_sizing).toMatchObject({ window_days: 14, saving_per_month_usd: `${sum / 1_000_000n}.${String(sum % 1_000_000n).padStart(6, '0')}` })
    expect(r.json.right_sizing.saving_per_month_usd).toBe('11169.000000')
  })
})

describe('who may change the fleet', () => {
  const member = async (email: string, role: string) => {
    const u = await ownerPool().query<{ id: string }>(`INSERT INTO users (id, email, password_hash) VALUES (gen_random_uuid(), $1, 'x') RETURNING id`, [email])
    await ownerPool().query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)`, [orgId, u.rows[0].id, role])
    return { id: u.rows[0].id, email, name: null }
  }
  // a signed-in member's request from our own pages (the browser sends Origin: lib/http/origin.ts)
  const session = (path: string, body?: unknown) =>
    apiRequest(`${path}${path.includes('?') ? '&' : '?'}org=${orgSlug}`, { headers: { origin: 'http://localhost' }, ...(body === undefined ? {} : { body }) })
  const pool1 = (name: string) => ({ name, role: 'test', gpu_type: 'L4', gpu_count: 1, pricing: 'hourly', gpu_hour_usd: '0.7' })

  it('lets viewers read and refuses their changes; finance edits line items but not pools (their GPU prices) nor samples; engineers edit pools', async () => {
    signedIn = await member('viewer@example.com', 'viewer')
    expect((await listPoolsRoute(session('/api/v1/gpu/pools'), ctx())).status).toBe(200)
    expect((await createPoolRoute(session('/api/v1/gpu/pools', pool1('v')), ctx())).status).toBe(403)
    expect(
      (await postSamples(session('/api/v1/gpu/samples', { samples: [{ timestamp: hourAgo(1).toISOString(), pool: 'prod-h100', utilization_pct: 1 }] }), ctx()))
        .status,
    ).toBe(403)
    expect(
      (
        await postLineItem(
          session('/api/v1/scenarios/line-items', { scenario: 's', month: '2026-11', category: 'operations', amount_usd: 1, note: 'n' }),
          ctx(),
        )
      ).status,
    ).toBe(403)
    signedIn = await member('finance@example.com', 'finance')
    expect((await listPoolsRoute(session('/api/v1/gpu/pools'), ctx())).status).toBe(200)
    expect((await createPoolRoute(session('/api/v1/gpu/pools', pool1('f')), ctx())).status).toBe(403)
    expect(
      (await postSamples(session('/api/v1/gpu/samples', { samples: [{ timestamp: hourAgo(1).toISOString(), pool: 'prod-h100', utilization_pct: 1 }] }), ctx()))
        .status,
    ).toBe(403)
    expect(
      (
        await postLineItem(
          session('/api/v1/scenarios/line-items', { scenario: 's', month: '2026-11', category: 'operations', amount_usd: 1, note: 'n' }),
          ctx(),
        )
      ).status,
    ).toBe(201)
    signedIn = await member('engineer@example.com', 'engineer')
    expect((await createPoolRoute(session('/api/v1/gpu/pools', pool1('e')), ctx())).status).toBe(201)
    signedIn = await member('cs@example.com', 'customer_success')
    expect((await listPoolsRoute(session('/api/v1/gpu/pools'), ctx())).status).toBe(403)
    signedIn = null
  })
})
