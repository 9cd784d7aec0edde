import { OUTPUT_BUCKET_SQL, outputRowsOf, outputStepsFromHists } from '@/lib/opportunities/output-hist'
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
import { GET as simulateRoute } from '@/app/api/v1/policies/[id]/simulate/route'
import { ZOpportunitiesAnswer, type TOpportunitiesAnswer, type TOpportunity } from '@/lib/opportunities/schema'
import { createPolicy } from '@/lib/routing/policies'
import { importEvals } from '@/lib/routing/evals'
import { ZEvalsBody, ZPolicyCreate } from '@/lib/routing/schema'
import { createPool, ingestSamples } from '@/lib/gpu'
import { ZPoolCreate } from '@/lib/gpu/schema'
import { fleetSummary } from '@/lib/gpu/summary'

// The estimated opportunities through the ingest API and the worker, each
// figure compared with one computed here from SQL over the events (or the
// fleet's own summary): uncapped_output, prompt_cache, cheaper_model and
// gpu_rightsizing, and the answer's order and totals with them.

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
const DAY = 86_400_000
const T0 = Math.floor(Date.now() / DAY) * DAY - 3 * DAY
const at = (minutes: number) => new Date(T0 + HOUR + minutes * 60_000).toISOString()
const FROM = new Date(T0).toISOString()
const TO = new Date(T0 + 2 * DAY).toISOString()
const RANGE_MS = 2 * DAY
const microsOf = (s: string) => BigInt(s.replace('.', ''))
/** USD × 1e12 (the events' scale) → micro-dollars, half up */
const roundMicros = (pico: bigint) => (pico + 500_000n) / 1_000_000n
const perMonth = (m: bigint) => (m * 30n * BigInt(DAY) * 2n + BigInt(RANGE_MS)) / (BigInt(RANGE_MS) * 2n)
const usd = (m: bigint) => `${m / 1_000_000n}.${(m % 1_000_000n).toString().padStart(6, '0')}`

async function waitProcessed(timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const r = await ownerPool().query<{ n: string }>('SELECT count(*)::text AS n FROM ingest_batches WHERE processed_at IS NULL')
    if (r.rows[0].n === '0') return
    if (Date.now() > until) throw new Error(`${r.rows[0].n} batches still pending`)
    await new Promise((res) => setTimeout(res, 100))
  }
}

async function post(events: Record<string, unknown>[]) {
  const res = await postEvents(new Request('http://x/api/v1/events', { method: 'POST', ...H(ingestKey, { events }) }))
  expect(res.status).toBe(202)
  await waitProcessed()
}

async function opportunities(q = `from=${FROM}&to=${TO}`): Promise<TOpportunitiesAnswer> {
  const res = await getOpportunities(new Request(`http://x/api/v1/opportunities?${q}`, H(readKey)))
  expect(res.status).toBe(200)
  return ZOpportunitiesAnswer.parse(await res.json())
}
const one = <K extends TOpportunity['kind']>(a: TOpportunitiesAnswer, kind: K, step?: string) =>
  a.opportunities.filter((o): o is Extract<TOpportunity, { kind: K }> => o.kind === kind && (step === undefined || o.step === step))

const ev = (id: string, i: number, step: string, model: string, extra: Record<string, unknown>) => ({
  id,
  timestamp: at(i),
  workflow_id: 'wf',
  step,
  provider: 'acme',
  model,
  tokens_in: 1000,
  tokens_out: 200,
  ...extra,
})

