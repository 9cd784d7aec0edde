import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg, pool } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { createBudget, listBudgetRules, listBudgets, measureBudget, type TBudgetInput } from '@/lib/budgets'
import { measureBudgets } from '@/lib/budgets/measure'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postOutcomes } from '@/app/api/v1/outcomes/route'

// Many budgets measured together give, budget by budget, the answer each one
// gets alone (queryMetrics over its scope and window), in a number of queries
// set by the scope shapes, not by the budgets. The data: 50 days of calls over
// 3 environments, 2 traffic sources, 4 workflows, 5 accounts, 3 features (some
// calls with none), runs and accepted outcomes, through the ingest API.

let orgId = ''
const START = Date.parse('2026-10-02T00:00:00Z')
const ENVS = ['production', 'staging', 'development']
const SOURCES = ['production', 'eval']
const WORKFLOWS = ['support', 'search', 'billing', 'triage']
const ACCOUNTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli']
const FEATURES = ['chat', 'summary', 'export', null]

/** A small deterministic generator, so a failure reproduces. */
function rng(seed: number) {
  let s = seed
  return (n: number) => {
    s = (s * 1103515245 + 12345) % 2147483648
    return (s >>> 12) % n // the low bits of this generator repeat quickly
  }
}

beforeAll(async () => {
  await useTestServices('budget-measure')
  orgId = (await createOrgWithAdmin({ org_name: 'Many Budgets Co', email: 'many-budgets@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  const key = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  const r = rng(7)
  const events: Record<string, unknown>[] = []
  const outcomes: Record<string, unknown>[] = []
  for (let i = 0; i < 2400; i++) {
    const t = new Date(START + r(50 * 24) * 3600_000 + r(3600) * 1000).toISOString()
    const feature = FEATURES[r(FEATURES.length)]
    events.push({
      id: `e${i}`,
      timestamp: t,
      environment: ENVS[r(3)],
      traffic_source: SOURCES[r(4) === 0 ? 1 : 0],
      workflow_id: WORKFLOWS[r(4)],
      step: ['draft', 'retrieve'][r(2)],
      account_id: ACCOUNTS[r(5)],
      ...(feature ? { feature } : {}),
      run_id: `run-${r(900)}`,
      provider: 'openai',
      model: ['gpt-4o', 'gpt-4o-mini'][r(2)],
      tokens_in: 1000 + r(50_000),
      tokens_out: 10 + r(3000),
    })
    if (r(3) === 0)
      outcomes.push({
        id: `o${i}`,
        timestamp: t,
        workflow_id: WORKFLOWS[r(4)],
        account_id: ACCOUNTS[r(5)],
        ...(feature ? { feature } : {}),
        accepted: r(4) !== 0,
      })
  }
  for (let i = 0; i < events.length; i += 1000) {
    expect((await postEvents(apiRequest('/api/v1/events', { key, body: { events: events.slice(i, i + 1000) } }))).status).toBe(202)
  }
  expect((await postOutcomes(apiRequest('/api/v1/outcomes', { key, body: { outcomes } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)

  // 96 budgets: every scope shape, every period (rolling windows of several lengths) and every metric.
  const base = {
    environment: null,
    workflow_id: null,
    account_id: null,
    feature: null,
    traffic_sources: ['production' as const],
    rolling_days: null,
    thresholds: [50, 80, 100],
    hard_cutoff: false,
    owner: null,
    amount_usd: '25',
  }
  const scopes: Partial<TBudgetInput>[] = [
    {},
    { environment: 'production' },
    { workflow_id: 'support' },
    { account_id: 'globex' },
    { feature: 'chat' },
    { environment: 'staging', workflow_id: 'search' },
    { workflow_id: 'billing', account_id: 'acme' },
    { environment: 'production', workflow_id: 'triage', account_id: 'hooli', feature: 'summary' },
  ]
  const periods = [
    { period: 'day' as const },
    { period: 'month' as const },
    { period: 'rolling' as const, rolling_days: 7 },
    { period: 'rolling' as const, rolling_days: 30 },
  ]
  const metrics = ['spend', 'cost_per_run', 'cost_per_accepted_outcome'] as const
  let n = 0
  for (const scope of scopes)
    for (const per of periods)
      for (const metric of metrics) {
        const b: TBudgetInput = {
          ...base,
          ...scope,
          ...per,
          metric,
          name: `b${n}`,
          amount_usd: ['0.05', '0.5', '5', '50'][n % 4],
          traffic_sources: n % 5 === 0 ? ['production', 'eval'] : ['production'],
        }
        await createBudget(orgId, b)
        n++
      }
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

/** Count the statements sent to PostgreSQL while `fn` runs. */
async function counting<T>(fn: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const spy = vi.spyOn(pool(), 'query')
  try {
    const result = await fn()
    return { result, queries: spy.mock.calls.length }
  } finally {
    spy.mockRestore()
  }
}

describe('measuring many budgets at once', () => {
  // mid-day at an odd minute, a midnight, the first hour of a month, and a time whose rolling windows start mid-day
  for (const now of ['2026-11-10T13:37:12.345Z', '2026-11-05T00:00:00.000Z', '2026-11-01T00:20:00.000Z', '2026-10-20T23:59:59.999Z']) {
    it(`gives every budget the answer it gets alone (${now})`, async () => {
      const at = new Date(now)
      const rules = await listBudgetRules(orgId)
      expect(rules).toHaveLength(96)
      const alone = await Promise.all(rules.map((b) => measureBudget(orgId, b, at)))
      const together = await measureBudgets(orgId, rules, at)
      expect(together.map((b) => [b.name, b.status])).toEqual(alone.map((b) => [b.name, b.status]))
      // the data is varied enough to mean something: spend in most budgets, every state
      const measured = together.filter((b) => b.status.actual_usd !== null && b.status.actual_usd !== '0.000000').length
      expect(measured).toBeGreaterThan(30)
      expect(new Set(together.map((b) => b.status.state))).toEqual(new Set(['ok', 'warning', 'exceeded', 'no_data']))
    })
  }

  it('in a number of queries bounded by the scope shapes, not by the number of budgets', async () => {
    const at = new Date('2026-11-10T13:37:12.345Z')
    const { result, queries } = await counting(() => listBudgets(orgId, at))
    expect(result).toHaveLength(96)
    // the rules, then per shape (8 here) one cost read and one accepted-outcomes read
    expect(queries).toBeLessThanOrEqual(1 + 8 * 2)
    const rules = await listBudgetRules(orgId)
    const few = rules.filter((b) => b.metric === 'spend' && b.period === 'day')
    expect(few).toHaveLength(8)
    // 8 budgets of 8 shapes, spend only: one read each; 96 budgets of the same 8 shapes: a cost and an outcomes read each
    expect((await counting(() => measureBudgets(orgId, few, at))).queries).toBe(8)
    expect((await counting(() => measureBudgets(orgId, rules, at))).queries).toBe(16)
    expect((await counting(() => measureBudgets(orgId, [...rules, ...rules, ...rules], at))).queries).toBe(16)
  })
})
