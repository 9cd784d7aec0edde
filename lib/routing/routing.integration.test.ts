import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { decide } from '@/lib/decide'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { loadLiveRouting } from '@/lib/routing/runtime'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postDecide } from '@/app/api/v1/decide/route'
import { GET as getEvals, POST as postEvals } from '@/app/api/v1/evals/route'
import { GET as listPolicies, PATCH as patchByKey, POST as createPolicy } from '@/app/api/v1/policies/route'
import { GET as getPolicy, PATCH as patchPolicy } from '@/app/api/v1/policies/[id]/route'
import { POST as publish } from '@/app/api/v1/policies/[id]/publish/route'
import { POST as rollback } from '@/app/api/v1/policies/[id]/rollback/route'
import { POST as withdraw } from '@/app/api/v1/policies/[id]/withdraw/route'
import { GET as diff } from '@/app/api/v1/policies/[id]/diff/route'
import { GET as simulateRoute } from '@/app/api/v1/policies/[id]/simulate/route'
import { PUT as putDefaults } from '@/app/api/v1/routing-defaults/route'

// Issue 7's proof through the real routes, PostgreSQL and Redis: import evals,
// publish a policy, and decide picks the cheapest model clearing the bar,
// escalates on low confidence, falls back on a retry, and gives a canary its
// share of 10,000 runs; a rollback restores the old choice.

let orgId = ''
let ingestKey = ''
let writeKey = ''
let readKey = ''
let otherKey = ''
let policyId = ''

const req = (path: string, key: string, method = 'GET', body?: unknown) => apiRequest(path, { key, method, body })
const ctx = (id: string) => ({ params: Promise.resolve({ id }) })

const mini = { provider: 'openai', model: 'gpt-4o-mini' } // $0.00027 a call of 1,000 in + 200 out
const big = { provider: 'openai', model: 'gpt-4o' } // $0.0045
const haiku = { provider: 'anthropic', model: 'claude-3-5-haiku' } // $0.0016 (no traffic: priced from the step's token profile)

async function ingest(events: Record<string, unknown>[]) {
  expect((await postEvents(req('/api/v1/events', ingestKey, 'POST', { events }))).status).toBe(202)
  await processPending()
}
async function processPending() {
  for (const id of await pendingBatches(0)) await processBatch(id)
}
const decideCall = async (over: Record<string, unknown> = {}) => (await decide(orgId, { workflow_id: 'support', step: 'classify', ...over })).answer

