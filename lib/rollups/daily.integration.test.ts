import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents, acceptOutcomes } from '@/lib/ingest/accept'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { runRepriceJob } from '@/lib/reprice'
import { metricsPlan, queryMetrics, ZMetricsQuery, type TMetricsRow } from '@/lib/metrics/query'
import { queryChanges, ZChangesQuery } from '@/lib/changes/query'
import { PUT as putPrices } from '@/app/api/v1/prices/route'
import { DAILY_OUTCOMES, DAILY_ROLLUPS, HOURLY_NARROW_ROLLUPS, WEEKLY_ROLLUPS } from '@/lib/rollups/tables'
import { rebuildDailyRollups } from '@/lib/rollups/rebuild'

// The daily rollups answer exactly what the hourly ones answer. Events,
// outcomes and a re-pricing go through the real writers (several batches, so
// rows are merged by the upserts); then every daily table must equal its
// hourly source summed per day, and the same metrics requests answered with
// and without the daily tables must be equal, money to the micro-dollar.

let orgId = ''
const NOW = new Date('2026-11-10T00:00:00Z')

/** A deterministic spread of events over 2026-10-26 … 2026-11-08 (two ISO weeks) on every dimension. */
function events(n: number, seed: number) {
  let x = seed
  const r = (k: number) => {
    x = (x * 48271) % 2147483647
    return x % k
  }
  const pick = <T>(xs: readonly T[]) => xs[r(xs.length)]
  const out: Record<string, unknown>[] = []
  for (let i = 0; i < n; i++) {
    const day = 26 + r(14) // 26 … 39 → 26 Oct … 8 Nov
    const ts = new Date(Date.UTC(2026, 9, day, r(24), r(60), r(60), r(1000))).toISOString()
    const [provider, model] = pick([
      ['openai', 'gpt-4o-mini'],
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-3-5-haiku-latest'],
      ['acme', 'acme-large'],
    ] as const)
    const tokensIn = 50 + r(5000)
    const cached = r(3) === 0 ? r(tokensIn) : 0
    out.push({
      id: `e-${seed}-${i}`,
      timestamp: ts,
      workflow_id: pick(['support', 'triage', 'search']),
      step: pick(['retrieve', 'classify', 'generate']),
      call_type: pick(['generation', 'embedding']),
      environment: pick(['production', 'production', 'staging', 'development']),
      traffic_source: pick(['production', 'production', 'eval', 'ops']),
      run_id: `run-${r(400)}`,
      ...(r(4) ? { account_id: pick(['acct-a', 'acct-b', 'acct-c']) } : {}),
      ...(r(3) ? { feature: pick(['inbox', 'search']) } : {}),
      provider,
      model,
      tokens_in: tokensIn,
      cached_tokens_in: cached,
      tokens_out: r(2000),
      outcome: pick(['success', 'success', 'success', 'retry', 'error', 'fallback', 'escalation']),
      ...(r(5) ? { latency_ms: 1 + r(20000) / 7 } : {}),
      ...(r(7) === 0 ? { cost_usd: r(1000) / 997 } : {}),
      // every 9th call answered from a response cache, most with what it saved (no draw: the spread stays as it was)
      ...(i % 9 === 4
        ? { response_cache_hit: true, ...(i % 5 ? { response_cache_savings_usd: `0.00${String((i * 104729) % 10 ** 10).padStart(10, '0')}` } : {}) }
        : {}),
    })
  }
  return out
}

async function drain() {
  for (const id of await pendingBatches(0)) await processBatch(id)
}

beforeAll(async () => {
  await useTestServices('daily-rollups')
  orgId = (await createOrgWithAdmin({ org_name: 'Daily Co', email: 'daily@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  for (let b = 0; b < 6; b++) {
    const a = await acceptEvents({ orgId, now: NOW }, { events: events(400, 7 + b) })
    expect(a).toMatchObject({ accepted: 400 })
  }
  // a re-sent batch is counted once, in the daily tables too
  await acceptEvents({ orgId, now: NOW }, { events: events(400, 7) })
  const outcomes = Array.from({ length: 300 }, (_, i) => ({
    id: `o-${i}`,
    timestamp: new Date(Date.UTC(2026, 9, 28 + (i % 8), (i * 7) % 24, i % 60)).toISOString(),
    workflow_id: ['support', 'triage', 'search'][i % 3],
    run_id: `run-${i}`,
    ...(i % 4 ? { account_id: ['acct-a', 'acct-b', 'acct-c'][i % 3] } : {}),
    ...(i % 5 ? { feature: ['inbox', 'search'][i % 2] } : {}),
    accepted: i % 3 !== 0,
    kind: i % 2 ? 'ticket' : 'email',
  }))
  await acceptOutcomes({ orgId, now: NOW }, { outcomes: outcomes.slice(0, 150) })
  await acceptOutcomes({ orgId, now: NOW }, { outcomes: outcomes.slice(100) })
  await drain()
  // acme-large has no price: add one, and re-price (rollups move by the difference, in every table)
  const writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  const res = await putPrices(
    new Request('http://x/api/v1/prices', {
      method: 'PUT',
      headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        prices: [
          {
            provider: 'acme',
            model: 'acme-large',
            effective_from: '2026-10-31T12:00:00Z',
            input_per_mtok: '2.5',
            cached_input_per_mtok: '0.25',
            output_per_mtok: '10',
          },
        ],
      }),
    }),
  )
  expect(res.status).toBe(200)
  let changed = 0
  for (const id of (await res.json()).reprice_job_ids) changed += (await runRepriceJob(id)).changed
  expect(changed).toBeGreaterThan(50)
}, 120_000)
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

