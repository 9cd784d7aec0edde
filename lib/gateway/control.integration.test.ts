import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, createTestApiKey, ownerPool } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { createBudget, type TBudgetInput } from '@/lib/budgets'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { flushLeases, ledgerConfig, ledgerUsage, runUsage } from '@/lib/budgets/ledger'
import { createPolicy, editDraft, publishDraft, rollbackTo } from '@/lib/routing/policies'
import { ZPolicyCreate } from '@/lib/routing/schema'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { planCall, planCallNow, shouldEscalate, storeCached, type TCallPlan, type TGatewayCall } from '@/lib/gateway/control'

// The gateway's control seam against real PostgreSQL and Redis: published
// policies replace the model (canary share within binomial bounds), fallbacks
// in order, the output cap, budgets deny / warn / brown out, runs are capped,
// 50 concurrent calls against a budget with little room overshoot it by at
// most one call's maximum, and the response cache hits and expires.

let orgId = ''
let ingestKey = ''

const big = { provider: 'openai', model: 'gpt-4o' } // $2.50 in, $10 out per million tokens
const mini = { provider: 'openai', model: 'gpt-4o-mini' } // $0.15 in, $0.60 out
const haiku = { provider: 'anthropic', model: 'claude-3-5-haiku' }

async function ingest(events: Record<string, unknown>[]) {
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
}
let seq = 0
/** n calls of a workflow step, a minute ago: gpt-4o with 1,000 tokens in and 200 out is $0.0045 a call. */
const calls = (n: number, workflow_id: string, over: Record<string, unknown> = {}) =>
  Array.from({ length: n }, () => ({
    id: `ev-${seq++}`,
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    workflow_id,
    step: 'classify',
    ...big,
    tokens_in: 1000,
    tokens_out: 200,
    ...over,
  }))

const attribution = (over: Partial<TGatewayCall['attribution']> = {}): TGatewayCall['attribution'] => ({
  workflowId: 'support',
  step: 'classify',
  runId: null,
  accountId: null,
  userId: null,
  feature: null,
  environment: null,
  trafficSource: null,
  scenarioId: null,
  owner: null,
  promptVersion: null,
  ...over,
})
const gwCall = (
  over: Partial<Omit<TGatewayCall, 'attribution'>> & { attribution?: Partial<TGatewayCall['attribution']>; header?: Record<string, string> } = {},
): TGatewayCall => ({
  orgId,
  protocol: 'openai-chat',
  requestedModel: 'gpt-3.5-turbo',
  maxTokens: null,
  stream: false,
  inputHash: 'h-default',
  ...over,
  attribution: attribution(over.attribution),
  headers: new Headers({ 'content-length': '4000', ...over.header }),
})
const forward = (p: TCallPlan) => {
  if (p.kind !== 'forward')
    throw new Error(`expected a forward plan, got ${p.kind}: ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`)
  return p
}
const evaluateBudgets = () => evaluateOrgAlerts(orgId, new Date(), { kinds: ['budget'] })
const budget: TBudgetInput = {
  name: '',
  environment: null,
  workflow_id: null,
  account_id: null,
  feature: null,
  traffic_sources: ['production'],
  period: 'day',
  rolling_days: null,
  metric: 'spend',
  amount_usd: '1',
  thresholds: [50, 80, 100],
  hard_cutoff: false,
  cutoff_action: 'deny',
  throttle_per_minute: 60,
  owner: null,
}

async function publishPolicy(body: Record<string, unknown>, note = 'gateway test policy'): Promise<string> {
  const p = await createPolicy(orgId, ZPolicyCreate.parse(body), 'test')
  await publishDraft(orgId, p.id, note, 'test')
  return p.id
}

