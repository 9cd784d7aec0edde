import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents } from '@/lib/ingest/accept'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { ROLLUP_TABLES } from '@/lib/rollups/tables'

// Issue 22: at real-world cardinality nearly every event has rollup rows of its own in the hourly, daily and weekly
// tables, and the daily and weekly rows are summed from the hourly ones in SQL (lib/rollups/hourly.ts upsertAll).
// Events spread over hundreds of keys and three days across an ISO week's end, counted by group commits (many
// batches a transaction, as under a backlog): then every cost rollup table must equal the SQL over the events,
// row by row — money exact, the latency histogram bucket by bucket.

let orgId = ''
const NOW = new Date('2026-11-10T12:00:00Z')
const EVENTS = 3000

function events(): Record<string, unknown>[] {
  let x = 22
  const r = (k: number) => {
    x = (x * 48271) % 2147483647
    return x % k
  }
  const models = [
    ['openai', 'gpt-4o-mini'],
    ['openai', 'gpt-4o'],
    ['anthropic', 'claude-3-5-haiku-latest'],
    ['acme', 'acme-large'], // no price: unpriced events
  ] as const
  return Array.from({ length: EVENTS }, (_, i) => {
    // 2026-11-08 (Sunday) 00:00 … 2026-11-10 12:00: two ISO weeks, three days, 60 hours
    const ts = new Date(Date.UTC(2026, 10, 8) + r(60 * 3600) * 1000 + r(1000)).toISOString()
    const [provider, model] = models[r(models.length)]
    const tokensIn = 20 + r(8000)
    return {
      id: `c-${i}`,
      timestamp: ts,
      workflow_id: `wf-${r(40)}`,
      step: `step-${r(6)}`,
      call_type: r(5) ? 'generation' : 'embedding',
      environment: r(6) ? 'production' : 'staging',
      traffic_source: r(5) ? 'production' : 'eval',
      run_id: `run-${r(900)}`,
      ...(r(8) ? { account_id: `acct-${r(300)}` } : {}),
      ...(r(4) ? { feature: `feature-${r(25)}` } : {}),
      ...(r(10) ? {} : { user_id: `user-${r(2000)}` }),
      provider,
      model,
      tokens_in: tokensIn,
      cached_tokens_in: r(3) ? 0 : r(tokensIn),
      tokens_out: r(3000),
      outcome: ['success', 'success', 'success', 'retry', 'error', 'fallback'][r(6)],
      ...(r(5) ? { latency_ms: 0.5 + r(60_000) / 3 } : {}),
      ...(r(7) ? {} : { cost_usd: r(100000) / 1e7 }),
      ...(r(9) ? {} : { gpu_seconds: r(5000) / 1000, gpu_pool: 'pool-a' }),
      // every 7th call answered from a response cache, two in three with what it saved (no draw: the rest stays as it was)
      ...(i % 7 === 3 ? { response_cache_hit: true, ...(i % 3 ? { response_cache_savings_usd: `0.000${String(i * 7919).padStart(9, '0')}` } : {}) } : {}),
    }
  })
}

