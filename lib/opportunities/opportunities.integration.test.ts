import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Worker } from 'bullmq'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, QUEUE_INGEST, workerConnection } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { runRepriceJob } from '@/lib/reprice'
import { ingestProcessor } from '@/workers/processors/ingest'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { PUT as putPrices } from '@/app/api/v1/prices/route'
import { GET as getOpportunities } from '@/app/api/v1/opportunities/route'
import { ZOpportunitiesAnswer, type TOpportunitiesAnswer } from '@/lib/opportunities/schema'
import { RERUN_SQL } from '@/lib/opportunities/reruns'

// The two measured opportunities through the ingest API and the worker, compared
// with SQL over the events: repeats across batches, a duplicate id that is no
// repeat, a repeat in another step that is none, a late call older than an
// input's first, a re-pricing that moves the saving, and the retries' cost.

let prefix = ''
let orgId = ''
let ingestKey = ''
let readKey = ''
let writeKey = ''
let worker: Worker | null = null

const H = (key: string, body?: unknown) =>
  ({
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }) as RequestInit

const HOUR = 3_600_000
// three days ago at 00:00 UTC: every event is in the past and inside the ingest window
const T0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000
const at = (h: number, m = 0) => new Date(T0 + h * HOUR + m * 60_000).toISOString()
const FROM = new Date(T0).toISOString()
const TO = new Date(T0 + 2 * 86_400_000).toISOString()

type TEv = Record<string, unknown>
const ev = (id: string, ts: string, step: string, input_hash: string | undefined, extra: TEv = {}): TEv => ({
  id,
  timestamp: ts,
  workflow_id: 'support',
  step,
  provider: 'acme',
  model: 'acme-1',
  tokens_in: 1000 + id.length * 100,
  tokens_out: 200,
  ...(input_hash ? { input_hash } : {}),
  ...extra,
})

async function waitProcessed(timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const r = await ownerPool().query<{ n: string }>('SELECT count(*)::text AS n FROM ingest_batches WHERE processed_at IS NULL')
    if (r.rows[0].n === '0') return
    if (Date.now() > until) throw new Error(`${r.rows[0].n} batches still pending`)
    await new Promise((res) => setTimeout(res, 100))
  }
}

async function post(events: TEv[]) {
  const res = await postEvents(new Request('http://x/api/v1/events', { method: 'POST', ...H(ingestKey, { events }) }))
  expect(res.status).toBe(202)
  const body = await res.json()
  await waitProcessed()
  return body as { accepted: number; duplicates: number }
}

async function prices(inputPerMtok: string) {
  const res = await putPrices(
    new Request('http://x/api/v1/prices', {
      method: 'PUT',
      ...H(writeKey, {
        prices: [{ provider: 'acme', model: 'acme-1', effective_from: '2020-01-01T00:00:00Z', input_per_mtok: inputPerMtok, output_per_mtok: '4' }],
      }),
    }),
  )
  expect(res.status).toBe(200)
  for (const id of (await res.json()).reprice_job_ids as string[]) await runRepriceJob(id)
}

async function opportunities(q = `from=${FROM}&to=${TO}`): Promise<TOpportunitiesAnswer> {
  const res = await getOpportunities(new Request(`http://x/api/v1/opportunities?${q}`, H(readKey)))
  expect(res.status).toBe(200)
  return ZOpportunitiesAnswer.parse(await res.json())
}

/** The reference: per step, the calls whose input_hash an earlier call (timestamp, then event id) of the step carried, in [from, to). */
async function repeatsBySql(from = FROM, to = TO) {
  const r = await ownerPool().query<{ workflow_id: string; step: string; repeats: number; cost: string; matched: number }>(
    `WITH x AS (
       SELECT workflow_id, step, "timestamp", cost_usd, output_hash,
         row_number() OVER w AS n, first_value(output_hash) OVER w AS first_output
       FROM inference_events WHERE org_id = $1 AND input_hash IS NOT NULL
       WINDOW w AS (PARTITION BY workflow_id, step, input_hash ORDER BY "timestamp", event_id COLLATE "C"))
     SELECT workflow_id, step, count(*)::int AS repeats, round(sum(cost_usd), 6)::text AS cost,
       (count(*) FILTER (WHERE output_hash = first_output))::int AS matched
     FROM x WHERE n > 1 AND "timestamp" >= $2 AND "timestamp" < $3 GROUP BY 1, 2 ORDER BY 1, 2`,
    [orgId, from, to],
  )
  return r.rows
}

