import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents } from '@/lib/ingest/accept'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { runRepriceJob } from '@/lib/reprice'
import { metricsPlan, queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { PUT as putPrices } from '@/app/api/v1/prices/route'
import { ROLLUP_TABLES } from '@/lib/rollups/tables'

// Issue 18: the response cache in the cost rollups. Hits (response_cache_hit, cost 0, response_cache_savings_usd)
// and misses go through the real ingest worker in several batches; then every cost rollup table's
// response_cache_hits and response_cache_savings_usd must equal the SQL over inference_events, row by row, and
// still after a re-pricing that moves the misses' cost (it must leave the hits alone); the metrics measures must
// equal the SQL from the hourly, daily and weekly tables alike; and the migration's backfill must rebuild exactly
// what the worker kept.

let orgId = ''
const NOW = new Date('2026-11-10T12:00:00Z')
const EVENTS = 1500

function events(): Record<string, unknown>[] {
  let x = 18
  const r = (k: number) => {
    x = (x * 48271) % 2147483647
    return x % k
  }
  const models = [
    ['openai', 'gpt-4o-mini'],
    ['anthropic', 'claude-3-5-haiku-latest'],
    ['acme', 'acme-large'], // no price until the re-pricing below
  ] as const
  return Array.from({ length: EVENTS }, (_, i) => {
    // 2026-10-26 (Monday) … 2026-11-08: two whole ISO weeks and their days and hours
    const ts = new Date(Date.UTC(2026, 9, 26) + r(14 * 24 * 3600) * 1000 + r(1000)).toISOString()
    const [provider, model] = models[r(models.length)]
    const hit = r(3) === 0
    const savings = r(4) // 0: a hit whose original call was unpriced (no savings)
    return {
      id: `rc-${i}`,
      timestamp: ts,
      workflow_id: `wf-${r(4)}`,
      step: `step-${r(3)}`,
      environment: r(5) ? 'production' : 'staging',
      traffic_source: r(6) ? 'production' : 'eval',
      ...(r(3) ? { account_id: `acct-${r(5)}` } : {}),
      ...(r(2) ? { feature: `feature-${r(3)}` } : {}),
      provider,
      model,
      outcome: ['success', 'success', 'retry', 'fallback'][r(4)],
      ...(hit
        ? {
            response_cache_hit: true,
            tokens_in: 0,
            tokens_out: 0,
            ...(savings ? { response_cache_savings_usd: `0.${String(r(10 ** 9)).padStart(12, '0')}` } : {}),
          }
        : { tokens_in: 100 + r(5000), cached_tokens_in: r(2) ? 0 : r(100), tokens_out: r(800) }),
      ...(r(4) ? { latency_ms: 1 + r(5000) } : {}),
    }
  })
}

async function drain() {
  for (let ids = await pendingBatches(0); ids.length; ids = await pendingBatches(0)) expect((await processBatch(ids[0], orgId)).status).toBe('processed')
}

beforeAll(async () => {
  await useTestServices('response_cache_rollups')
  orgId = (await createOrgWithAdmin({ org_name: 'Response Cache Co', email: 'rcache@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  const all = events()
  for (let i = 0; i < all.length; i += 250) {
    const a = await acceptEvents({ orgId, now: NOW, rateLimit: null }, { events: all.slice(i, i + 250) })
    expect(a.rejected).toEqual([])
  }
  // a re-sent batch counts once
  await acceptEvents({ orgId, now: NOW, rateLimit: null }, { events: all.slice(0, 250) })
  await drain()
}, 120_000)
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const MEASURES = {
  response_cache_hits: 'count(*) FILTER (WHERE response_cache_hit)',
  response_cache_savings_usd: 'coalesce(sum(response_cache_savings_usd), 0)',
  cost_usd: 'coalesce(sum(cost_usd), 0)',
  unpriced_events: 'count(*) FILTER (WHERE cost_usd IS NULL)',
  events: 'count(*)',
} as const

/** Every cost rollup table against the SQL over the events: one message per table that differs. */
async function mismatches(): Promise<string[]> {
  const out: string[] = []
  const norm = (v: string) => `round((${v})::numeric, 12)::text`
  for (const t of ROLLUP_TABLES) {
    const bucket = `date_trunc('${t.time}', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`
    const names = Object.keys(MEASURES)
    const expected = await ownerPool().query(
      `SELECT at::text, ${t.dims.join(', ')}, ${names.map((m) => `${norm(m)} AS ${m}`).join(', ')}
       FROM (SELECT ${bucket} AS at, ${t.dims.map((d) => `coalesce(${d}, '') AS ${d}`).join(', ')},
                    ${Object.entries(MEASURES)
                      .map(([m, sql]) => `${sql} AS ${m}`)
                      .join(', ')}
             FROM inference_events WHERE org_id = $1 GROUP BY ${t.dims.map((_, i) => i + 2).join(', ')}, 1) e`,
      [orgId],
    )
    const written = await ownerPool().query(
      `SELECT ${t.time}::text AS at, ${t.dims.join(', ')}, ${names.map((m) => `${norm(m)} AS ${m}`).join(', ')} FROM ${t.table} WHERE org_id = $1`,
      [orgId],
    )
    const text = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(Object.values(r))).sort()
    if (written.rows.length === 0) out.push(`${t.table}: no rows`)
    else if (JSON.stringify(text(written.rows)) !== JSON.stringify(text(expected.rows))) out.push(`${t.table}: differs from the events`)
  }
  return out
}

async function eventSums() {
  const { rows } = await ownerPool().query<{ hits: number; savings: string; no_savings: number; cost: string; unpriced: number }>(
    `SELECT count(*) FILTER (WHERE response_cache_hit)::int AS hits, sum(response_cache_savings_usd)::text AS savings,
            count(*) FILTER (WHERE response_cache_hit AND response_cache_savings_usd IS NULL)::int AS no_savings,
            sum(cost_usd)::text AS cost, count(*) FILTER (WHERE cost_usd IS NULL)::int AS unpriced
     FROM inference_events WHERE org_id = $1`,
    [orgId],
  )
  return rows[0]
}

describe('response cache hits and savings in the cost rollups', () => {
  it('after ingest: every table (hourly, daily, weekly) equals the SQL over the events, row by row', async () => {
    const s = await eventSums()
    // the load is what it claims: hits with and without savings, misses, unpriced misses
    expect(s.hits).toBeGreaterThan(300)
    expect(s.no_savings).toBeGreaterThan(30)
    expect(Number(s.savings)).toBeGreaterThan(0)
    expect(s.unpriced).toBeGreaterThan(100)
    const { rows } = await ownerPool().query(
      'SELECT sum(response_cache_hits)::int AS hits, sum(response_cache_savings_usd)::text AS savings FROM rollups_weekly WHERE org_id = $1',
      [orgId],
    )
    expect(rows[0]).toEqual({ hits: s.hits, savings: s.savings })
    expect(await mismatches()).toEqual([])
  })

  it('after a re-pricing that moves the misses: unchanged, still equal to the SQL (cost moved with the events)', async () => {
    const before = await eventSums()
    const writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
    const res = await putPrices(
      new Request('http://x/api/v1/prices', {
        method: 'PUT',
        headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          prices: [{ provider: 'acme', model: 'acme-large', effective_from: '2026-11-01T12:00:00Z', input_per_mtok: '2.5', output_per_mtok: '10' }],
        }),
      }),
    )
    expect(res.status).toBe(200)
    let changed = 0
    for (const id of (await res.json()).reprice_job_ids) changed += (await runRepriceJob(id)).changed
    expect(changed).toBeGreaterThan(50)
    const after = await eventSums()
    expect(after.unpriced).toBeLessThan(before.unpriced)
    expect(after.cost).not.toBe(before.cost)
    // hits untouched: cost 0, same savings
    expect({ hits: after.hits, savings: after.savings }).toEqual({ hits: before.hits, savings: before.savings })
    const { rows } = await ownerPool().query<{ n: number }>(
      'SELECT count(*)::int AS n FROM inference_events WHERE org_id = $1 AND response_cache_hit AND cost_usd <> 0',
      [orgId],
    )
    expect(rows[0].n).toBe(0)
    expect(await mismatches()).toEqual([])
  })

  it('GET /api/v1/metrics answers response_cache_hits and response_cache_savings_usd equal to the SQL, from weekly, daily and hourly tables', async () => {
    const ranges = [
      { from: '2026-10-26T00:00:00Z', to: '2026-11-09T00:00:00Z' }, // two whole weeks
      { from: '2026-10-27T05:00:00Z', to: '2026-11-08T13:00:00Z' }, // a week, days and hours around it
      { from: '2026-10-30T07:00:00Z', to: '2026-10-30T19:00:00Z' }, // hours only
    ]
    let weekly = 0
    for (const range of ranges) {
      for (const extra of [
        { group_by: 'workflow_id', measures: 'response_cache_hits,response_cache_savings_usd' },
        { group_by: 'account_id,workflow_id,step', measures: 'response_cache_hits,response_cache_savings_usd' },
        { group_by: 'workflow_id' }, // every measure
        { group_by: 'provider,model', environment: 'production' },
      ]) {
        const q = ZMetricsQuery.parse({ ...range, ...extra })
        if (metricsPlan(q).cost.weekly) weekly++
        const key = (r: Record<string, unknown>) => (q.group_by ?? []).map((d) => r[d] ?? '').join('/')
        const params: unknown[] = [orgId, range.from, range.to]
        const env = 'environment' in extra ? ` AND environment = $${params.push(extra.environment)}` : ''
        const sql = await ownerPool().query<{ k: string; hits: number; savings: string }>(
          `SELECT ${(q.group_by ?? []).map((d) => `coalesce(${d}, '')`).join(` || '/' || `)} AS k,
                  count(*) FILTER (WHERE response_cache_hit)::int AS hits, round(coalesce(sum(response_cache_savings_usd), 0), 6)::text AS savings
           FROM inference_events WHERE org_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3${env} GROUP BY 1`,
          params,
        )
        const expected = Object.fromEntries(sql.rows.map((r) => [r.k, { hits: r.hits, savings: r.savings }]))
        for (const daily of [true, false]) {
          const { rows } = await queryMetrics(orgId, q, { daily })
          const got = Object.fromEntries(
            rows.map((r) => [key(r as unknown as Record<string, unknown>), { hits: r.response_cache_hits, savings: r.response_cache_savings_usd }]),
          )
          expect(got, `${JSON.stringify({ ...range, ...extra, daily })}`).toEqual(expected)
        }
        expect(sql.rows.some((r) => r.hits > 0)).toBe(true)
      }
    }
    expect(weekly).toBeGreaterThan(0)
  })

  it("the migration's backfill rebuilds what the worker kept, in every table", async () => {
    const snapshot = async () => {
      const out: Record<string, string[]> = {}
      for (const t of ROLLUP_TABLES) {
        const { rows } = await ownerPool().query(
          `SELECT ${t.time}::text, ${t.dims.join(', ')}, response_cache_hits::text, response_cache_savings_usd::text FROM ${t.table} WHERE org_id = $1`,
          [orgId],
        )
        out[t.table] = rows.map((r) => JSON.stringify(r)).sort()
      }
      return out
    }
    const kept = await snapshot()
    for (const t of ROLLUP_TABLES) {
      const { rowCount } = await ownerPool().query(
        `UPDATE ${t.table} SET response_cache_hits = 0, response_cache_savings_usd = 0 WHERE org_id = $1 AND response_cache_hits > 0`,
        [orgId],
      )
      expect(rowCount, t.table).toBeGreaterThan(0)
    }
    const migration = await readFile('prisma/migrations/20261212100000_response_cache_rollups/migration.sql', 'utf8')
    const updates = migration
      .split(';')
      .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
      .filter((s) => s.startsWith('WITH'))
    expect(updates).toHaveLength(ROLLUP_TABLES.length)
    // this database holds only this test's organization
    for (const s of updates) await ownerPool().query(s)
    expect(await snapshot()).toEqual(kept)
  })
})