beforeAll(async () => {
  const { prefix } = await useTestServices('opportunities_est')
  orgId = (await createOrgWithAdmin({ org_name: 'Estimates Co', email: 'est@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  ingestKey = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  worker = new Worker(QUEUE_INGEST, ingestProcessor, { connection: workerConnection(), prefix, concurrency: 2 })
  const res = await putPrices(
    new Request('http://x/api/v1/prices', {
      method: 'PUT',
      ...H(writeKey, {
        prices: [
          { provider: 'acme', model: 'big', effective_from: '2020-01-01T00:00:00Z', input_per_mtok: '2', cached_input_per_mtok: '0.5', output_per_mtok: '8' },
          {
            provider: 'acme',
            model: 'mini',
            effective_from: '2020-01-01T00:00:00Z',
            input_per_mtok: '0.4',
            cached_input_per_mtok: '0.1',
            output_per_mtok: '1.6',
          },
        ],
      }),
    }),
  )
  expect(res.status).toBe(200)
  for (const id of (await res.json()).reprice_job_ids as string[]) await runRepriceJob(id)

  const events: Record<string, unknown>[] = []
  // summarize: no max_tokens, output 100…199 tokens and a tail of 3 long answers (5%); a few calls capped far above the p95
  for (let i = 0; i < 60; i++)
    events.push(ev(`s${i}`, i, 'summarize', 'big', { tokens_out: i < 57 ? 100 + i : 2000 + i * 10, ...(i % 10 === 3 ? { max_tokens: 8000 } : {}) }))
  // capped: max_tokens at the step's size, nothing to save
  for (let i = 0; i < 40; i++) events.push(ev(`c${i}`, i, 'capped', 'big', { tokens_out: 30 + (i % 20), max_tokens: 64 }))
  // score: long prompts, no cache reads
  for (let i = 0; i < 60; i++) events.push(ev(`p${i}`, i, 'score', 'big', { tokens_in: 5000 + i, cached_tokens_in: 0, tokens_out: 50, max_tokens: 64 }))
  // draft: 40 production calls on big (and 5 eval calls on mini, which the replay leaves out)
  for (let i = 0; i < 40; i++) events.push(ev(`d${i}`, i, 'draft', 'big', { tokens_out: 200, max_tokens: 256 }))
  for (let i = 0; i < 5; i++) events.push(ev(`e${i}`, i, 'draft', 'mini', { traffic_source: 'eval', max_tokens: 256 }))
  await post(events)

  await createPolicy(
    orgId,
    ZPolicyCreate.parse({
      workflow_id: 'wf',
      step: 'draft',
      quality_bar: [{ metric: 'accuracy', min: 0.9 }],
      candidates: [{ provider: 'acme', model: 'big' }],
    }),
    'test',
  )
  await importEvals(
    orgId,
    ZEvalsBody.parse({
      evals: [
        { eval_set: 'x', workflow_id: 'wf', step: 'draft', provider: 'acme', model: 'big', scores: { accuracy: 0.95 }, sample_count: 100 },
        { eval_set: 'x', workflow_id: 'wf', step: 'draft', provider: 'acme', model: 'mini', scores: { accuracy: 0.91 }, sample_count: 100 },
        { eval_set: 'x', workflow_id: 'wf', step: 'draft', provider: 'acme', model: 'nano', scores: { accuracy: 0.7 }, sample_count: 100 },
      ],
    }),
  )

  // a 4-GPU pool at about 10% for the right-sizing window before TO
  const to = new Date(TO)
  await createPool(
    orgId,
    ZPoolCreate.parse({
      name: 'batch-l4',
      role: 'production',
      gpu_type: 'L4',
      gpu_count: 4,
      pricing: 'hourly',
      gpu_hour_usd: '0.5',
      effective_from: new Date(T0 - 30 * DAY).toISOString(),
    }),
    to,
    { reprice: false },
  )
  const samples = []
  for (let h = 1; h <= 13 * 24; h++)
    for (let g = 0; g < 4; g++)
      samples.push({ timestamp: new Date(to.getTime() - h * HOUR + 60_000).toISOString(), pool: 'batch-l4', gpu_index: g, utilization_pct: 8 + (h % 5) })
  const r = await ingestSamples(orgId, samples, new Date())
  expect(r.rejected).toEqual([])
}, 120_000)
afterAll(async () => {
  await worker?.close()
  await closeQueues()
  await closeDb()
})

describe('the estimated opportunities', () => {
  it('uncapped_output: the output beyond the step’s p95 of its uncapped calls, priced at the output price, from the histograms the worker keeps', async () => {
    const rows = await ownerPool().query<{ tokens_out: string; max_tokens: number | null }>(
      `SELECT tokens_out::text, max_tokens FROM inference_events WHERE org_id = $1 AND step = 'summarize' AND "timestamp" >= $2 AND "timestamp" < $3`,
      [orgId, FROM, TO],
    )
    // the reference: the events' own output sizes bucketed as documented (lib/opportunities/output-hist.ts)
    const [step] = outputStepsFromHists(
      outputRowsOf(
        rows.rows.map((r) => ({
          workflow_id: 'wf',
          step: 'summarize',
          provider: 'acme',
          model: 'big',
          max_tokens: r.max_tokens,
          tokens_out: Number(r.tokens_out),
        })),
      ),
    )
    const { p95 } = step
    const { excess_tokens_out: excess, over_p95_calls: over } = step.models[0]
    // the bucketed p95 is within a bucket's width (about 9%) of the exact one
    const outs = rows.rows.map((r) => Number(r.tokens_out)).sort((a, b) => a - b)
    const exact = outs[Math.ceil(0.95 * outs.length) - 1]
    expect(Math.abs(p95 - exact) / exact).toBeLessThan(0.09)
    expect(over).toBe(3)
    const saving = roundMicros(BigInt(excess) * 8_000_000n) // $8 per million tokens = 8e6 × 1e-12 USD per token
    const a = await opportunities()
    const [o] = one(a, 'uncapped_output', 'summarize')
    expect(o).toMatchObject({ basis: 'estimated', model: 'acme/big', savings_usd: usd(saving), savings_usd_per_month: usd(perMonth(saving)) })
    expect(o.evidence).toMatchObject({ calls: 60, no_cap_calls: 54, uncapped_calls: 60, p95_tokens_out: p95, excess_tokens_out: excess, over_p95_calls: 3 })
    expect(o.assumption).toContain(`${p95} tokens`)
    expect(o.action?.path).toBe(`routing?workflow=wf&step=summarize&max_tokens_cap=${p95}&saving=${usd(perMonth(saving))}`)
    expect(one(a, 'uncapped_output', 'capped')).toEqual([])
  })

  it('the output histograms equal the events bucketed in SQL, per hour and per day', async () => {
    const q = (sql: string) =>
      ownerPool()
        .query(sql, [orgId])
        .then((r) => r.rows)
    const bySql = await q(
      `SELECT hour, workflow_id, step, provider, model, max_tokens, sum(n)::int AS calls, max(mx)::int AS mx, array_agg(b || ':' || n ORDER BY b) AS buckets FROM (
         SELECT date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, workflow_id, step, coalesce(provider, '') AS provider,
           coalesce(model, '') AS model, coalesce(max_tokens, 0) AS max_tokens, ${OUTPUT_BUCKET_SQL('tokens_out')} AS b, count(*) AS n, max(tokens_out) AS mx
         FROM inference_events WHERE org_id = $1 AND call_type <> 'embedding' GROUP BY 1, 2, 3, 4, 5, 6, 7) x
       GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
    )
    const kept = await q(
      `SELECT hour, workflow_id, step, provider, model, max_tokens, calls::int AS calls, tokens_out_max::int AS mx,
         (SELECT array_agg(i || ':' || c ORDER BY i) FROM unnest(tokens_out_hist) WITH ORDINALITY AS u(c, i) WHERE c <> 0) AS buckets
       FROM rollups_hourly_outputs WHERE org_id = $1 ORDER BY 1, 2, 3, 4, 5, 6`,
    )
    expect(kept.length).toBeGreaterThan(0)
    expect(kept).toEqual(bySql)
    const [daily, hourlyByDay] = await Promise.all([
      q(
        `SELECT day, workflow_id, step, provider, model, max_tokens, calls::int, tokens_out_hist FROM rollups_daily_outputs WHERE org_id = $1 ORDER BY 1, 2, 3, 4, 5, 6`,
      ),
      q(
        `SELECT date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day, workflow_id, step, provider, model, max_tokens, sum(calls)::int AS calls,
           outlay_hist_sum(tokens_out_hist)::int4[] AS tokens_out_hist
         FROM rollups_hourly_outputs WHERE org_id = $1 GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
      ),
    ])
    expect(daily).toEqual(hourlyByDay)
  })

  it('prompt_cache: half the input of long uncached prompts at the cached-input price, from the events’ tokens', async () => {
    const r = await ownerPool().query<{ calls: number; tin: string; cached: string }>(
      `SELECT count(*)::int AS calls, sum(tokens_in)::text AS tin, sum(cached_tokens_in)::text AS cached FROM inference_events
       WHERE org_id = $1 AND step = 'score' AND "timestamp" >= $2 AND "timestamp" < $3`,
      [orgId, FROM, TO],
    )
    const { calls, tin } = r.rows[0]
    const perCall = Math.round(Number(tin) / calls)
    // each call: half its input at $0.50 instead of $2 per million → 1.5e6 × 1e-12 USD per token saved
    const saving = roundMicros(BigInt(Math.round(perCall * 0.5)) * 1_500_000n * BigInt(calls))
    const [o] = one(await opportunities(), 'prompt_cache', 'score')
    expect(o).toMatchObject({ model: 'acme/big', savings_usd: usd(saving), basis: 'estimated' })
    expect(o.evidence).toMatchObject({
      calls,
      tokens_in_per_call: perCall,
      cached_share: 0,
      target_cached_share: 0.5,
      input_per_mtok: '2',
      cached_input_per_mtok: '0.5',
    })
    expect(o.evidence.daily.length).toBeGreaterThan(0)
  })

  it('cheaper_model: the step’s production calls re-priced at the cheapest model clearing the bar (measured cost against price × profile)', async () => {
    const r = await ownerPool().query<{ calls: number; cost: string; tin: string; tout: string }>(
      `SELECT count(*)::int AS calls, sum(cost_usd)::text AS cost, sum(tokens_in)::text AS tin, sum(tokens_out)::text AS tout FROM inference_events
       WHERE org_id = $1 AND step = 'draft' AND traffic_source = 'production' AND "timestamp" >= $2 AND "timestamp" < $3`,
      [orgId, FROM, TO],
    )
    const { calls } = r.rows[0]
    const actual = roundMicros(BigInt(r.rows[0].cost.replace('.', '')))
    // mini's cost per call: the step's average call at its price, to the micro-dollar
    const inPer = Math.round(Number(r.rows[0].tin) / calls)
    const outPer = Math.round(Number(r.rows[0].tout) / calls)
    const miniPerCall = roundMicros(BigInt(inPer) * 400_000n + BigInt(outPer) * 1_600_000n)
    const saving = actual - miniPerCall * BigInt(calls)
    const [o] = one(await opportunities(), 'cheaper_model', 'draft')
    expect(o).toMatchObject({ model: 'acme/mini', savings_usd: usd(saving), basis: 'estimated' })
    expect(o.evidence).toMatchObject({
      calls,
      candidate: 'acme/mini',
      candidate_cost_per_call_usd: usd(miniPerCall),
      cost_source: 'prices',
      actual_cost_usd: usd(actual),
      quality_bar: [{ metric: 'accuracy', min: 0.9, score: 0.91 }],
    })
    expect(o.action?.path).toBe(`routing?workflow=wf&step=draft&candidate=acme%2Fmini&saving=${o.savings_usd_per_month}`)

    // the action's simulation: the draft with the candidate added (a what-if), nothing saved
    const id = o.evidence.policy_id
    const sim = async (q: string) => {
      const res = await simulateRoute(new Request(`http://x/api/v1/policies/${id}/simulate?${q}`, H(readKey)), { params: Promise.resolve({ id }) })
      expect(res.status).toBe(200)
      return res.json()
    }
    const whatIf = await sim('days=30&candidate=acme/mini')
    expect(whatIf.evidence.chosen).toEqual({ provider: 'acme', model: 'mini' })
    expect(whatIf.simulation.chosen).toBe('acme/mini')
    const stored = await sim('days=30')
    expect(stored.evidence.chosen).toEqual({ provider: 'acme', model: 'big' })
    const versions = await ownerPool().query(`SELECT spec->'candidates' AS c FROM routing_policy_versions WHERE policy_id = $1`, [id])
    expect(versions.rows.map((r) => r.c)).toEqual([[{ provider: 'acme', model: 'big' }]])
  })

  it('gpu_rightsizing: the fleet’s right-sizing hint, its saving per month as the fleet page shows it', async () => {
    const fleet = await fleetSummary(orgId, 2, new Date(TO))
    const hint = fleet.hints.find((h) => h.pool === 'batch-l4')!
    expect(hint).toMatchObject({ gpu_count: 4, needed_gpus: 1, release_gpus: 3 })
    const [o] = one(await opportunities(), 'gpu_rightsizing')
    // 3 GPUs × $0.50 × 730 hours = $1,095 a month; over the 2-day range its share
    expect(o).toMatchObject({ id: 'gpu_rightsizing:batch-l4', savings_usd_per_month: hint.saving_per_month_usd, savings_usd: '73.000000' })
    expect(hint.saving_per_month_usd).toBe('1095.000000')
    expect(o.evidence).toMatchObject({ pool: 'batch-l4', gpu_count: 4, needed_gpus: 1, release_gpus: 3 })
    expect(o.action?.path).toBe('fleet#pool-batch-l4')
    // a workflow filter leaves the fleet out
    expect(one(await opportunities(`from=${FROM}&to=${TO}&workflow_id=wf`), 'gpu_rightsizing')).toEqual([])
  })

  it('ranks every kind by saving; the totals are the rows’ sums', async () => {
    const a = await opportunities()
    const m = a.opportunities.map((o) => microsOf(o.savings_usd))
    expect([...m].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0))).toEqual(m)
    expect(new Set(a.opportunities.map((o) => o.kind))).toEqual(new Set(['uncapped_output', 'prompt_cache', 'cheaper_model', 'gpu_rightsizing']))
    expect(microsOf(a.total_savings_usd)).toBe(m.reduce((s, x) => s + x, 0n) - microsOf(a.counted_twice_usd))
    expect(microsOf(a.total_savings_usd_per_month)).toBe(a.opportunities.reduce((s, o) => s + microsOf(o.savings_usd_per_month), 0n))
    for (const o of a.opportunities) expect(o.assumption).toBeTruthy()
  })
})