beforeAll(async () => {
  await useTestServices('rollups_cardinality')
  orgId = (await createOrgWithAdmin({ org_name: 'Cardinality Co', email: 'cardinality@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  const all = events()
  for (let i = 0; i < all.length; i += 100) {
    const a = await acceptEvents({ orgId, now: NOW, rateLimit: null }, { events: all.slice(i, i + 100) })
    expect(a.rejected).toEqual([])
  }
  // group commit: each transaction takes the organization's waiting batches (up to INGEST_GROUP_MAX_BATCHES)
  let transactions = 0
  for (let ids = await pendingBatches(0); ids.length; ids = await pendingBatches(0)) {
    const p = await processBatch(ids[0], orgId)
    expect(p.status).toBe('processed')
    transactions++
  }
  expect(transactions).toBeLessThan(EVENTS / 100) // several batches a transaction
}, 120_000)
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const MEASURES = [
  'events',
  'requests',
  'tokens_in',
  'cached_tokens_in',
  'cache_write_tokens',
  'tokens_out',
  'gpu_seconds',
  'unpriced_events',
  'cost_usd',
  'cache_savings_usd',
  'response_cache_hits',
  'response_cache_savings_usd',
  'reported_cost_usd',
  'latency_ms_sum',
  'latency_count',
  'latency_hist',
] as const

/** What a rollup table's row must hold: the measure as SQL over inference_events. */
const FROM_EVENTS: Record<(typeof MEASURES)[number], string> = {
  events: 'count(*)',
  requests: 'sum(requests)',
  tokens_in: 'sum(tokens_in)',
  cached_tokens_in: 'sum(cached_tokens_in)',
  cache_write_tokens: 'sum(cache_write_tokens)',
  tokens_out: 'sum(tokens_out)',
  gpu_seconds: 'coalesce(sum(gpu_seconds), 0)',
  unpriced_events: 'count(*) FILTER (WHERE cost_usd IS NULL)',
  cost_usd: 'coalesce(sum(cost_usd), 0)',
  cache_savings_usd: 'coalesce(sum(cache_savings_usd), 0)',
  response_cache_hits: 'count(*) FILTER (WHERE response_cache_hit)',
  response_cache_savings_usd: 'coalesce(sum(response_cache_savings_usd), 0)',
  reported_cost_usd: 'coalesce(sum(reported_cost_usd), 0)',
  latency_ms_sum: 'coalesce(sum(latency_ms), 0)',
  latency_count: 'count(latency_ms)',
  latency_hist: `coalesce(outlay_hist_sum(CASE WHEN latency_ms IS NOT NULL THEN array_fill(0, ARRAY[outlay_latency_bucket(latency_ms)]) || 1 END)::int4[], '{}')`,
}

/** Comparable text: numbers at one scale (the tables' numeric scales differ), the float latency sum rounded (its summation order differs). */
const norm = (m: string, v: string) =>
  m === 'latency_ms_sum' ? `round((${v})::numeric, 6)::text` : m === 'latency_hist' ? `(${v})::text` : `round((${v})::numeric, 12)::text`

describe('every cost rollup table after a high-cardinality load', () => {
  it('holds nearly one row per event in the widest tables (the load is what it claims)', async () => {
    const { rows } = await ownerPool().query<{ n: number }>('SELECT count(*)::int AS n FROM rollups_hourly WHERE org_id = $1', [orgId])
    expect(rows[0].n).toBeGreaterThan(0.95 * EVENTS)
  })

  for (const t of ROLLUP_TABLES) {
    it(`${t.table} equals the SQL over the events, row by row`, async () => {
      const bucket = `date_trunc('${t.time}', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`
      const dims = t.dims.map((d) => `coalesce(${d}, '') AS ${d}`)
      const key = [`${t.time}::text AS at`, ...t.dims]
      const expected = await ownerPool().query(
        `SELECT at::text, ${t.dims.join(', ')}, ${MEASURES.map((m) => `${norm(m, m)} AS ${m}`).join(', ')}
         FROM (SELECT ${bucket} AS at, ${dims.join(', ')}, ${MEASURES.map((m) => `${FROM_EVENTS[m]} AS ${m}`).join(', ')}
               FROM inference_events WHERE org_id = $1 GROUP BY ${t.dims.map((_, i) => i + 2).join(', ')}, 1) e`,
        [orgId],
      )
      const written = await ownerPool().query(
        `SELECT ${key.join(', ')}, ${MEASURES.map((m) => `${norm(m, m)} AS ${m}`).join(', ')} FROM ${t.table} WHERE org_id = $1`,
        [orgId],
      )
      const text = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(Object.values(r))).sort()
      expect(written.rows.length).toBeGreaterThan(0)
      expect(text(written.rows)).toEqual(text(expected.rows))
    })
  }

  it('counts every run once', async () => {
    const { rows } = await ownerPool().query<{ runs: string; distinct_runs: string }>(
      `SELECT (SELECT sum(runs) FROM rollups_hourly WHERE org_id = $1)::text AS runs,
              (SELECT sum(runs) FROM rollups_weekly WHERE org_id = $1)::text AS weekly_runs,
              (SELECT count(DISTINCT run_id) FROM inference_events WHERE org_id = $1)::text AS distinct_runs`,
      [orgId],
    )
    expect(rows[0]).toEqual({ runs: rows[0].distinct_runs, weekly_runs: rows[0].distinct_runs, distinct_runs: rows[0].distinct_runs })
  })
})
