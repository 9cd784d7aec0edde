import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { forgetPriceBook } from '@/lib/cost/pricebook'
import type { TSessionUser } from '@/lib/auth/session'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postEvals } from '@/app/api/v1/evals/route'
import { GET as getRecord } from '@/app/api/v1/decision-record/route'
import { GET as listDecisions, POST as saveDecision } from '@/app/api/v1/decision-record/decisions/route'

// The decision record as a record, through the real routes: the eval candidates that never served the step
// (what eval_results hold minus the models of its events), priced with the organization's own price and the
// step's token profile; a decision saved by whoever may change routing, listed newest first with that day's
// figures, audited; refused to a viewer and a read key; bad input named field by field; no cross-tenant reach.

let signedIn: TSessionUser | null = null
vi.mock('@/lib/auth/session', () => ({ sessionUser: async () => signedIn }))

let orgId = ''
let readKey = ''
let writeKey = ''
let otherReadKey = ''
let otherWriteKey = ''
let engineer: TSessionUser
let viewer: TSessionUser

const range = 'from=2026-11-01&to=2026-11-03'
const STEP = { workflow_id: 'support', step: 'draft' }
const H = (key: string | null) => ({ origin: 'http://localhost', ...(key ? { authorization: `Bearer ${key}` } : {}) })
const record = async (key = readKey) => (await getRecord(apiRequest(`/api/v1/decision-record?workflow_id=support&step=draft&${range}`, { key }))).json()
const save = (body: unknown, key: string | null = writeKey) =>
  saveDecision(apiRequest('/api/v1/decision-record/decisions', { method: 'POST', body, headers: H(key) }))
const list = (key: string | null = readKey, q = 'workflow_id=support&step=draft') =>
  listDecisions(apiRequest(`/api/v1/decision-record/decisions?${q}`, { headers: H(key) }))