async function retriesBySql() {
  const r = await ownerPool().query<{ step: string; cost: string; calls: number }>(
    `SELECT step, round(sum(cost_usd), 6)::text AS cost, count(*)::int AS calls FROM inference_events
     WHERE org_id = $1 AND outcome IN ('retry', 'error') AND "timestamp" >= $2 AND "timestamp" < $3 GROUP BY step ORDER BY step`,
    [orgId, FROM, TO],
  )
  return r.rows
}

const cacheOf = (a: TOpportunitiesAnswer) =>
  a.opportunities
    .filter((o) => o.kind === 'response_cache')
    .map((o) => ({ workflow_id: o.workflow_id, step: o.step, repeats: o.kind === 'response_cache' ? o.evidence.repeat_calls : -1, cost: o.savings_usd }))

beforeAll(async () => {
  ;({ prefix } = await useTestServices('opportunities'))
  orgId = (await createOrgWithAdmin({ org_name: 'Opps Co', email: 'opps@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  ingestKey = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  worker = new Worker(QUEUE_INGEST, ingestProcessor, { connection: workerConnection(), prefix, concurrency: 2 })
  await prices('1')
})
afterAll(async () => {
  await worker?.close()
  await closeQueues()
  await closeDb()
})

describe('GET /api/v1/opportunities', () => {
  it('answers an empty list, not an error, before any event', async () => {
    const a = await opportunities()
    expect(a).toMatchObject({ total_savings_usd: '0.000000', opportunities: [] })
  })

  it('counts repeats across batches, not a duplicate id, not the same input in another step, and a late older call', async () => {
    expect(
      await post([
        ev('a1', at(1), 'classify', 'h1', { output_hash: 'o1' }),
        ev('a2', at(1, 5), 'classify', 'h2'),
        ev('a3', at(2), 'classify', 'h1', { output_hash: 'o1' }),
        ev('b1', at(1), 'generate', 'h1'), // the same input in another step: its own first call
        ev('n1', at(2), 'classify', undefined), // no input_hash: never a repeat
      ]),
    ).toMatchObject({ accepted: 5 })
    expect(
      await post([
        ev('a1', at(5), 'classify', 'h1', { tokens_in: 99_999 }), // a duplicate id: counted once, and no repeat
        ev('a4', at(3), 'classify', 'h1', { output_hash: 'o2' }), // repeats h1 from the first batch
        ev('a5', at(0, 30), 'classify', 'h2'), // older than a2, arriving later: a5 is h2's first, a2 a repeat
        ev('b2', at(4), 'generate', 'h7', { outcome: 'retry' }),
        ev('b3', at(4, 1), 'generate', 'h7', { outcome: 'error' }), // a repeat that is also an error
        ev('b4', at(4, 2), 'generate', 'h8'),
      ]),
    ).toMatchObject({ accepted: 5, duplicates: 1 })

    const sql = await repeatsBySql()
    expect(sql.map((r) => [r.step, r.repeats])).toEqual([
      ['classify', 3], // a2, a3, a4
      ['generate', 1], // b3
    ])
    const a = await opportunities()
    expect(cacheOf(a).sort((x, y) => x.step.localeCompare(y.step))).toEqual(sql.map(({ matched: _, ...r }) => r))
    const classify = a.opportunities.find((o) => o.kind === 'response_cache' && o.step === 'classify')!
    expect(classify.evidence).toMatchObject({ repeat_calls: 3, distinct_inputs: 2, hashed_calls: 5, output_compared: 2, output_matched: 1 })
    expect(classify.evidence).toMatchObject({ deterministic_share: 0.5 })
    expect(classify.action?.path).toBe(`routing?workflow=support&step=classify&cache_ttl_s=86400&saving=${classify.savings_usd_per_month}`)
  })

  it('the retries saving equals the SQL sum of retry and error calls, and the total counts a call in both kinds once', async () => {
    const a = await opportunities()
    const retries = a.opportunities.filter((o) => o.kind === 'retries')
    const sql = await retriesBySql()
    expect(retries.map((o) => [o.step, o.savings_usd])).toEqual(sql.map((r) => [r.step, r.cost]))
    expect(retries[0].evidence).toMatchObject({ retry_calls: 1, error_calls: 1 })
    const b3 = await ownerPool().query<{ cost: string }>(
      `SELECT round(cost_usd, 6)::text AS cost FROM inference_events WHERE org_id = $1 AND event_id = 'b3'`,
      [orgId],
    )
    expect(a.counted_twice_usd).toBe(b3.rows[0].cost)
    const micros = (s: string) => BigInt(s.replace('.', ''))
    const sum = a.opportunities.reduce((n, o) => n + micros(o.savings_usd), 0n) - micros(a.counted_twice_usd)
    expect(micros(a.total_savings_usd)).toBe(sum)
    // largest first
    const savings = a.opportunities.map((o) => micros(o.savings_usd))
    expect([...savings].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0))).toEqual(savings)
  })

  it('a range that starts later counts the repeats in it, their first call before it (a warm cache)', async () => {
    const from = at(2, 30)
    const a = await opportunities(`from=${from}&to=${TO}&workflow_id=support`)
    expect(cacheOf(a)).toEqual((await repeatsBySql(new Date(T0 + 2 * HOUR).toISOString())).map(({ matched: _, ...r }) => r))
    expect(a.from).toBe(new Date(T0 + 2 * HOUR).toISOString()) // from the hour of `from`, as the metrics reads
    expect((await opportunities(`from=${FROM}&to=${TO}&workflow_id=other`)).opportunities).toEqual([])
  })

  it('follows a re-pricing: the saving moves with the events’ new cost, to the micro-dollar', async () => {
    const before = cacheOf(await opportunities())
    await prices('3')
    const after = cacheOf(await opportunities())
    const sql = await repeatsBySql()
    expect(after).toEqual(sql.map(({ matched: _, ...r }) => r))
    expect(after.find((r) => r.step === 'classify')!.cost).not.toBe(before.find((r) => r.step === 'classify')!.cost)
    const retries = (await opportunities()).opportunities.filter((o) => o.kind === 'retries')
    expect(retries.map((o) => [o.step, o.savings_usd])).toEqual((await retriesBySql()).map((r) => [r.step, r.cost]))
  })

  it('the migration’s backfill SQL gives the rollup the worker kept', async () => {
    const kept = await ownerPool().query(
      `SELECT hour, workflow_id, step, repeat_calls::int, round(repeat_cost_usd, 6)::text AS cost, first_calls::int, output_matched::int, output_compared::int
       FROM rollups_hourly_repeats WHERE org_id = $1 AND (repeat_calls <> 0 OR first_calls <> 0) ORDER BY 1, 2, 3`,
      [orgId],
    )
    const first = await ownerPool().query(`SELECT workflow_id, step, input_hash, first_event_id FROM input_hashes WHERE org_id = $1 ORDER BY 1, 2, 3`, [orgId])
    expect(first.rows.map((r) => [r.step, r.input_hash, r.first_event_id])).toEqual([
      ['classify', 'h1', 'a1'],
      ['classify', 'h2', 'a5'],
      ['generate', 'h1', 'b1'],
      ['generate', 'h7', 'b2'],
      ['generate', 'h8', 'b4'],
    ])
    const fromSql = await ownerPool().query(
      `WITH x AS (SELECT e.*, row_number() OVER w AS n, first_value(output_hash) OVER w AS first_output FROM inference_events e
         WHERE org_id = $1 AND input_hash IS NOT NULL WINDOW w AS (PARTITION BY workflow_id, step, input_hash ORDER BY "timestamp", event_id COLLATE "C"))
       SELECT date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, workflow_id, step,
         (count(*) FILTER (WHERE n > 1))::int AS repeat_calls, round(coalesce(sum(cost_usd) FILTER (WHERE n > 1), 0), 6)::text AS cost,
         (count(*) FILTER (WHERE n = 1))::int AS first_calls, (count(*) FILTER (WHERE n > 1 AND output_hash = first_output))::int AS output_matched,
         (count(*) FILTER (WHERE n > 1 AND output_hash IS NOT NULL AND first_output IS NOT NULL))::int AS output_compared
       FROM x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [orgId],
    )
    expect(kept.rows).toEqual(fromSql.rows)
    // the daily table is the hourly one summed per UTC day
    const [hourlyByDay, daily] = await Promise.all(
      [
        `SELECT date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, workflow_id, step, sum(repeat_calls)::int AS calls,
           round(sum(repeat_cost_usd), 6)::text AS cost, sum(first_calls)::int AS firsts, sum(output_matched)::int AS matched
         FROM rollups_hourly_repeats WHERE org_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        `SELECT day, workflow_id, step, repeat_calls::int AS calls, round(repeat_cost_usd, 6)::text AS cost, first_calls::int AS firsts,
           output_matched::int AS matched FROM rollups_daily_repeats WHERE org_id = $1 ORDER BY 1, 2, 3`,
      ].map((q) => ownerPool().query(q, [orgId])),
    )
    expect(daily.rows).toEqual(hourlyByDay.rows)
    expect(daily.rows.length).toBeGreaterThan(0)
  })
})