beforeAll(async () => {
  await useTestServices('gateway_control')
  orgId = (await createOrgWithAdmin({ org_name: 'Gateway Control Co', email: 'gw-control@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  // A token profile for the steps (1,000 in, 200 out), so each candidate's cost per call is priced.
  await ingest([...calls(3, 'support'), ...calls(3, 'brownout')])
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('routing policies act', () => {
  let policyId = ''

  it("replaces the requested model with the published one, then the fallbacks in order, under the step's max_tokens cap", async () => {
    policyId = await publishPolicy({
      workflow_id: 'support',
      step: 'classify',
      candidates: [big],
      fallback: mini,
      fallbacks: [haiku, mini],
      max_tokens_cap: 300,
    })
    const p = forward(await planCall(gwCall({ maxTokens: null })))
    expect(p.attempts).toEqual([
      { model: 'gpt-4o', provider: 'openai', maxTokens: 300, outcomeIfSucceeds: 'success' },
      { model: 'gpt-4o-mini', provider: 'openai', maxTokens: 300, outcomeIfSucceeds: 'fallback' },
      { model: 'claude-3-5-haiku', provider: 'anthropic', maxTokens: 300, outcomeIfSucceeds: 'fallback' },
    ])
    expect(p.headers).toMatchObject({ 'x-outlay-policy-id': policyId, 'x-outlay-policy-version': '1' })
    expect(forward(await planCall(gwCall({ maxTokens: 1000 }))).attempts[0].maxTokens).toBe(300)
    expect(forward(await planCall(gwCall({ maxTokens: 120 }))).attempts[0].maxTokens).toBe(120)
    // another step, or a call without a workflow: the requested model as asked
    expect(forward(await planCall(gwCall({ maxTokens: 50, attribution: { step: 'draft' } }))).attempts).toEqual([
      { model: 'gpt-3.5-turbo', maxTokens: 50, outcomeIfSucceeds: 'success' },
    ])
    expect(forward(await planCall(gwCall({ attribution: { workflowId: null, step: null } }))).attempts[0].model).toBe('gpt-3.5-turbo')
  })

  it('gives a canary its share of runs within binomial bounds, one model per run, and the stable version to calls without a run', async () => {
    await editDraft(orgId, policyId, { candidates: [big, mini], canary: { share_pct: 30, stable_by: 'run_id' } }, 'test')
    await publishDraft(orgId, policyId, 'mini on 30% of runs', 'test')
    const n = 2000
    const plans = await Promise.all(Array.from({ length: n }, (_, i) => planCall(gwCall({ attribution: { runId: `run-${i}` } }))))
    const onCanary = plans.filter((p) => forward(p).attempts[0].model === 'gpt-4o-mini').length
    // 30% of 2,000 = 600, σ = √(2000 × 0.3 × 0.7) ≈ 20.5: five σ either side
    expect(onCanary).toBeGreaterThan(600 - 5 * 20.5)
    expect(onCanary).toBeLessThan(600 + 5 * 20.5)
    expect(plans.every((p) => ['gpt-4o', 'gpt-4o-mini'].includes(forward(p).attempts[0].model))).toBe(true)
    const again = await planCall(gwCall({ attribution: { runId: 'run-7' } }))
    expect(forward(again).attempts[0].model).toBe(forward(plans[7]).attempts[0].model)
    expect(forward(await planCall(gwCall())).attempts[0].model).toBe('gpt-4o') // no run_id: the stable v1
  })

  it('follows a rollback', async () => {
    await rollbackTo(orgId, policyId, 1, 'back to gpt-4o for all', 'test')
    const plans = await Promise.all(Array.from({ length: 50 }, (_, i) => planCall(gwCall({ attribution: { runId: `run-${i}` } }))))
    expect(new Set(plans.map((p) => forward(p).attempts[0].model))).toEqual(new Set(['gpt-4o']))
    expect(forward(plans[0]).headers['x-outlay-policy-version']).toBe('3')
  })

  it("a first policy published as a canary: its share of runs on the policy's model, every other call on the model it asked for", async () => {
    const id = await publishPolicy({ workflow_id: 'support', step: 'triage', candidates: [mini], canary: { share_pct: 25, stable_by: 'run_id' } })
    const n = 2000
    const plans = await Promise.all(Array.from({ length: n }, (_, i) => planCall(gwCall({ attribution: { step: 'triage', runId: `first-${i}` } }))))
    const onCanary = plans.filter((p) => forward(p).attempts[0].model === 'gpt-4o-mini')
    // 25% of 2,000 = 500, σ = √(2000 × 0.25 × 0.75) ≈ 19.4: five σ either side
    expect(Math.abs(onCanary.length - 500)).toBeLessThan(5 * 19.4)
    for (const p of onCanary) expect(forward(p).headers).toMatchObject({ 'x-outlay-policy-id': id, 'x-outlay-policy-version': '1' })
    // the rest: exactly what the caller asked for, with no policy version (nothing re-routed)
    const rest = plans.filter((p) => forward(p).attempts[0].model !== 'gpt-4o-mini')
    for (const p of rest) {
      expect(forward(p).attempts).toEqual([{ model: 'gpt-3.5-turbo', maxTokens: null, outcomeIfSucceeds: 'success' }])
      expect(forward(p).headers['x-outlay-policy-version']).toBeUndefined()
    }
    expect(forward(await planCall(gwCall({ attribution: { step: 'triage' } }))).attempts[0].model).toBe('gpt-3.5-turbo') // no run_id
  })

  it("carries the cascade rule; shouldEscalate moves one model up when the answer's JSON confidence is below the threshold", async () => {
    await publishPolicy({
      workflow_id: 'support',
      step: 'answer',
      candidates: [mini, big],
      cascade: { models: [mini, big], confidence_threshold: 0.7, confidence_from: 'json_field', confidence_field: 'confidence' },
    })
    const p = forward(await planCall(gwCall({ attribution: { step: 'answer' } })))
    expect(p.attempts[0].model).toBe('gpt-4o-mini')
    expect(p.cascade).toMatchObject({ threshold: 0.7, from: 'json_field', field: 'confidence' })
    const answer = (confidence: number) => ({ choices: [{ message: { role: 'assistant', content: JSON.stringify({ label: 'billing', confidence }) } }] })
    expect(shouldEscalate(p, answer(0.4))).toEqual({ model: 'gpt-4o', provider: 'openai', maxTokens: null, outcomeIfSucceeds: 'escalation' })
    expect(shouldEscalate(p, answer(0.9))).toBeNull()
    expect(shouldEscalate(p, answer(0.1), 'gpt-4o')).toBeNull() // the top of the ladder
  })
})

describe('budgets act', () => {
  it('denies the calls of an exceeded hard-cutoff budget, with its id and Retry-After; warns below it', async () => {
    const deny = await createBudget(orgId, { ...budget, name: 'deny wf', workflow_id: 'denywf', amount_usd: '0.01', hard_cutoff: true, cutoff_action: 'deny' })
    const warn = await createBudget(orgId, { ...budget, name: 'warn wf', workflow_id: 'warnwf', amount_usd: '0.01' })
    await ingest([...calls(3, 'denywf'), ...calls(1, 'warnwf', { tokens_out: 100 })]) // $0.0135 and $0.0035 (35%)
    await ingest(calls(1, 'warnwf', { tokens_in: 600, tokens_out: 100 })) // + $0.0025: $0.006, 60%
    await evaluateBudgets()
    const p = await planCall(gwCall({ attribution: { workflowId: 'denywf' } }))
    expect(p.kind).toBe('deny')
    if (p.kind !== 'deny') return
    expect(p.status).toBe(429)
    expect(p.message).toMatch(/budget "deny wf" is exceeded/)
    const endOfDay = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime() + 86_400_000
    expect(p.headers['x-outlay-budget-id']).toBe(deny.id)
    expect(Number(p.headers['Retry-After'])).toBeGreaterThan(0)
    expect(Number(p.headers['Retry-After'])).toBeLessThanOrEqual(Math.ceil((endOfDay - Date.now()) / 1000) + 1)
    const w = forward(await planCall(gwCall({ attribution: { workflowId: 'warnwf' } })))
    expect(w.headers).toMatchObject({ 'x-outlay-budget-state': 'warning', 'x-outlay-budget-id': warn.id })
    expect(forward(await planCall(gwCall({ attribution: { workflowId: 'otherwf' } }))).headers['x-outlay-budget-state']).toBeUndefined()
  })

  it('denies on the ledger before an evaluation has seen the spend: reserve, settle, refuse once used up', async () => {
    const b = await createBudget(orgId, {
      ...budget,
      name: 'ledger wf',
      workflow_id: 'ledgerwf',
      amount_usd: '0.002',
      hard_cutoff: true,
      cutoff_action: 'deny',
    })
    await evaluateBudgets() // publishes the ledgered budget; nothing spent yet
    const c = gwCall({ requestedModel: 'gpt-4o-mini', maxTokens: 1000, attribution: { workflowId: 'ledgerwf' } })
    const settled: bigint[] = []
    for (let i = 0; i < 10; i++) {
      const p = await planCall(c)
      if (p.kind === 'deny') {
        expect(p.headers['x-outlay-budget-id']).toBe(b.id)
        break
      }
      await forward(p).settle!(700n)
      settled.push(700n)
    }
    expect(settled).toHaveLength(3) // 0, 700, 1400 < 2000: admitted; 2100: refused
    await flushLeases(true) // the settled spend moves from this process's lease into the ledger
    expect(await ledgerUsage(b.id, { period: 'day', rolling_days: null }, new Date())).toEqual({ spent: 2100n, held: 0n })
  })

  it("50 concurrent calls against a budget with little room overshoot it by at most one call's maximum", async () => {
    const b = await createBudget(orgId, { ...budget, name: 'concurrent', workflow_id: 'conc', amount_usd: '0.01', hard_cutoff: true, cutoff_action: 'deny' })
    await evaluateBudgets()
    // gpt-4o-mini, 1,000 input tokens (4,000 bytes) and max_tokens 1,000: $0.00015 + $0.0006 = 750 micro-dollars at most
    const maxCost: bigint = 750n
    const c = gwCall({ requestedModel: 'gpt-4o-mini', maxTokens: 1000, attribution: { workflowId: 'conc' } })
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const p = await planCall(c)
        if (p.kind !== 'forward') return 0n
        await new Promise((r) => setTimeout(r, (i * 7) % 40)) // upstream takes a while; settles interleave with new reservations
        await p.settle!(maxCost) // the worst case: every call costs its maximum
        return maxCost
      }),
    )
    const spent = outcomes.reduce((a, x) => a + x, 0n)
    const admitted = outcomes.filter((x) => x > 0n).length
    expect(admitted).toBeGreaterThan(0)
    expect(admitted).toBeLessThan(50)
    expect(spent).toBeGreaterThanOrEqual(10_000n)
    expect(spent - 10_000n).toBeLessThanOrEqual(maxCost)
    await flushLeases(true) // the settled spend moves from this process's lease into the ledger
    expect(await ledgerUsage(b.id, { period: 'day', rolling_days: null }, new Date())).toEqual({ spent, held: 0n })
  })

  it('re-bases the ledger on the measured spend at each evaluation, never counting a call twice', async () => {
    const b = await createBudget(orgId, { ...budget, name: 'rebase', workflow_id: 'rebase', amount_usd: '1', hard_cutoff: true, cutoff_action: 'deny' })
    await evaluateBudgets()
    const p = forward(await planCall(gwCall({ attribution: { workflowId: 'rebase' } })))
    await p.settle!(4500n)
    await p.settle!(4500n) // settles once
    await flushLeases(true) // the settled spend moves from this process's lease into the ledger
    expect((await ledgerUsage(b.id, { period: 'day', rolling_days: null }, new Date())).spent).toBe(4500n)
    await ingest(calls(2, 'rebase')) // the same call measured, and one that did not go through the gateway: $0.009
    await evaluateBudgets()
    await flushLeases(true) // the settled spend moves from this process's lease into the ledger
    expect((await ledgerUsage(b.id, { period: 'day', rolling_days: null }, new Date())).spent).toBe(9000n)
  })

  it('stops a run past its fixed cap; other runs go on', async () => {
    const b = await createBudget(orgId, { ...budget, name: 'agent runs', workflow_id: 'agent', amount_usd: '100', run_cap_usd: '0.01' })
    await evaluateBudgets()
    const run = (runId: string) => gwCall({ requestedModel: 'gpt-4o-mini', maxTokens: 1000, attribution: { workflowId: 'agent', runId } })
    let n = 0
    for (; n < 10; n++) {
      const p = await planCall(run('loop-1'))
      if (p.kind === 'deny') {
        expect(p.headers['x-outlay-budget-id']).toBe(b.id)
        expect(p.message).toMatch(/run "loop-1" has spent \$0\.0120, past its cap of \$0\.0100/)
        break
      }
      await forward(p).settle!(4000n)
    }
    expect(n).toBe(3) // 0, 4000, 8000 < 10000; 12000 stops
    expect(await runUsage(orgId, 'loop-1')).toEqual({ spent: 12_000n, held: 0n })
    expect((await planCall(run('loop-2'))).kind).toBe('forward')
    expect((await planCall(gwCall({ attribution: { workflowId: 'agent' } }))).kind).toBe('forward') // no run id: no run cap
  })

  it("caps a run at a multiple of its workflow's p95 cost per run", async () => {
    // 20 past runs of $0.0045 × 1 … 20 calls
    await ingest(Array.from({ length: 20 }, (_, r) => calls(r + 1, 'agent2', { run_id: `past-${r}` })).flat())
    const [sql] = (
      await ownerPool().query<{ p95: string }>(
        `SELECT round(percentile_cont(0.95) WITHIN GROUP (ORDER BY c) * 1000000)::bigint::text AS p95 FROM (SELECT run_id, sum(cost_usd) c FROM inference_events WHERE org_id = $1 AND workflow_id = 'agent2' GROUP BY run_id) r`,
        [orgId],
      )
    ).rows
    await createBudget(orgId, { ...budget, name: 'agent2 runs', workflow_id: 'agent2', amount_usd: '100', run_cap_p95_multiple: 2 })
    await evaluateBudgets()
    const cfg = await ledgerConfig(orgId)
    expect(cfg.run_p95_micros.agent2).toBe(sql.p95)
    const cap = 2n * BigInt(sql.p95)
    const c = gwCall({ requestedModel: 'gpt-4o-mini', maxTokens: 1000, attribution: { workflowId: 'agent2', runId: 'looping' } })
    let spent = 0n
    for (let i = 0; i < 100; i++) {
      const p = await planCall(c)
      if (p.kind === 'deny') break
      await forward(p).settle!(10_000n)
      spent += 10_000n
    }
    expect(spent).toBeGreaterThanOrEqual(cap)
    expect(spent - cap).toBeLessThanOrEqual(10_000n)
  })

  it('browns out: past the threshold the step falls to its cheapest clearing model and stops escalating', async () => {
    // v1 on gpt-4o; v2 a canary (10% of runs) on gpt-4o-mini, with a cascade from mini up to gpt-4o on the answer's logprob
    const id = await publishPolicy({ workflow_id: 'brownout', step: 'classify', candidates: [big] })
    await editDraft(
      orgId,
      id,
      {
        candidates: [big, mini],
        canary: { share_pct: 10, stable_by: 'run_id' },
        cascade: { models: [mini, big], confidence_threshold: 0.5, confidence_from: 'first_token_logprob' },
      },
      'test',
    )
    await publishDraft(orgId, id, 'mini canary', 'test')
    const b = await createBudget(orgId, {
      ...budget,
      name: 'brownout wf',
      workflow_id: 'brownout',
      amount_usd: '0.02',
      thresholds: [90, 100],
      brownout_pct: 50,
    })
    await evaluateBudgets() // spent so far: the 3 profile calls, $0.0135 = 67.5% of $0.02: past the brown-out threshold
    const runs = await Promise.all(Array.from({ length: 40 }, (_, i) => planCall(gwCall({ attribution: { workflowId: 'brownout', runId: `b-${i}` } }))))
    for (const p of runs) {
      expect(forward(p).attempts[0].model).toBe('gpt-4o-mini')
      expect(forward(p).headers['x-outlay-brownout']).toBe(b.id)
      expect(forward(p).cascade).toBeUndefined()
      await forward(p).settle!(0n)
    }
  })

  it('no brown-out below the threshold: the stable side keeps its model and the canary its cascade', async () => {
    await ingest(calls(3, 'calm')) // the step's token profile: candidates priced
    const id = await publishPolicy({ workflow_id: 'calm', step: 'classify', candidates: [big] })
    await editDraft(
      orgId,
      id,
      {
        candidates: [big, mini],
        canary: { share_pct: 50, stable_by: 'run_id' },
        cascade: { models: [mini, big], confidence_threshold: 0.5, confidence_from: 'first_token_logprob' },
      },
      'test',
    )
    await publishDraft(orgId, id, 'mini canary', 'test')
    await createBudget(orgId, { ...budget, name: 'calm wf', workflow_id: 'calm', amount_usd: '1', brownout_pct: 50 })
    await evaluateBudgets()
    const plans = await Promise.all(Array.from({ length: 40 }, (_, i) => planCall(gwCall({ attribution: { workflowId: 'calm', runId: `c-${i}` } }))))
    const models = new Set(plans.map((p) => forward(p).attempts[0].model))
    expect(models).toEqual(new Set(['gpt-4o', 'gpt-4o-mini']))
    const canary = plans.map(forward).find((p) => p.attempts[0].model === 'gpt-4o-mini')!
    expect(canary.cascade?.from).toBe('first_token_logprob')
    const lowFirstToken = { choices: [{ message: { content: 'billing' }, logprobs: { content: [{ token: 'bill', logprob: Math.log(0.3) }] } }] }
    expect(shouldEscalate(canary, lowFirstToken)?.model).toBe('gpt-4o')
    for (const p of plans) await forward(p).settle!(0n)
  })
})

describe('from memory, without a promise (planCallNow, the hot path)', () => {
  const withoutSettle = (p: TCallPlan) => (p.kind === 'forward' ? { ...p, settle: typeof p.settle } : p)

  it('makes the plan planCall makes: policy, canary, cascade, budget headers, and a denying budget', async () => {
    // the 'calm' step (a 50% canary with a cascade, a brown-out budget below its threshold) and the exceeded 'denywf'
    for (let i = 0; i < 40; i++) {
      const c = gwCall({ attribution: { workflowId: 'calm', runId: `c-${i}` } })
      const slow = await planCall(c) // also refreshes the copies in memory planCallNow reads
      const now = planCallNow(c)
      expect(now, `run c-${i}`).toBeDefined()
      expect(withoutSettle(now!)).toEqual(withoutSettle(slow))
      await forward(slow).settle!(0n)
      await forward(now!).settle!(0n)
    }
    const deny = gwCall({ attribution: { workflowId: 'denywf' } })
    expect(planCallNow(deny) ?? 'not from memory').toEqual(await planCall(deny))
  })

  it('enforces the ledger as planCall does: reserve on the lease, settle, refuse once used up', async () => {
    const b = await createBudget(orgId, {
      ...budget,
      name: 'ledger now',
      workflow_id: 'ledgernow',
      amount_usd: '0.002',
      hard_cutoff: true,
      cutoff_action: 'deny',
    })
    await evaluateBudgets()
    const c = gwCall({ requestedModel: 'gpt-4o-mini', maxTokens: 1000, attribution: { workflowId: 'ledgernow' } })
    await planCall(gwCall({ attribution: { workflowId: 'elsewhere' } })) // fresh copies in memory
    let fromMemory = 0
    let admitted = 0
    for (let i = 0; i < 10; i++) {
      const now = planCallNow(c)
      if (now) fromMemory++
      const p = now ?? (await planCall(c))
      if (p.kind === 'deny') {
        expect(p.headers['x-outlay-budget-id']).toBe(b.id)
        break
      }
      await forward(p).settle!(700n)
      admitted++
    }
    expect(admitted).toBe(3) // 0, 700, 1400 < 2000: admitted; 2100: refused — as planCall alone
    expect(fromMemory).toBeGreaterThan(0) // the lease had room for at least one without a round trip
    await flushLeases(true)
    expect(await ledgerUsage(b.id, { period: 'day', rolling_days: null }, new Date())).toEqual({ spent: 2100n, held: 0n })
  })

  it('leaves to planCall what needs Redis: a cacheable call, a capped run', async () => {
    await planCall(gwCall({ attribution: { workflowId: 'elsewhere' } })) // fresh copies in memory
    expect(planCallNow(gwCall({ attribution: { workflowId: 'elsewhere' } }))?.kind).toBe('forward')
    expect(planCallNow(gwCall({ attribution: { workflowId: 'elsewhere' }, header: { 'x-outlay-cache': 'on' } }))).toBeUndefined()
    expect(planCallNow(gwCall({ attribution: { workflowId: 'agent', runId: 'loop-9' } }))).toBeUndefined()
  })
})

describe('response cache', () => {
  it('answers a repeated input from the cache with the original cost as savings, never for a stream, and forgets it after its TTL', async () => {
    const c = gwCall({ inputHash: 'h-cache-1', attribution: { workflowId: 'cachewf' }, header: { 'x-outlay-cache': 'on', 'x-outlay-cache-ttl': '1' } })
    const first = forward(await planCall(c))
    expect(first.cacheTtlS).toBe(1)
    expect(first.headers['x-outlay-cache']).toBe('miss')
    const body = { id: 'chatcmpl-1', choices: [{ message: { role: 'assistant', content: 'hello' } }] }
    await storeCached(orgId, 'h-cache-1', first.cacheTtlS!, body, 1234n)
    const hit = await planCall(c)
    expect(hit).toEqual({ kind: 'cached', body, savingsMicros: 1234n, headers: { 'x-outlay-cache': 'hit' } })
    // a stream neither reads nor stores
    const stream = forward(await planCall({ ...c, stream: true }))
    expect(stream.cacheTtlS).toBeNull()
    // another input, or the same input for another model: a miss
    expect((await planCall({ ...c, inputHash: 'h-cache-2' })).kind).toBe('forward')
    expect((await planCall({ ...c, requestedModel: 'gpt-4o' })).kind).toBe('forward')
    await new Promise((r) => setTimeout(r, 2100))
    expect((await planCall(c)).kind).toBe('forward')
  })

  it("caches per step from the policy's cache_ttl_s; x-outlay-cache: off opts a request out", async () => {
    await publishPolicy({ workflow_id: 'cachewf', step: 'faq', candidates: [mini], cache_ttl_s: 600 })
    const c = gwCall({ inputHash: 'h-faq', attribution: { workflowId: 'cachewf', step: 'faq' } })
    const first = forward(await planCall(c))
    expect(first.cacheTtlS).toBe(600)
    await storeCached(orgId, 'h-faq', 600, { answer: 42 }, 900n)
    expect(await planCall(c)).toMatchObject({ kind: 'cached', body: { answer: 42 }, savingsMicros: 900n })
    const off = await planCall({ ...c, headers: new Headers({ 'x-outlay-cache': 'off' }) })
    expect(forward(off).cacheTtlS).toBeNull()
  })
})