beforeAll(async () => {
  await useTestServices('routing')
  orgId = (await createOrgWithAdmin({ org_name: 'Routing Co', email: 'routing@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  const other = (await createOrgWithAdmin({ org_name: 'Other Routing Co', email: 'other-routing@example.com', password: 'password-123' })).org.id
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['write', 'read'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  otherKey = (await createTestApiKey(other, { name: 'other', scopes: ['read', 'write'] })).key
  const now = Date.now()
  // Real traffic of the step: 40 calls each of gpt-4o and gpt-4o-mini, 1,000 tokens in and 200 out.
  await ingest(
    [big, mini].flatMap((m, j) =>
      Array.from({ length: 40 }, (_, i) => ({
        id: `t-${j}-${i}`,
        timestamp: new Date(now - (i + 1) * 60_000).toISOString(),
        workflow_id: 'support',
        step: 'classify',
        ...m,
        tokens_in: 1000,
        tokens_out: 200,
      })),
    ),
  )
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('evals', () => {
  it("imports eval results; the runs' cost is eval traffic in spend", async () => {
    const evals = [
      { ...mini, scores: { grounding: 0.9, format_ok: 1 }, tokens_in: 100_000, tokens_out: 20_000 },
      { ...haiku, scores: { grounding: 0.95, format_ok: 0.995 }, tokens_in: 100_000, tokens_out: 20_000 },
      { ...big, scores: { grounding: 0.97, format_ok: 1 }, tokens_in: 100_000, tokens_out: 20_000, cost_usd: '0.45' },
    ].map((e) => ({ eval_set: 'golden-v1', workflow_id: 'support', step: 'classify', sample_count: 100, ...e }))
    const res = await postEvals(req('/api/v1/evals', writeKey, 'POST', { evals }))
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ imported: 3, cost_events: { accepted: 150, rejected: [] } })
    await processPending()
    const { rows } = await queryMetrics(orgId, { ...ZMetricsQuery.parse({}), traffic_source: ['eval'], group_by: ['model'] })
    // gpt-4o: 100k in × $2.5/M + 20k out × $10/M = $0.45; mini $0.027; haiku $0.16
    expect(Object.fromEntries(rows.map((r) => [r.model, [r.cost_usd, r.requests]]))).toEqual({
      'gpt-4o': ['0.450000', 100],
      'claude-3-5-haiku': ['0.160000', 100],
      'gpt-4o-mini': ['0.027000', 100],
    })
    const listed = await (await getEvals(req('/api/v1/evals?workflow_id=support&step=classify', readKey))).json()
    expect(listed.evals).toHaveLength(3)
  })

  it('names every bad field', async () => {
    const res = await postEvals(
      req('/api/v1/evals', writeKey, 'POST', {
        evals: [
          {
            eval_set: 'x',
            workflow_id: 'support',
            step: 'classify',
            provider: 'openai',
            model: 'm',
            scores: { grounding: 1.5 },
            sample_count: 0,
            colour: 'red',
          },
        ],
      }),
    )
    expect(res.status).toBe(400)
    expect((await res.json()).error.details.errors).toEqual(
      expect.arrayContaining(['evals.0.scores.grounding: must be ≤ 1', 'evals.0.sample_count: must be ≥ 1', 'evals.0.colour: unknown field']),
    )
    expect((await postEvals(req('/api/v1/evals', readKey, 'POST', { evals: [] }))).status).toBe(403)
  })
})

describe('policies', () => {
  it('creates a policy with a draft; a read key may read it but not write', async () => {
    const body = {
      workflow_id: 'support',
      step: 'classify',
      quality_bar: [
        { metric: 'grounding', min: 0.92 },
        { metric: 'format_ok', min: 0.99 },
      ],
      candidates: [big, mini, haiku],
      cascade: { models: [haiku, big], confidence_threshold: 0.7 },
      fallback: big,
    }
    const res = await createPolicy(req('/api/v1/policies', writeKey, 'POST', body))
    expect(res.status).toBe(201)
    const { policy } = await res.json()
    policyId = policy.id
    expect(policy).toMatchObject({
      workflow_id: 'support',
      step: 'classify',
      environment: null,
      account_id: null,
      published_version: null,
      draft_version: 1,
      published: null,
    })
    expect(policy.versions[0]).toMatchObject({ version: 1, status: 'draft', author: 'API key' })
    expect((await createPolicy(req('/api/v1/policies', writeKey, 'POST', body))).status).toBe(409)
    expect((await createPolicy(req('/api/v1/policies', readKey, 'POST', body))).status).toBe(403)
    expect((await listPolicies(req('/api/v1/policies?workflow_id=support', readKey))).status).toBe(200)
    expect((await getPolicy(req(`/api/v1/policies/${policyId}`, otherKey), ctx(policyId))).status).toBe(404)
  })

  it('rejects a bad draft field by field', async () => {
    const res = await patchPolicy(
      req(`/api/v1/policies/${policyId}`, writeKey, 'PATCH', {
        quality_bar: [{ metric: 'Grounding!', min: 2 }],
        canary: { share_pct: 100, stable_by: 'user' },
        candidates: [],
      }),
      ctx(policyId),
    )
    expect(res.status).toBe(400)
    const errors: string[] = (await res.json()).error.details.errors
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^quality_bar\.0\.metric: must be a metric name/),
        'quality_bar.0.min: must be ≤ 1',
        'candidates: list at least one candidate model',
        expect.stringMatching(/^canary\.share_pct: must be < 100/),
        'canary.stable_by: must be one of: run_id, account_id',
      ]),
    )
  })

  it('publishes only with a note; decide then picks the cheapest model that clears the bar', async () => {
    const noNote = await publish(req(`/api/v1/policies/${policyId}/publish`, writeKey, 'POST', {}), ctx(policyId))
    expect(noNote.status).toBe(400)
    expect((await noNote.json()).error.details.errors).toEqual(['note: is required'])
    const res = await publish(
      req(`/api/v1/policies/${policyId}/publish`, writeKey, 'POST', { note: 'Route classification to the cheapest model clearing grounding 0.92' }),
      ctx(policyId),
    )
    expect(res.status).toBe(200)
    const { policy } = await res.json()
    expect(policy.published).toMatchObject({
      version: 1,
      chosen: haiku,
      published_by: 'API key',
      note: 'Route classification to the cheapest model clearing grounding 0.92',
    })
    const ev = policy.versions[0].evidence
    // gpt-4o-mini is cheaper ($0.00027 measured on 40 calls) but fails grounding; haiku is priced from prices × the step's token profile.
    expect(
      ev.candidates.map((c: { model: string; cost_per_call_usd: string; source: string; clears: boolean }) => [
        c.model,
        c.cost_per_call_usd,
        c.source,
        c.clears,
      ]),
    ).toEqual([
      ['gpt-4o', '0.004500', 'traffic', true],
      ['gpt-4o-mini', '0.000270', 'traffic', false],
      ['claude-3-5-haiku', '0.001600', 'prices', true],
    ])

    const r = await postDecide(req('/api/v1/decide', ingestKey, 'POST', { workflow_id: 'support', step: 'classify', run_id: 'r-1' }))
    expect(r.status).toBe(200)
    const answer = await r.json()
    expect(answer).toMatchObject({ ...haiku, policy_id: policyId, policy_version: 1, budget: { state: 'ok', action: 'allow' } })
    expect(answer.reason).toMatch(/^selection: cheapest clearing the bar: anthropic\/claude-3-5-haiku at \$0\.001600\/call/)
  })

  it('escalates on low confidence and falls back on a retry', async () => {
    expect(await decideCall({ confidence: 0.95 })).toMatchObject(haiku)
    const low = await decideCall({ confidence: 0.42 })
    expect(low).toMatchObject({ ...big, policy_version: 1 })
    expect(low.reason).toBe('cascade: confidence 0.42 < threshold 0.7, escalated from anthropic/claude-3-5-haiku to openai/gpt-4o')
    expect(await decideCall({ attempt: 2 })).toMatchObject({ ...big, reason: expect.stringMatching(/^fallback: attempt 2/) })
  })

  it('a canary gets its share of 10,000 runs within statistical bounds, each run stable', async () => {
    // Version 2: a looser bar lets gpt-4o-mini clear; 20 % of runs try it.
    const patched = await patchByKey(
      req('/api/v1/policies', writeKey, 'PATCH', {
        workflow_id: 'support',
        step: 'classify',
        quality_bar: [
          { metric: 'grounding', min: 0.9 },
          { metric: 'format_ok', min: 0.99 },
        ],
        cascade: { models: [mini, haiku, big], confidence_threshold: 0.7 },
        canary: { share_pct: 20, stable_by: 'run_id' },
      }),
    )
    expect(patched.status).toBe(200)
    expect((await patched.json()).policy).toMatchObject({ published_version: 1, draft_version: 2 })
    const res = await publish(req(`/api/v1/policies/${policyId}/publish`, writeKey, 'POST', { note: 'Try gpt-4o-mini on 20% of runs' }), ctx(policyId))
    expect(res.status).toBe(200)
    expect((await res.json()).policy.published).toMatchObject({ version: 2, chosen: mini, base_version: 1, canary: { share_pct: 20 } })

    const n = 10_000
    let canary = 0
    for (let i = 0; i < n; i++) {
      const a = await decideCall({ run_id: `run-${i}` })
      if (a.policy_version === 2) {
        canary++
        expect(a).toMatchObject(mini)
      } else expect(a).toMatchObject({ ...haiku, policy_version: 1 })
    }
    const sd = Math.sqrt(n * 0.2 * 0.8)
    expect(Math.abs(canary - n * 0.2)).toBeLessThan(4 * sd) // 4σ = ±160 runs around 2,000
    for (const i of [3, 77, 512]) {
      const first = await decideCall({ run_id: `run-${i}` })
      expect(await decideCall({ run_id: `run-${i}`, confidence: 0.99 })).toMatchObject({ model: first.model, policy_version: first.policy_version })
    }
  })

  it('diffs versions and rolls back with one call: all traffic returns to the old choice', async () => {
    const d = await (await diff(req(`/api/v1/policies/${policyId}/diff?from=1&to=2`, readKey), ctx(policyId))).json()
    expect(d.changes).toEqual([
      { field: 'quality_bar.grounding', from: 0.92, to: 0.9 },
      { field: 'cascade', from: { models: [haiku, big], confidence_threshold: 0.7 }, to: { models: [mini, haiku, big], confidence_threshold: 0.7 } },
      { field: 'canary', from: null, to: { share_pct: 20, stable_by: 'run_id' } },
    ])
    expect(d.chosen).toEqual({ from: haiku, to: mini })
    const noNote = await rollback(req(`/api/v1/policies/${policyId}/rollback`, writeKey, 'POST', { version: 1 }), ctx(policyId))
    expect(noNote.status).toBe(400)
    const res = await rollback(
      req(`/api/v1/policies/${policyId}/rollback`, writeKey, 'POST', { version: 1, note: 'mini drafts misroute refunds' }),
      ctx(policyId),
    )
    expect(res.status).toBe(200)
    const { policy } = await res.json()
    expect(policy.published).toMatchObject({ version: 3, chosen: haiku, canary: null })
    expect(policy.versions[0]).toMatchObject({ version: 3, rolled_back_from: 1, note: 'mini drafts misroute refunds' })
    for (let i = 0; i < 200; i++) expect(await decideCall({ run_id: `run-${i}` })).toMatchObject({ ...haiku, policy_version: 3 })
    // Published versions never changed.
    const v2 = await ownerPool().query(`SELECT status, note FROM routing_policy_versions WHERE policy_id = $1 AND version = 2`, [policyId])
    expect(v2.rows[0]).toEqual({ status: 'published', note: 'Try gpt-4o-mini on 20% of runs' })
  })

  it('refuses to publish a draft no candidate clears, saying why', async () => {
    await patchPolicy(
      req(`/api/v1/policies/${policyId}`, writeKey, 'PATCH', { quality_bar: [{ metric: 'grounding', min: 0.99 }], canary: null }),
      ctx(policyId),
    )
    const res = await publish(req(`/api/v1/policies/${policyId}/publish`, writeKey, 'POST', { note: 'stricter' }), ctx(policyId))
    expect(res.status).toBe(409)
    expect((await res.json()).error.message).toContain('no candidate clears the quality bar (openai/gpt-4o: grounding 0.97 < 0.99')
    expect((await decideCall()).policy_version).toBe(3)
  })

  it('an uncovered step answers 404 with the configured default, never a 500', async () => {
    let r = await postDecide(req('/api/v1/decide', ingestKey, 'POST', { workflow_id: 'support', step: 'summarize' }))
    expect(r.status).toBe(404)
    expect(await r.json()).toMatchObject({ error: { code: 'no_policy' }, provider: null, model: null })
    const put = await putDefaults(
      req('/api/v1/routing-defaults', writeKey, 'PUT', {
        defaults: [
          { workflow_id: null, ...mini },
          { workflow_id: 'support', ...big },
        ],
      }),
    )
    expect(put.status).toBe(200)
    r = await postDecide(req('/api/v1/decide', ingestKey, 'POST', { workflow_id: 'support', step: 'summarize' }))
    expect(await r.json()).toMatchObject({ ...big, policy_id: null, reason: expect.stringContaining('the default of workflow "support"') })
    expect(await decideCall({ workflow_id: 'billing', step: 'x' })).toMatchObject(mini)
  })

  it('reads no database per call: published policies are served from memory', async () => {
    const live = await loadLiveRouting(orgId)
    expect(live.policies).toHaveLength(1)
    expect(live.policies[0]).toMatchObject({ id: policyId, current: { version: 3, chosen: haiku }, base: { version: 2 } })
    await decideCall() // warm
    const p = ownerPool()
    const [query, connect] = [p.query, p.connect]
    let touched = 0
    p.query = ((...args: Parameters<typeof query>) => (touched++, query.apply(p, args))) as typeof query
    p.connect = ((...args: Parameters<typeof connect>) => (touched++, connect.apply(p, args))) as typeof connect
    try {
      for (let i = 0; i < 1000; i++) await decideCall({ run_id: `db-${i}`, confidence: i % 2 ? 0.1 : 0.9 })
    } finally {
      p.query = query
      p.connect = connect
    }
    expect(touched).toBe(0)
  })
})