/** A table's rows as comparable text (the float latency sum rounded: its summation order differs). */
async function snapshot(table: string, dims: readonly string[], measures: string, time = 'day'): Promise<string[]> {
  const { rows } = await ownerPool().query(`SELECT ${[time, ...dims].join(', ')}, ${measures} FROM ${table} WHERE org_id = $1`, [orgId])
  return rows.map((r) => JSON.stringify(r)).sort()
}
const COST_MEASURES = `events::text, runs::text, requests::text, tokens_in::text, cached_tokens_in::text, cache_write_tokens::text, tokens_out::text, gpu_seconds::text,
  unpriced_events::text, cost_usd::text, cache_savings_usd::text, response_cache_hits::text, response_cache_savings_usd::text, reported_cost_usd::text, round(latency_ms_sum::numeric, 6)::text AS latency_ms_sum, latency_count::text, latency_hist::text`

/** Rows keyed by their groups, the float average rounded (see snapshot). */
function comparable(rows: TMetricsRow[]) {
  const DIMS = ['bucket', 'environment', 'traffic_source', 'workflow_id', 'step', 'call_type', 'feature', 'account_id', 'provider', 'model', 'outcome'] as const
  return Object.fromEntries(
    rows.map((r) => [
      JSON.stringify(DIMS.map((d) => (r as Record<string, unknown>)[d] ?? null)),
      { ...r, avg_latency_ms: r.avg_latency_ms == null ? r.avg_latency_ms : Number(r.avg_latency_ms.toFixed(6)) },
    ]),
  )
}

const RANGES = {
  'whole days': { from: '2026-10-28', to: '2026-11-05' },
  "a page's 7 days (today up to the next hour)": { from: '2026-10-29T00:00:00Z', to: '2026-11-04T14:00:00Z' },
  'ragged at both ends': { from: '2026-10-28T05:30:00Z', to: '2026-11-03T07:10:00Z' },
  'two whole weeks, ragged hours around them': { from: '2026-10-25T06:00:00Z', to: '2026-11-09T14:00:00Z' },
  // its five ragged days before the whole week: that week read whole, minus its first two days (additive reads)
  'a whole week with days and hours around it': { from: '2026-10-27T03:00:00Z', to: '2026-11-10T00:00:00Z' },
  // five ragged days after the whole week: the next week read whole, minus its last two days
  'a whole week, then five days and some hours': { from: '2026-10-26T00:00:00Z', to: '2026-11-07T10:00:00Z' },
}
const REQUESTS: Record<string, string>[] = [
  {},
  { granularity: 'day', group_by: 'traffic_source' },
  { group_by: 'workflow_id' },
  { group_by: 'provider,model', latency_quantiles: 'true' },
  { group_by: 'environment' },
  { group_by: 'feature' },
  { group_by: 'account_id', granularity: 'day' },
  { group_by: 'workflow_id', outcome: 'retry,error' },
  { workflow_id: 'support', group_by: 'step,provider,model' },
  { workflow_id: 'support', group_by: 'outcome', granularity: 'day' },
  { workflow_id: 'triage', group_by: 'step', latency_quantiles: 'true' },
  { account_id: 'acct-b', group_by: 'workflow_id', granularity: 'day' },
  { group_by: 'account_id,workflow_id,step', outcome: 'retry,error' },
  { group_by: 'account_id,workflow_id', environment: 'production', traffic_source: 'production,eval' },
  { group_by: 'call_type,feature', feature: 'inbox' },
  { group_by: 'feature,account_id' },
  // the account page: its steps, every account's calls and runs per step (rollups_*_account_steps), the organization's per step
  { account_id: 'acct-b', group_by: 'workflow_id', granularity: 'day', measures: 'cost_usd' },
  { account_id: 'acct-b', group_by: 'workflow_id,step', measures: 'cost_usd,retry_cost_usd' },
  { group_by: 'account_id,workflow_id,step', measures: 'runs' },
  { group_by: 'workflow_id,step', measures: 'cost_usd,retry_cost_usd' },
  // the lists' previous period and sparklines
  { group_by: 'feature', measures: 'cost_usd' },
  { group_by: 'account_id', granularity: 'day', measures: 'cost_usd,runs' },
]

