import { describe, expect, it } from 'vitest'
import { covers, denyRetryAfter, gatesOf, ROLLING_RETRY_S, verdictOf, type TBudgetGate, type TCallScope } from '@/lib/budgets/enforce'
import type { TBudgetView } from '@/lib/budgets'
import { ZBudgetCreate } from '@/lib/budgets/schema'

const gate = (over: Partial<TBudgetGate> = {}): TBudgetGate => ({
  id: 'g',
  name: 'G',
  environment: null,
  workflow_id: null,
  account_id: null,
  feature: null,
  traffic_sources: ['production'],
  state: 'exceeded',
  hard_cutoff: true,
  cutoff_action: 'throttle',
  throttle_per_minute: 2,
  until: '2026-11-03T00:00:00.000Z',
  ...over,
})
const call: TCallScope = { environment: 'production', workflow_id: 'support', account_id: 'acme', feature: 'chat', traffic_source: 'production' }
const now = new Date('2026-11-02T13:00:10Z')
const never = async () => false
const always = async () => true

describe('covers', () => {
  it('matches every dimension the budget names and ignores the rest', () => {
    expect(covers(gate(), call, now)).toBe(true)
    expect(covers(gate({ workflow_id: 'support', account_id: 'acme', environment: 'production', feature: 'chat' }), call, now)).toBe(true)
    expect(covers(gate({ workflow_id: 'search' }), call, now)).toBe(false)
    expect(covers(gate({ account_id: 'globex' }), call, now)).toBe(false)
    expect(covers(gate({ account_id: 'acme' }), { ...call, account_id: null }, now)).toBe(false)
    expect(covers(gate({ environment: 'staging' }), call, now)).toBe(false)
    expect(covers(gate({ feature: 'search' }), call, now)).toBe(false)
  })
  it('counts only the traffic sources the budget counts', () => {
    expect(covers(gate(), { ...call, traffic_source: 'eval' }, now)).toBe(false)
    expect(covers(gate({ traffic_sources: ['production', 'eval'] }), { ...call, traffic_source: 'eval' }, now)).toBe(true)
  })
  it('lapses at the end of its period: the next period starts clean', () => {
    expect(covers(gate(), call, new Date('2026-11-02T23:59:59.999Z'))).toBe(true)
    expect(covers(gate(), call, new Date('2026-11-03T00:00:00Z'))).toBe(false)
    expect(covers(gate({ until: null }), call, new Date('2030-01-01T00:00:00Z'))).toBe(true)
  })
})

describe('verdictOf', () => {
  it('allows with state ok when no budget covers the call', async () => {
    expect(await verdictOf([gate({ workflow_id: 'search' })], call, now, always)).toEqual({ state: 'ok', action: 'allow' })
  })
  it('warns without acting on a budget at warning, or exceeded without a hard cutoff', async () => {
    expect(await verdictOf([gate({ state: 'warning' })], call, now, always)).toEqual({ state: 'warning', action: 'allow', budget_id: 'g', budget_name: 'G' })
    expect(await verdictOf([gate({ hard_cutoff: false })], call, now, always)).toMatchObject({ state: 'exceeded', action: 'allow' })
  })
  it('throttles a hard cutoff over its per-minute allowance until the next minute', async () => {
    expect(await verdictOf([gate()], call, now, never)).toMatchObject({ state: 'exceeded', action: 'allow' })
    expect(await verdictOf([gate()], call, now, always)).toEqual({ state: 'exceeded', action: 'throttle', retry_after_s: 50, budget_id: 'g', budget_name: 'G' })
  })
  it('denies on a denying hard cutoff until its period ends, before any throttle is counted', async () => {
    let counted = 0
    const v = await verdictOf([gate({ id: 't' }), gate({ id: 'd', cutoff_action: 'deny' })], call, now, async () => (counted++, true))
    expect(v).toEqual({ state: 'exceeded', action: 'deny', retry_after_s: 11 * 3600 - 10, budget_id: 'd', budget_name: 'G' })
    expect(counted).toBe(0)
  })
  it('takes the worst state among the covering budgets', async () => {
    expect(await verdictOf([gate({ id: 'w', state: 'warning' }), gate({ id: 'x', hard_cutoff: false })], call, now, never)).toMatchObject({
      state: 'exceeded',
      budget_id: 'x',
    })
  })
})

describe('denyRetryAfter', () => {
  it('is the time to the end of the period, or a minute for rolling windows', () => {
    expect(denyRetryAfter(gate({ until: '2026-11-02T13:00:10.500Z' }), now)).toBe(1)
    expect(denyRetryAfter(gate({ until: null }), now)).toBe(ROLLING_RETRY_S)
  })
})

describe('gatesOf', () => {
  const view = (state: string, over: Partial<TBudgetView> = {}) =>
    ({
      id: state,
      name: state,
      environment: null,
      workflow_id: 'support',
      account_id: null,
      feature: null,
      traffic_sources: ['production'],
      period: 'day',
      rolling_days: null,
      metric: 'spend',
      amount_usd: '1',
      thresholds: [50, 100],
      hard_cutoff: true,
      cutoff_action: 'deny',
      throttle_per_minute: 60,
      owner: null,
      created_at: '',
      updated_at: '',
      status: {
        window: { from: '2026-11-02T00:00:00.000Z', to: now.toISOString(), end: '2026-11-03T00:00:00.000Z' },
        actual_usd: '1',
        used_ratio: 1,
        threshold_crossed: 100,
        state,
        projected_usd: null,
        projected_over: false,
      },
      ...over,
    }) as TBudgetView
  it('keeps only budgets at warning or exceeded, with the period end as their lapse', () => {
    const gates = gatesOf([view('ok'), view('no_data'), view('warning'), view('exceeded')])
    expect(gates.map((g) => g.state)).toEqual(['warning', 'exceeded'])
    expect(gates[1]).toMatchObject({ hard_cutoff: true, cutoff_action: 'deny', until: '2026-11-03T00:00:00.000Z', workflow_id: 'support' })
    expect(gatesOf([view('exceeded', { period: 'rolling', rolling_days: 7 })])[0].until).toBeNull()
  })
  it('never cuts off on a per-run or per-outcome budget', () => {
    expect(gatesOf([view('exceeded', { metric: 'cost_per_run' })])[0].hard_cutoff).toBe(false)
  })
})

describe('budget schema', () => {
  const base = { name: 'b', period: 'day', metric: 'spend', amount_usd: '1' }
  it('defaults to throttling 60 calls a minute', () => {
    expect(ZBudgetCreate.parse({ ...base, hard_cutoff: true })).toMatchObject({ cutoff_action: 'throttle', throttle_per_minute: 60 })
  })
  it('refuses a hard cutoff on a cost per run, and bad cutoff fields, by field', () => {
    const r = ZBudgetCreate.safeParse({ ...base, metric: 'cost_per_run', hard_cutoff: true, cutoff_action: 'stop', throttle_per_minute: 0 })
    expect(r.success).toBe(false)
    const paths = r.error!.issues.map((i) => i.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['cutoff_action', 'throttle_per_minute']))
    const r2 = ZBudgetCreate.safeParse({ ...base, metric: 'cost_per_run', hard_cutoff: true })
    expect(r2.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['hard_cutoff', expect.stringContaining('only to spend budgets')]])
  })
})