describe('a first policy published as a canary (issue 21)', () => {
  // A step with 72 calls on gpt-4o-mini and 28 on gpt-4o; the first policy sends 10% of runs to haiku.
  // The rest stays on whatever the caller asked for: decide names the configured default, nothing is re-routed.
  let id = ''
  const key = { workflow_id: 'triage', step: 'route' }
  const decideTriage = async (over: Record<string, unknown> = {}) => {
    const r = await postDecide(req('/api/v1/decide', ingestKey, 'POST', { ...key, ...over }))
    return { status: r.status, body: await r.json() }
  }

  beforeAll(async () => {
    const now = Date.now()
    const hour = Math.floor(now / 3_600_000) * 3_600_000
    await ingest(
      [...Array.from({ length: 72 }, () => mini), ...Array.from({ length: 28 }, () => big)].map((m, i) => ({
        id: `triage-${i}`,
        timestamp: new Date(hour - 3_600_000 + i * 1000).toISOString(), // the last whole hour: the simulation replays whole hours
        ...key,
        ...m,
        tokens_in: 1000,
        tokens_out: 200,
      })),
    )
    const evals = [haiku, mini, big].map((m) => ({ eval_set: 'golden', ...key, ...m, sample_count: 50, scores: { grounding: m === mini ? 0.8 : 0.95 } }))
    expect((await postEvals(req('/api/v1/evals', writeKey, 'POST', { evals }))).status).toBe(201)
  })

  it('simulates and publishes with a canary against the caller’s default; the two agree', async () => {
    const created = await createPolicy(
      req('/api/v1/policies', writeKey, 'POST', {
        ...key,
        quality_bar: [{ metric: 'grounding', min: 0.9 }],
        candidates: [haiku, big],
        canary: { share_pct: 10, stable_by: 'run_id' },
      }),
    )
    expect(created.status).toBe(201)
    id = (await created.json()).policy.id
    const s = await (await simulateRoute(req(`/api/v1/policies/${id}/simulate?days=1`, readKey), ctx(id))).json()
    expect(s.evidence.chosen).toEqual(haiku)
    // 10% of 100 calls × haiku's $0.0016 + 90% of what they cost (72 × $0.00027 + 28 × $0.0045 = $0.14544)
    expect(s.simulation).toMatchObject({
      calls: 100,
      actual_cost_usd: '0.145440',
      estimated_cost_usd: '0.146896',
      baseline: { kind: 'actual', version: null, cost_usd: '0.145440' },
      canary_share: 10,
    })
    expect(s.simulation.shares.find((r: { model: string }) => r.model === 'openai/gpt-4o')).toMatchObject({ actual_calls: 28, estimated_calls: 25 })
    expect(s.simulation.headline).toContain("(canary: 10% of runs, the rest on the caller's default model)")

    const res = await publish(req(`/api/v1/policies/${id}/publish`, writeKey, 'POST', { note: 'haiku on 10% of triage runs' }), ctx(id))
    expect(res.status).toBe(200)
    expect((await res.json()).policy.published).toMatchObject({ version: 1, chosen: haiku, base_version: null, canary: { share_pct: 10, stable_by: 'run_id' } })
  })

  it('decide: the canary’s share of runs gets the policy; every other run the caller’s default (200, policy_version null)', async () => {
    const n = 2000
    let onCanary = 0
    for (let i = 0; i < n; i++) {
      const a = (await decide(orgId, { ...key, run_id: `t-run-${i}` })).answer
      if (a.policy_version === 1) {
        onCanary++
        expect(a).toMatchObject({ ...haiku, policy_id: id })
      } else {
        // the organization's default (set above), named as such — never gpt-4o's 28% moved anywhere
        expect(a).toMatchObject({ ...mini, policy_id: id, policy_version: null })
        expect(a.reason).toMatch(/^default: the caller's default model \(canary v1 takes 10% by run_id\); the organization default: openai\/gpt-4o-mini$/)
      }
    }
    expect(Math.abs(onCanary - n * 0.1)).toBeLessThan(5 * Math.sqrt(n * 0.1 * 0.9))
    const noRun = await decideTriage()
    expect(noRun.status).toBe(200)
    expect(noRun.body).toMatchObject({ policy_id: id, policy_version: null, reason: expect.stringContaining('the call has no run_id') })
  })

  it('a ramp (a second canary) keeps the rest on the caller’s default; v3 without a canary takes all traffic', async () => {
    await patchPolicy(req(`/api/v1/policies/${id}`, writeKey, 'PATCH', { canary: { share_pct: 50, stable_by: 'run_id' } }), ctx(id))
    const s = await (await simulateRoute(req(`/api/v1/policies/${id}/simulate?days=1`, readKey), ctx(id))).json()
    // compared with v1 in force (10% on haiku), not with the window's mix
    expect(s.simulation.baseline).toMatchObject({ kind: 'version', version: 1, cost_usd: '0.146896' })
    expect(s.simulation.estimated_cost_usd).toBe('0.152720') // 50% × $0.16 + 50% × $0.14544
    expect(s.simulation.change_usd).toBe('0.005824')
    const res = await publish(req(`/api/v1/policies/${id}/publish`, writeKey, 'POST', { note: 'ramp to 50%' }), ctx(id))
    expect((await res.json()).policy.published).toMatchObject({ version: 2, base_version: null, canary: { share_pct: 50 } })
    let v2 = 0
    for (let i = 0; i < 400; i++) if ((await decideCall({ ...key, run_id: `ramp-${i}` })).policy_version === 2) v2++
    expect(Math.abs(v2 - 200)).toBeLessThan(5 * Math.sqrt(400 * 0.25))
    await patchPolicy(req(`/api/v1/policies/${id}`, writeKey, 'PATCH', { canary: null }), ctx(id))
    await publish(req(`/api/v1/policies/${id}/publish`, writeKey, 'POST', { note: 'haiku for all' }), ctx(id))
    for (let i = 0; i < 50; i++) expect(await decideCall({ ...key, run_id: `all-${i}` })).toMatchObject({ ...haiku, policy_version: 3 })
  })

  it('v4’s simulation compares with v3 in force; a canary over v3 keeps the rest on v3', async () => {
    await patchPolicy(req(`/api/v1/policies/${id}`, writeKey, 'PATCH', { candidates: [big], canary: { share_pct: 20, stable_by: 'run_id' } }), ctx(id))
    const s = await (await simulateRoute(req(`/api/v1/policies/${id}/simulate?days=1`, readKey), ctx(id))).json()
    // v3: 100 × $0.0016 = $0.16; v4: 20% × 100 × $0.0045 + 80% × $0.16 = $0.09 + $0.128
    expect(s.simulation).toMatchObject({
      baseline: { kind: 'version', version: 3, cost_usd: '0.160000' },
      estimated_cost_usd: '0.218000',
      change_usd: '0.058000',
      shifted_share: 0.2,
    })
    expect(s.simulation.headline).toContain('against v3 in force')
    expect(s.simulation.headline).toContain('the rest on v3)')
    const res = await publish(req(`/api/v1/policies/${id}/publish`, writeKey, 'POST', { note: 'gpt-4o on 20%' }), ctx(id))
    expect((await res.json()).policy.published).toMatchObject({ version: 4, base_version: 3 })
  })
})

describe('a first canary withdrawn (issue 21): no older version to roll back to, the step returns to the caller’s default', () => {
  const key = { workflow_id: 'triage', step: 'withdrawn' }
  it('withdraws with a note, audited; decide answers as for a step without a policy; publishing again restores it', async () => {
    const created = await createPolicy(
      req('/api/v1/policies', writeKey, 'POST', { ...key, quality_bar: [], candidates: [haiku], canary: { share_pct: 10, stable_by: 'run_id' } }),
    )
    expect(created.status).toBe(201)
    const id = (await created.json()).policy.id as string
    expect((await publish(req(`/api/v1/policies/${id}/publish`, writeKey, 'POST', { note: 'haiku on 10%' }), ctx(id))).status).toBe(200)
    const onV1 = async () => {
      let n = 0
      for (let i = 0; i < 200; i++) if ((await decideCall({ ...key, run_id: `w-${i}` })).policy_version === 1) n++
      return n
    }
    expect(await onV1()).toBeGreaterThan(0)

    // a read key may not withdraw, nor another organization; a withdraw needs a note
    expect((await withdraw(req(`/api/v1/policies/${id}/withdraw`, readKey, 'POST', { note: 'not mine' }), ctx(id))).status).toBe(403)
    const noNote = await withdraw(req(`/api/v1/policies/${id}/withdraw`, writeKey, 'POST', {}), ctx(id))
    expect(noNote.status).toBe(400)
    expect(JSON.stringify(await noNote.json())).toContain('note')
    expect((await withdraw(req(`/api/v1/policies/${id}/withdraw`, otherKey, 'POST', { note: 'another org' }), ctx(id))).status).toBe(404)

    const res = await withdraw(req(`/api/v1/policies/${id}/withdraw`, writeKey, 'POST', { note: 'haiku misroutes refunds' }), ctx(id))
    expect(res.status).toBe(200)
    const { policy } = await res.json()
    expect(policy).toMatchObject({ published_version: null, published: null, draft_version: null })
    expect(policy.versions).toMatchObject([{ version: 1, status: 'published' }])
    expect(await onV1()).toBe(0)
    const r = await postDecide(req('/api/v1/decide', ingestKey, 'POST', { ...key, run_id: 'w-0' }))
    expect(await r.json()).toMatchObject({ policy_version: null })
    const [audit] = (
      await ownerPool().query(
        `SELECT action, before->>'published_version' AS before_v, after->>'published_version' AS after_v, after->>'note' AS note
         FROM audit_log WHERE org_id = $1 AND target_id = $2 AND action = 'policy.withdraw'`,
        [orgId, id],
      )
    ).rows
    expect(audit).toEqual({ action: 'policy.withdraw', before_v: '1', after_v: null, note: 'haiku misroutes refunds' })
    // nothing in force: a second withdraw is a conflict; the simulation still answers (the latest version replayed)
    expect((await withdraw(req(`/api/v1/policies/${id}/withdraw`, writeKey, 'POST', { note: 'again' }), ctx(id))).status).toBe(409)
    expect((await simulateRoute(req(`/api/v1/policies/${id}/simulate?days=1`, readKey), ctx(id))).status).toBe(200)
    // a rollback to v1 puts it in force again (all traffic, no canary)
    const back = await rollback(req(`/api/v1/policies/${id}/rollback`, writeKey, 'POST', { version: 1, note: 'haiku again, for all' }), ctx(id))
    expect((await back.json()).policy.published).toMatchObject({ version: 2, chosen: haiku, canary: null })
    expect(await decideCall({ ...key, run_id: 'w-1' })).toMatchObject({ ...haiku, policy_version: 2 })
  })
})
