import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postOutcomes } from '@/app/api/v1/outcomes/route'
import { GET as getRecord } from '@/app/api/v1/decision-record/route'
import { attributeSampleSql, scenarioSampleSql, type TStepSample } from '@/lib/decision-record/load'

// A step's decision record through the real routes: events and outcomes in
// through the ingest API and the worker's processing, the record out with a
// read key, its money equal to SQL on the raw events.

let ingestKey = ''
let readKey = ''
let orgId = ''

const req = (path: string, key: string, body?: string) => apiRequest(path, { key, body })

beforeAll(async () => {
  await useTestServices('decision')
  const a = await createOrgWithAdmin({ org_name: 'Decision Co', email: 'dec@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  orgId = a.org.id
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  const events = []
  for (let i = 0; i < 40; i++) {
    const big = i % 4 === 0
    events.push({
      id: `e${i}`,
      timestamp: `2026-11-02T${String(10 + (i % 10)).padStart(2, '0')}:00:00Z`,
      workflow_id: 'support',
      run_id: `r${i}`,
      step: 'draft',
      provider: big ? 'anthropic' : 'openai',
      model: big ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
      tokens_in: 2000,
      cached_tokens_in: big ? 1500 : 0,
      tokens_out: 300,
      outcome: i % 10 === 9 ? 'retry' : 'success',
      latency_ms: big ? 2500 + i : 700 + i,
      scenario_id: 'tier1-support',
      owner: 'ana@acme.dev',
    })
    events.push({
      id: `k${i}`,
      timestamp: `2026-11-02T10:00:00Z`,
      workflow_id: 'support',
      run_id: `r${i}`,
      step: 'classify',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 300,
      tokens_out: 5,
    })
  }
  expect((await postEvents(req('/api/v1/events', ingestKey, JSON.stringify({ events })))).status).toBe(202)
  const outcomes = Array.from({ length: 20 }, (_, i) => ({
    id: `o${i}`,
    timestamp: '2026-11-02T12:00:00Z',
    workflow_id: 'support',
    run_id: `r${i}`,
    accepted: i < 15,
  }))
  expect((await postOutcomes(req('/api/v1/outcomes', ingestKey, JSON.stringify({ outcomes })))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const range = 'from=2026-11-01&to=2026-11-03'

describe('GET /api/v1/decision-record', () => {
  it('fills the template from the step’s data, money equal to SQL on the events', async () => {
    const res = await getRecord(req(`/api/v1/decision-record?workflow_id=support&step=draft&${range}`, readKey))
    expect(res.status).toBe(200)
    const d = await res.json()
    const [sum] = (
      await ownerPool().query(
        `SELECT round(sum(cost_usd), 6)::text AS cost, round(sum(cost_usd + coalesce(cache_savings_usd, 0)), 6)::text AS raw, count(*)::int AS calls
       FROM inference_events WHERE org_id = $1 AND workflow_id = 'support' AND step = 'draft'`,
        [orgId],
      )
    ).rows
    expect(d).toMatchObject({
      workflow_id: 'support',
      step: 'draft',
      calls: sum.calls,
      cost_usd: sum.cost,
      raw_cost_usd: sum.raw,
      runs: 40,
      calls_per_run: 1,
      scenarios: ['tier1-support'],
      scenario: { scenario_id: 'tier1-support', calls: 40, share: 1, counted_calls: 40 },
      scenario_counts: [{ scenario_id: 'tier1-support', calls: 40 }],
      owners: ['ana@acme.dev'],
      retry_rate: 0.1,
      outcomes: 20,
      accepted_outcomes: 15,
      quality_pass_rate: 0.75,
      accepted_outcome_rate: 0.375,
    })
    expect(Number(d.raw_cost_usd)).toBeGreaterThan(Number(d.cost_usd)) // the cached input of the Sonnet calls
    const perModel = (
      await ownerPool().query(
        `SELECT provider || '/' || model AS model, count(*)::int AS calls, round(sum(cost_usd) / count(*), 6)::text AS per_call
       FROM inference_events WHERE org_id = $1 AND step = 'draft' GROUP BY 1 ORDER BY 2 DESC`,
        [orgId],
      )
    ).rows
    expect(
      d.options.map((o: { model: string; calls: number; cost_per_call_usd: string }) => ({ model: o.model, calls: o.calls, per_call: o.cost_per_call_usd })),
    ).toEqual(perModel)
    expect(d.cheapest).toBe('openai/gpt-4o-mini')
    expect(d.options[0].latency_p50_ms).toBeGreaterThan(600)
    expect(d.options[0].latency_p50_ms).toBeLessThan(900)
  })

  it('shows the majority scenario, not the latest: 34 recent eval calls lose to 60 production ones; a traffic-source filter is honoured', async () => {
    const at = (h: number, m: number) => `2026-11-02T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00Z`
    const events = [
      ...Array.from({ length: 60 }, (_, i) => ({ id: `ans-p${i}`, timestamp: at(8, i % 60), scenario_id: 'billing-questions' })),
      ...Array.from({ length: 34 }, (_, i) => ({ id: `ans-e${i}`, timestamp: at(20, i), scenario_id: 'eval-golden', traffic_source: 'eval' })),
    ].map((e) => ({ ...e, workflow_id: 'support', step: 'answer', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 100, tokens_out: 10 }))
    expect((await postEvents(req('/api/v1/events', ingestKey, JSON.stringify({ events })))).status).toBe(202)
    for (const id of await pendingBatches(0)) await processBatch(id)
    const d = await (await getRecord(req(`/api/v1/decision-record?workflow_id=support&step=answer&${range}`, readKey))).json()
    expect(d.scenarios[0]).toBe('eval-golden') // the most recent
    expect(d.scenario).toEqual({ scenario_id: 'billing-questions', calls: 60, share: 60 / 94, counted_calls: 94 })
    const evalOnly = await (await getRecord(req(`/api/v1/decision-record?workflow_id=support&step=answer&${range}&traffic_source=eval`, readKey))).json()
    expect(evalOnly.scenario).toEqual({ scenario_id: 'eval-golden', calls: 34, share: 1, counted_calls: 34 })
  })

  it('answers Markdown on request', async () => {
    const res = await getRecord(req(`/api/v1/decision-record?workflow_id=support&step=draft&${range}&format=markdown`, readKey))
    expect(res.headers.get('content-type')).toContain('text/markdown')
    const md = await res.text()
    expect(md).toContain('# Decision record: support / draft')
    expect(md).toContain('Owner: ana@acme.dev')
  })

  it("reads the step's latest calls from its index alone, filtered or not", async () => {
    // a tiny table would be scanned whole: the question is whether the samples need a table page per call (a 10M-event
    // organization: 162k rows from 21k pages for 7 days through the workflow's index, docs/benchmarks/reads.md)
    await ownerPool().query('VACUUM (ANALYZE) inference_events')
    const c = await ownerPool().connect()
    try {
      await c.query('BEGIN')
      await c.query('SET LOCAL enable_seqscan = off')
      await c.query('SET LOCAL enable_bitmapscan = off')
      const base = { orgId, from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z'), workflow_id: 'support', step: 'answer' }
      const samples: TStepSample[] = [
        { ...base, sources: null, environments: null },
        { ...base, sources: ['eval'], environments: ['production'] },
      ]
      for (const sample of samples) {
        for (const sql of [scenarioSampleSql(sample), attributeSampleSql(sample)]) {
          const plan = (await c.query(`EXPLAIN (COSTS OFF) ${sql.text}`, sql.values)).rows.map((r) => r['QUERY PLAN']).join('\n')
          const scans = plan.match(/(Index Only |Index |Seq |Bitmap Heap )?Scan( Backward)? (using|on) \S+/g) ?? []
          expect(scans.length).toBeGreaterThanOrEqual(1)
          // inference_events is partitioned by month: each partition scans its own copy of the index (auto-named,
          // truncated). An index-only scan is planned only when the index holds every column the statement reads.
          for (const s of scans) expect(s).toMatch(/^Index Only Scan Backward using inference_events_\w*workflow_id_step_timestamp\w*$/)
        }
      }
      await c.query('ROLLBACK')
    } finally {
      c.release()
    }
  })

  it('names what is wrong with a request', async () => {
    const missing = await getRecord(req(`/api/v1/decision-record?workflow_id=support`, readKey))
    expect(missing.status).toBe(400)
    expect(JSON.stringify(await missing.json())).toContain('step: is required')
    const badDate = await getRecord(req(`/api/v1/decision-record?workflow_id=support&step=draft&from=yesterday`, readKey))
    expect(badDate.status).toBe(400)
    expect(JSON.stringify(await badDate.json())).toContain('from: must be an ISO-8601 date or date-time')
    const ingestOnly = await getRecord(req(`/api/v1/decision-record?workflow_id=support&step=draft`, ingestKey))
    expect(ingestOnly.status).toBe(403)
  })
})
