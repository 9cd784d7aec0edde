import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents } from '@/lib/ingest/accept'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { ROLLUP_TABLES } from '@/lib/rollups/tables'
import { COMPARED_TABLES, compareRollupsWithEvents, type TTableEquality } from '@/lib/rollups/equality'

// Issue 22: at real-world cardinality nearly every event has rollup rows of its own in the hourly, daily and weekly
// tables, and the daily and weekly rows are summed from the hourly ones in SQL (lib/rollups/hourly.ts upsertAll).
// Events spread over hundreds of keys and three days across an ISO week's end, counted by group commits (many
// batches a transaction, as under a backlog): then every cost rollup table, and the keyed ones (by user, by prompt
// version), must equal the SQL over the events, row by row — money exact, the latency histogram bucket by bucket
// (lib/rollups/equality.ts, the check bench:ingest --chaos makes too).

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
      ...(r(3) ? {} : { prompt_version: `v${r(12)}` }),
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

describe('every rollup table after a high-cardinality load', () => {
  it('holds nearly one row per event in the widest tables (the load is what it claims)', async () => {
    const { rows } = await ownerPool().query<{ n: number }>('SELECT count(*)::int AS n FROM rollups_hourly WHERE org_id = $1', [orgId])
    expect(rows[0].n).toBeGreaterThan(0.95 * EVENTS)
  })

  // lib/rollups/equality.ts: the same comparison as npm run bench:ingest -- --chaos makes after its load
  let compared: TTableEquality[] = []
  beforeAll(async () => {
    compared = await compareRollupsWithEvents(ownerPool(), orgId)
  })
  it('compares every cost rollup table and the keyed ones', () => {
    expect(compared.map((c) => c.table).sort()).toEqual(
      [
        ...ROLLUP_TABLES.map((t) => t.table),
        'rollups_hourly_users',
        'rollups_daily_users',
        'rollups_weekly_users',
        'rollups_hourly_prompts',
        'rollups_daily_prompts',
      ].sort(),
    )
  })
  for (const t of COMPARED_TABLES) {
    it(`${t.table} equals the SQL over the events, row by row`, () => {
      const c = compared.find((x) => x.table === t.table)
      expect(c?.rows).toBeGreaterThan(0)
      expect(c).toMatchObject({ only_in_table: 0, only_in_events: 0, expected_rows: c?.rows, equal: true })
    })
  }

  it('finds a changed row (the comparison can fail)', async () => {
    const pool = ownerPool()
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(
        `UPDATE rollups_daily_accounts SET cost_usd = cost_usd + 0.000001 WHERE (org_id, day, environment, traffic_source, account_id, outcome) IN
           (SELECT org_id, day, environment, traffic_source, account_id, outcome FROM rollups_daily_accounts WHERE org_id = $1 LIMIT 1)`,
        [orgId],
      )
      await client.query(
        'UPDATE rollups_hourly_users SET events = events + 1 WHERE org_id = $1 AND user_id = (SELECT min(user_id) FROM rollups_hourly_users WHERE org_id = $1)',
        [orgId],
      )
      const bad = (await compareRollupsWithEvents(client, orgId)).filter((c) => !c.equal)
      expect(bad.map((c) => [c.table, c.only_in_table, c.only_in_events])).toEqual([
        ['rollups_daily_accounts', 1, 1],
        ['rollups_hourly_users', expect.any(Number), expect.any(Number)],
      ])
    } finally {
      await client.query('ROLLBACK')
      client.release()
    }
  })

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