describe('GET /api/v1/metrics from daily tables = from hourly tables', () => {
  for (const [name, range] of Object.entries(RANGES)) {
    it(`${name}: ${REQUESTS.length} page requests`, async () => {
      let weekly = 0
      for (const extra of REQUESTS) {
        const q = ZMetricsQuery.parse({ ...range, ...extra })
        const label = JSON.stringify(extra)
        expect(metricsPlan(q).cost.daily, `${label} reads a daily table`).not.toBeNull()
        if (metricsPlan(q).cost.weekly) weekly++
        const daily = (await queryMetrics(orgId, q)).rows
        const hourly = (await queryMetrics(orgId, q, { daily: false })).rows
        expect(daily.length, label).toBeGreaterThan(0)
        expect(comparable(daily), label).toEqual(comparable(hourly))
      }
      // the requests on the widest tables without a per-day answer read the weekly ones when the range holds a whole week
      if (name.includes('week')) expect(weekly).toBeGreaterThanOrEqual(4)
    })
  }

  it('a read at 06:20 of a range to the current hour: today whole minus its later hours, which hold calls stamped ahead of the clock', async () => {
    const range = { from: '2026-10-29T00:00:00Z', to: '2026-11-04T07:00:00Z' }
    const now = new Date('2026-11-04T06:20:00Z')
    // the seeded calls cover every hour of the 4th: here they stand for calls stamped after now, which the day's row holds too
    const { rows } = await ownerPool().query(
      `SELECT count(*)::int AS n FROM inference_events WHERE org_id = $1 AND timestamp >= '2026-11-04T07:00:00Z' AND timestamp < '2026-11-05'`,
      [orgId],
    )
    expect(rows[0].n).toBeGreaterThan(0)
    for (const extra of REQUESTS) {
      const q = ZMetricsQuery.parse({ ...range, ...extra })
      const label = JSON.stringify(extra)
      // at 20:00 the day's 7 hours are fewer than its 13 later ones: hours. At 06:20 its later hours are after now: the day whole
      expect(metricsPlan(q, { now: new Date('2026-11-04T20:00:00Z') }).cost.complement?.days ?? [], label).toEqual([])
      expect(metricsPlan(q, { now }).cost.complement?.days, label).toContainEqual({ from: new Date('2026-11-04'), to: new Date('2026-11-05') })
      const daily = (await queryMetrics(orgId, q, { now })).rows
      const hourly = (await queryMetrics(orgId, q, { daily: false })).rows
      expect(daily.length, label).toBeGreaterThan(0)
      expect(comparable(daily), label).toEqual(comparable(hourly))
    }
  })

  it('measures= answers those measures, equal to the full answer, from the narrowest table that can', async () => {
    const range = RANGES['a whole week with days and hours around it']
    const full = ZMetricsQuery.parse({ ...range, group_by: 'account_id,workflow_id,step' })
    const narrow = ZMetricsQuery.parse({ ...range, group_by: 'account_id,workflow_id,step', measures: 'runs,cost_usd' })
    // without retry_cost_usd the outcome is not needed: the account × step tables (whole weeks from the weekly one)
    expect(metricsPlan(full).cost.daily?.table).toBe('rollups_daily')
    expect(metricsPlan(narrow).cost.daily?.table).toBe('rollups_daily_account_steps')
    expect(metricsPlan(narrow).cost.weekly?.table).toBe('rollups_weekly_account_steps')
    const pick = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ k: `${r.account_id}/${r.workflow_id}/${r.step}`, events: r.events, runs: r.runs, cost_usd: r.cost_usd }))
    const a = (await queryMetrics(orgId, full)).rows as unknown as Record<string, unknown>[]
    const b = (await queryMetrics(orgId, narrow)).rows as unknown as Record<string, unknown>[]
    expect(b.length).toBeGreaterThan(10)
    expect(pick(b)).toEqual(pick(a))
    expect(Object.keys(b[0]).sort()).toEqual(['account_id', 'cost_usd', 'events', 'runs', 'step', 'workflow_id'])
    // retry_cost_usd keeps the outcome in the key
    expect(metricsPlan(ZMetricsQuery.parse({ ...range, group_by: 'account_id,workflow_id,step', measures: 'retry_cost_usd' })).cost.daily?.table).toBe(
      'rollups_daily',
    )
    const bad = ZMetricsQuery.safeParse({ measures: 'runs,colour' })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues[0]).toMatchObject({ path: ['measures'], message: expect.stringContaining('must be a comma list of: events, runs') })
  })

  it('retry_cost_usd is the spend of the retried and failed calls, from the weekly, daily and hourly tables alike', async () => {
    const range = RANGES['a whole week with days and hours around it']
    const q = ZMetricsQuery.parse({ ...range, group_by: 'account_id,workflow_id' })
    expect(metricsPlan(q).cost.weekly).toBeTruthy()
    const { rows } = await queryMetrics(orgId, q)
    const sql = await ownerPool().query<{ k: string; retry: string }>(
      `SELECT coalesce(account_id, '') || '/' || workflow_id AS k, round(coalesce(sum(cost_usd) FILTER (WHERE outcome IN ('retry', 'error')), 0), 6)::text AS retry
       FROM inference_events WHERE org_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3 GROUP BY 1`,
      [orgId, range.from, range.to],
    )
    expect(Object.fromEntries(rows.map((r) => [`${r.account_id ?? ''}/${r.workflow_id}`, r.retry_cost_usd]))).toEqual(
      Object.fromEntries(sql.rows.map((r) => [r.k, r.retry])),
    )
    expect(sql.rows.some((r) => Number(r.retry) > 0)).toBe(true)
  })

  it('the changes decomposition too', async () => {
    for (const scope of [{}, { workflow_id: 'support' }, { account_id: 'acct-a', environment: 'production' }]) {
      const q = ZChangesQuery.parse({
        a_from: '2026-10-28T00:00:00Z',
        a_to: '2026-10-31T13:00:00Z',
        b_from: '2026-11-01T00:00:00Z',
        b_to: '2026-11-04T13:00:00Z',
        ...scope,
      })
      const viaDaily = await queryChanges(orgId, q)
      expect(viaDaily.a.events).toBeGreaterThan(0)
      expect(viaDaily).toEqual(await queryChanges(orgId, q, { daily: false }))
    }
  })
})