async function member(org: string, email: string, name: string, role: string): Promise<TSessionUser> {
  const u = await ownerPool().query<{ id: string }>(`INSERT INTO users (id, email, name, password_hash) VALUES (gen_random_uuid(), $1, $2, 'x') RETURNING id`, [
    email,
    name,
  ])
  await ownerPool().query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)`, [org, u.rows[0].id, role])
  return { id: u.rows[0].id, email, name }
}

beforeAll(async () => {
  await useTestServices('decisions')
  const a = await createOrgWithAdmin({ org_name: 'Decided Co', email: 'dec-admin@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id)
  orgId = a.org.id
  const ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'ci-writer', scopes: ['write'] })).key
  const b = await createOrgWithAdmin({ org_name: 'Other Co', email: 'dec-other@example.com', password: 'password-123' })
  otherReadKey = (await createTestApiKey(b.org.id, { name: 'read', scopes: ['read'] })).key
  otherWriteKey = (await createTestApiKey(b.org.id, { name: 'write', scopes: ['write'] })).key
  engineer = await member(orgId, 'eve@example.com', 'Eve Engineer', 'engineer')
  viewer = await member(orgId, 'vic@example.com', 'Vic Viewer', 'viewer')

  // 40 draft calls: 10 on claude-sonnet-4-5 (1,500 of 2,000 input tokens cached), 30 on gpt-4o-mini; 300 out each
  const events = Array.from({ length: 40 }, (_, i) => {
    const big = i % 4 === 0
    return {
      id: `e${i}`,
      timestamp: `2026-11-02T${String(10 + (i % 10)).padStart(2, '0')}:00:00Z`,
      ...STEP,
      run_id: `r${i}`,
      provider: big ? 'anthropic' : 'openai',
      model: big ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
      tokens_in: 2000,
      cached_tokens_in: big ? 1500 : 0,
      tokens_out: 300,
    }
  })
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
  // evals: one served model, one never served (with the organization's own price), one with no price anywhere;
  // and one on another step (not this step's candidate)
  const ev = (model: string, provider: string, scores: Record<string, number>, step = 'draft') => ({
    eval_set: 'support-nightly',
    workflow_id: 'support',
    step,
    provider,
    model,
    scores,
    sample_count: 200,
    run_at: '2026-11-01T03:00:00Z',
  })
  const evals = [
    ev('gpt-4o-mini', 'openai', { accuracy: 0.81 }),
    ev('gpt-4.1-mini', 'openai', { accuracy: 0.93, tone: 0.9 }),
    ev('mystery-7b', 'acme', { accuracy: 0.7 }),
    ev('gpt-4.1-nano', 'openai', { accuracy: 0.5 }, 'classify'),
  ]
  expect((await postEvals(apiRequest('/api/v1/evals', { key: writeKey, body: { evals } }))).status).toBe(201)
  // the organization's own price for gpt-4.1-mini (first, before the catalog's)
  await ownerPool().query(
    `INSERT INTO prices (id, org_id, provider, model, effective_from, input_per_mtok, cached_input_per_mtok, output_per_mtok)
     VALUES (gen_random_uuid(), $1, 'openai', 'gpt-4.1-mini', '2026-01-01', 0.5, 0.05, 2)`,
    [orgId],
  )
  forgetPriceBook(orgId) // as PUT /api/v1/prices does
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('the decision record’s eval candidates', () => {
  it('are the models eval_results hold for the step minus the models that served it', async () => {
    const d = await record()
    const expected = await ownerPool().query<{ model: string }>(
      `SELECT DISTINCT provider || '/' || model AS model FROM eval_results WHERE org_id = $1 AND workflow_id = 'support' AND step = 'draft'
       EXCEPT SELECT DISTINCT provider || '/' || model FROM inference_events WHERE org_id = $1 AND workflow_id = 'support' AND step = 'draft'
       ORDER BY 1`,
      [orgId],
    )
    expect(d.candidates.map((c: { model: string }) => c.model)).toEqual(expected.rows.map((r) => r.model))
    expect(expected.rows.map((r) => r.model)).toEqual(['acme/mystery-7b', 'openai/gpt-4.1-mini'])
    // the served model is an option, with its eval scores
    expect(d.options.find((o: { model: string }) => o.model === 'openai/gpt-4o-mini').evals).toEqual([
      { eval_set: 'support-nightly', scores: { accuracy: 0.81 }, sample_count: 200, run_at: '2026-11-01T03:00:00.000Z' },
    ])
  })

  it('are priced at the organization’s own price with the step’s token profile, cached input as such', async () => {
    const [p] = (
      await ownerPool().query<{ calls: number; tin: number; cached: number; tout: number }>(
        `SELECT count(*)::int AS calls, round(avg(tokens_in))::int AS tin, round(avg(cached_tokens_in))::int AS cached, round(avg(tokens_out))::int AS tout
         FROM inference_events WHERE org_id = $1 AND workflow_id = 'support' AND step = 'draft'`,
        [orgId],
      )
    ).rows
    expect(p).toEqual({ calls: 40, tin: 2000, cached: 375, tout: 300 })
    // (2000 − 375)·0.5 + 375·0.05 + 300·2 = 1431.25 USD/Mtok → $0.00143125/call; raw 2000·0.5 + 300·2 = 1600; 40 calls $0.05725
    const d = await record()
    const mini = d.candidates.find((c: { model: string }) => c.model === 'openai/gpt-4.1-mini')
    expect(mini).toEqual({
      model: 'openai/gpt-4.1-mini',
      provider: 'openai',
      evals: [{ eval_set: 'support-nightly', scores: { accuracy: 0.93, tone: 0.9 }, sample_count: 200, run_at: '2026-11-01T03:00:00.000Z' }],
      priced: { raw_cost_per_call_usd: '0.001600', cost_per_call_usd: '0.001431', cost_usd: '0.057250', price_effective_from: '2026-01-01T00:00:00.000Z' },
      unpriced: false,
    })
    expect(d.candidates.find((c: { model: string }) => c.model === 'acme/mystery-7b')).toMatchObject({ unpriced: true, priced: null })
  })
})

describe('saved decisions', () => {
  it('saves the record as a decision for the signed-in engineer, audited, and lists it newest first with that day’s figures', async () => {
    signedIn = engineer
    const first = await save({ ...STEP, chosen_model: 'openai/gpt-4o-mini', note: 'keep it', from: '2026-11-01', to: '2026-11-03' }, null)
    expect(first.status).toBe(201)
    signedIn = null
    const second = await save({ ...STEP, chosen_model: 'openai/gpt-4.1-mini', note: 'move to 4.1-mini: clears the bar', from: '2026-11-01', to: '2026-11-03' })
    expect(second.status).toBe(201)
    const d2 = await second.json()
    expect(d2).toMatchObject({
      ...STEP,
      chosen_model: 'openai/gpt-4.1-mini',
      note: 'move to 4.1-mini: clears the bar',
      decided_by: { user_id: null, name: 'ci-writer' },
      period: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' },
      figures: { calls: 40, chosen_cost_per_call_usd: '0.001431', chosen_served: false },
    })
    expect(d2.record).toEqual(await record())

    const res = await list()
    expect(res.status).toBe(200)
    const { decisions } = await res.json()
    expect(decisions.map((x: { chosen_model: string }) => x.chosen_model)).toEqual(['openai/gpt-4.1-mini', 'openai/gpt-4o-mini'])
    expect(decisions[1]).toMatchObject({ note: 'keep it', decided_by: { user_id: engineer.id, name: 'Eve Engineer' }, figures: { chosen_served: true } })
    const cost = (
      await ownerPool().query<{ c: string }>(
        `SELECT round(sum(cost_usd) / count(*), 6)::text AS c FROM inference_events WHERE org_id = $1 AND step = 'draft' AND model = 'gpt-4o-mini'`,
        [orgId],
      )
    ).rows[0].c
    expect(decisions[1].figures.chosen_cost_per_call_usd).toBe(cost)

    const audit = await ownerPool().query(
      `SELECT actor_type, actor_id::text AS actor_id, target_id, after->>'chosen_model' AS chosen FROM audit_log WHERE org_id = $1 AND action = 'step_decision.create' ORDER BY seq`,
      [orgId],
    )
    expect(audit.rows).toEqual([
      { actor_type: 'user', actor_id: engineer.id, target_id: decisions[1].id, chosen: 'openai/gpt-4o-mini' },
      { actor_type: 'api_key', actor_id: expect.any(String), target_id: d2.id, chosen: 'openai/gpt-4.1-mini' },
    ])
  })

  it('is refused to a viewer and to a read key; a viewer may list', async () => {
    signedIn = viewer
    expect((await save({ ...STEP, chosen_model: 'openai/gpt-4o-mini' }, null)).status).toBe(403)
    expect((await list(null)).status).toBe(200)
    signedIn = null
    expect((await save({ ...STEP, chosen_model: 'openai/gpt-4o-mini' }, readKey)).status).toBe(403)
    expect((await save({ ...STEP, chosen_model: 'openai/gpt-4o-mini' }, null)).status).toBe(401)
  })

  it('answers bad input with 400 and the field and reason', async () => {
    const errors = async (body: unknown) => {
      const r = await save(body)
      expect(r.status).toBe(400)
      return (await r.json()).error.details.errors as string[]
    }
    expect(await errors({ workflow_id: 'support', chosen_model: 'openai/gpt-4o-mini' })).toContainEqual('step: is required')
    expect(await errors({ ...STEP, chosen_model: 'openai/gpt-4o-mini', note: 'x'.repeat(2001) })).toContainEqual('note: is at most 2,000 characters')
    expect(await errors({ ...STEP, chosen_model: 'openai/gpt-4o-mini', color: 'red' })).toEqual([expect.stringMatching(/color/)])
    const [notOption] = await errors({ ...STEP, chosen_model: 'openai/gpt-4.1-nano', from: '2026-11-01', to: '2026-11-03' })
    expect(notOption).toMatch(/^chosen_model: is not an option of the record \(one of .*openai\/gpt-4\.1-mini/)
    expect((await list(readKey, 'workflow_id=support')).status).toBe(400)
  })

  it('keeps each organization’s decisions to itself', async () => {
    const { decisions } = await (await list(otherReadKey)).json()
    expect(decisions).toEqual([])
    // the other organization has no calls nor evals on the step: nothing to choose
    const r = await save({ ...STEP, chosen_model: 'openai/gpt-4.1-mini', from: '2026-11-01', to: '2026-11-03' }, otherWriteKey)
    expect(r.status).toBe(400)
    expect((await r.json()).error.details.errors[0]).toMatch(/no calls and no eval results/)
    const rows = await ownerPool().query(`SELECT DISTINCT org_id::text AS org FROM step_decisions`)
    expect(rows.rows).toEqual([{ org: orgId }])
  })
})