// Steps re-run after they had succeeded in the same run (workflow "agent"; its own runs): the re-runs' cost joins the
// retries saving, equal to the SQL definition (RERUN_SQL) over the events, in any arrival order, under concurrent
// batches of one run, after a re-pricing; a re-run that repeats an input is counted once in the total.
describe('GET /api/v1/opportunities: re-runs after a success (the restart from the top)', () => {
  const agent = (id: string, ts: string, run: string, step: string, outcome: string, extra: TEv = {}) =>
    ev(id, ts, step, undefined, { workflow_id: 'agent', run_id: run, outcome, ...extra })

  async function rerunsBySql() {
    const r = await ownerPool().query<{ step: string; calls: number; cost: string }>(
      `SELECT step, count(*)::int AS calls, round(sum(cost_usd), 6)::text AS cost FROM (${RERUN_SQL}) x
       WHERE "timestamp" >= $2 AND "timestamp" < $3 GROUP BY step ORDER BY step`,
      [orgId, FROM, TO],
    )
    return r.rows
  }
  async function wasteBySql() {
    const r = await ownerPool().query<{ step: string; cost: string }>(
      `SELECT step, round(sum(cost_usd), 6)::text AS cost FROM (
         SELECT step, cost_usd FROM inference_events WHERE org_id = $1 AND workflow_id = 'agent' AND outcome IN ('retry', 'error')
           AND "timestamp" >= $2 AND "timestamp" < $3
         UNION ALL
         SELECT step, cost_usd FROM (${RERUN_SQL}) x WHERE workflow_id = 'agent' AND "timestamp" >= $2 AND "timestamp" < $3) w
       GROUP BY step ORDER BY step`,
      [orgId, FROM, TO],
    )
    return r.rows
  }
  const agentRetries = (a: TOpportunitiesAnswer) =>
    a.opportunities
      .filter((o) => o.kind === 'retries' && o.workflow_id === 'agent')
      .map((o) => ({ step: o.step, cost: o.savings_usd, reruns: o.kind === 'retries' ? o.evidence.rerun_calls : -1 }))
      .sort((x, y) => x.step.localeCompare(y.step))

  it('counts a step re-run after it had succeeded, not retries, not other runs or steps, not past 24 hours, and late successes', async () => {
    await post([
      // r1: act fails, the client restarts the run from the top: plan runs again (a re-run, repeating its input)
      agent('r1-plan', at(10), 'r1', 'plan', 'success', { input_hash: 'p1' }),
      agent('r1-act', at(10, 1), 'r1', 'act', 'error'),
      agent('r1-plan2', at(10, 2), 'r1', 'plan', 'success', { input_hash: 'p1' }),
      agent('r1-act2', at(10, 3), 'r1', 'act', 'success'),
      // r2: a retry after a success is a retry (counted as such), not a re-run too
      agent('r2-plan', at(11), 'r2', 'plan', 'success'),
      agent('r2-plan2', at(11, 1), 'r2', 'plan', 'retry'),
      // r3: its first plan arrives in the next batch; r3-plan3 is a re-run already (after r3-plan2)
      agent('r3-plan2', at(12, 5), 'r3', 'plan', 'success'),
      agent('r3-plan3', at(12, 6), 'r3', 'plan', 'fallback'),
      // r4: a success 25 hours later is new work, not a re-run
      agent('r4-plan', at(13), 'r4', 'plan', 'success'),
      agent('r4-plan2', at(38), 'r4', 'plan', 'success'),
      // no run_id: never a re-run
      ev('x1', at(14), 'plan', undefined, { workflow_id: 'agent' }),
      ev('x2', at(14, 1), 'plan', undefined, { workflow_id: 'agent' }),
    ])
    await post([agent('r3-plan1', at(12), 'r3', 'plan', 'success')])
    const sql = await rerunsBySql()
    expect(sql.map((r) => [r.step, r.calls])).toEqual([['plan', 3]]) // r1-plan2, r3-plan2, r3-plan3
    const a = await opportunities()
    expect(agentRetries(a)).toEqual((await wasteBySql()).map((r) => ({ ...r, reruns: r.step === 'plan' ? 3 : 0 })))
    const plan = a.opportunities.find((o) => o.kind === 'retries' && o.workflow_id === 'agent' && o.step === 'plan')!
    expect(plan.explanation).toContain('re-ran it after it had already succeeded in the same run')
  })

  it('concurrent batches of one run count each re-run once', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        postEvents(
          new Request('http://x/api/v1/events', { method: 'POST', ...H(ingestKey, { events: [agent(`r5-${i}`, at(20, i), 'r5', 'plan', 'success')] }) }),
        ),
      ),
    )
    await waitProcessed()
    const a = await opportunities()
    const sql = await rerunsBySql()
    expect(sql.map((r) => [r.step, r.calls])).toEqual([['plan', 8]])
    expect(agentRetries(a)).toEqual((await wasteBySql()).map((r) => ({ ...r, reruns: r.step === 'plan' ? 8 : 0 })))
  })

  it('follows a re-pricing, and the total counts a re-run that repeats an input once', async () => {
    await prices('5')
    const a = await opportunities()
    expect(agentRetries(a)).toEqual((await wasteBySql()).map((r) => ({ ...r, reruns: r.step === 'plan' ? 8 : 0 })))
    const twice = await ownerPool().query<{ cost: string }>(
      `SELECT round(sum(cost_usd), 6)::text AS cost FROM inference_events
       WHERE org_id = $1 AND (event_id IN ('b3', 'r1-plan2'))`,
      [orgId],
    )
    expect(a.counted_twice_usd).toBe(twice.rows[0].cost)
  })

  it('the rollups equal the SQL definition per hour (the migration backfills with it), and the daily table the hourly one per day', async () => {
    const kept = await ownerPool().query(
      `SELECT hour, workflow_id, step, rerun_calls::int AS calls, round(rerun_cost_usd, 6)::text AS cost, rerun_unpriced::int AS unpriced,
         round(rerun_repeat_cost_usd, 6)::text AS repeat_cost
       FROM rollups_hourly_reruns WHERE org_id = $1 AND rerun_calls <> 0 ORDER BY 1, 2, 3`,
      [orgId],
    )
    const fromSql = await ownerPool().query(
      `SELECT date_trunc('hour', x."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, x.workflow_id, x.step, count(*)::int AS calls,
         round(coalesce(sum(x.cost_usd), 0), 6)::text AS cost, (count(*) FILTER (WHERE x.cost_usd IS NULL))::int AS unpriced,
         round(coalesce(sum(x.cost_usd) FILTER (WHERE h.first_event_id <> x.event_id), 0), 6)::text AS repeat_cost
       FROM (${RERUN_SQL}) x LEFT JOIN input_hashes h ON h.org_id = x.org_id AND h.workflow_id = x.workflow_id AND h.step = x.step AND h.input_hash = x.input_hash
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [orgId],
    )
    expect(kept.rows).toEqual(fromSql.rows)
    const [hourlyByDay, daily] = await Promise.all(
      [
        `SELECT date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, workflow_id, step, sum(rerun_calls)::int AS calls,
           round(sum(rerun_cost_usd), 6)::text AS cost FROM rollups_hourly_reruns WHERE org_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        `SELECT day, workflow_id, step, rerun_calls::int AS calls, round(rerun_cost_usd, 6)::text AS cost FROM rollups_daily_reruns WHERE org_id = $1 ORDER BY 1, 2, 3`,
      ].map((q) => ownerPool().query(q, [orgId])),
    )
    expect(daily.rows).toEqual(hourlyByDay.rows)
  })
})