// last: it rebuilds the daily tables from the hourly ones, so the comparisons above ran on what the writers wrote
describe('daily and weekly rollups kept by the writers', () => {
  it('hold the data (a test on empty tables proves nothing)', async () => {
    const { rows } = await ownerPool().query(
      `SELECT count(*)::int AS n, sum(events)::int AS events, sum(unpriced_events)::int AS unpriced, sum(response_cache_hits)::int AS hits FROM rollups_daily WHERE org_id = $1`,
      [orgId],
    )
    expect(rows[0].events).toBe(2400)
    expect(rows[0].hits).toBe(6 * Math.ceil((400 - 4) / 9))
    expect(rows[0].unpriced).toBeGreaterThan(0) // acme-large before 31 Oct 12:00 stays unpriced
    expect(rows[0].n).toBeGreaterThan(100)
  })

  it('equal rollups_hourly summed per UTC day, table by table, after ingest, duplicates, outcomes and re-pricing', async () => {
    const written: Record<string, string[]> = {}
    for (const t of [...HOURLY_NARROW_ROLLUPS, ...DAILY_ROLLUPS, ...WEEKLY_ROLLUPS]) written[t.table] = await snapshot(t.table, t.dims, COST_MEASURES, t.time)
    for (const t of DAILY_OUTCOMES) written[t.table] = await snapshot(t.table, t.dims, 'outcomes::text, accepted::text')
    // what the migration's backfill computes from the hourly rows
    const c = await ownerPool().connect()
    try {
      await rebuildDailyRollups(c, orgId)
    } finally {
      c.release()
    }
    for (const t of [...HOURLY_NARROW_ROLLUPS, ...DAILY_ROLLUPS, ...WEEKLY_ROLLUPS])
      expect(await snapshot(t.table, t.dims, COST_MEASURES, t.time), t.table).toEqual(written[t.table])
    expect(written.rollups_weekly.length).toBeGreaterThan(10)
    expect(written.rollups_hourly_workflows.length).toBeGreaterThan(10)
    for (const t of DAILY_OUTCOMES) expect(await snapshot(t.table, t.dims, 'outcomes::text, accepted::text'), t.table).toEqual(written[t.table])
    expect(written.rollups_outcomes_daily.length).toBeGreaterThan(10)
  })
})
