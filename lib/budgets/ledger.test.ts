import { describe, expect, it } from 'vitest'
import { ledgerBudgets, ledgerCovers, runCapFor, secondsToWindowEnd, windowKey, type TLedgerBudget } from '@/lib/budgets/ledger'
import type { TBudgetView } from '@/lib/budgets'

// Which budgets the gateway keeps a ledger for, their windows, and the run cap, on hand-made budgets.

const view = (over: Partial<TBudgetView> = {}): TBudgetView => ({
  id: 'b1',
  name: 'b',
  environment: null,
  workflow_id: null,
  account_id: null,
  feature: null,
  traffic_sources: ['production'],
  period: 'day',
  rolling_days: null,
  metric: 'spend',
  amount_usd: '2.5',
  thresholds: [50, 80, 100],
  hard_cutoff: false,
  cutoff_action: 'deny',
  throttle_per_minute: 60,
  owner: null,
  channel_ids: [],
  run_cap_usd: null,
  run_cap_p95_multiple: null,
  brownout_pct: null,
  created_at: '',
  updated_at: '',
  status: {
    window: { from: '', to: '', end: '' },
    actual_usd: '0',
    used_ratio: 0,
    threshold_crossed: null,
    state: 'ok',
    projected_usd: null,
    projected_over: false,
  },
  ...over,
})

describe('ledgered budgets', () => {
  it('spend budgets with a hard cutoff or a brown-out, and any budget with a run cap', () => {
    const out = ledgerBudgets([
      view({ id: 'plain' }),
      view({ id: 'hard', hard_cutoff: true }),
      view({ id: 'brown', brownout_pct: 60 }),
      view({ id: 'per-run-metric', metric: 'cost_per_run', hard_cutoff: true }),
      view({ id: 'runcap', metric: 'cost_per_run', run_cap_usd: '0.5' }),
    ])
    expect(out.map((b) => b.id)).toEqual(['hard', 'brown', 'runcap'])
    expect(out[0]).toMatchObject({ amount_micros: '2500000', warn_pct: 50, hard_cutoff: true })
    expect(out[2]).toMatchObject({ hard_cutoff: false, brownout_pct: null, run_cap_micros: '500000' })
  })
  it('covers a call when every named dimension matches and its traffic source counts', () => {
    const b = ledgerBudgets([view({ hard_cutoff: true, workflow_id: 'support', environment: 'production' })])[0]
    const call = { environment: 'production', workflow_id: 'support', account_id: null, feature: null, traffic_source: 'production' }
    expect(ledgerCovers(b, call)).toBe(true)
    expect(ledgerCovers(b, { ...call, workflow_id: 'other' })).toBe(false)
    expect(ledgerCovers(b, { ...call, environment: 'staging' })).toBe(false)
    expect(ledgerCovers(b, { ...call, traffic_source: 'eval' })).toBe(false)
  })
})

describe('windows', () => {
  const now = new Date('2026-12-06T23:59:30Z')
  it('a key per day or month, one for a rolling window; seconds to the period end', () => {
    expect(windowKey({ period: 'day', rolling_days: null }, now)).toBe('d2026-12-06')
    expect(windowKey({ period: 'month', rolling_days: null }, now)).toBe('m2026-12')
    expect(windowKey({ period: 'rolling', rolling_days: 7 }, now)).toBe('rolling')
    expect(secondsToWindowEnd({ period: 'day', rolling_days: null }, now)).toBe(30)
    expect(secondsToWindowEnd({ period: 'rolling', rolling_days: 7 }, now)).toBeNull()
  })
})

describe('run cap', () => {
  const b = (over: Partial<TLedgerBudget>): TLedgerBudget => ({ ...ledgerBudgets([view({ hard_cutoff: true })])[0], ...over })
  it("the lowest of the fixed caps and the multiples of the workflow's p95", () => {
    const fixed = b({ id: 'fixed', run_cap_micros: '900000' })
    const multiple = b({ id: 'multiple', run_cap_p95_multiple: 2.5 })
    expect(runCapFor([fixed, multiple], 'wf', { wf: '200000' })).toEqual({ micros: 500_000n, budget: multiple })
    expect(runCapFor([fixed, multiple], 'wf', { wf: '400000' })).toEqual({ micros: 900_000n, budget: fixed })
    expect(runCapFor([multiple], 'unknown-wf', { wf: '1' })).toBeNull() // no p95 for the workflow yet: no cap
    expect(runCapFor([b({})], 'wf', {})).toBeNull()
  })
})
