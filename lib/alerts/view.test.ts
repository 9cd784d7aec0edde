import { describe, expect, it } from 'vitest'
import { alertPath, alertStatus } from './view'

describe('alertPath', () => {
  it('links each alert to the page that explains it', () => {
    expect(alertPath('acme', { kind: 'budget', details: {}, period_start: '2026-11-25T00:00:00.000Z' })).toBe('/acme/budgets')
    expect(alertPath('acme', { kind: 'budget', details: { budget_id: 'b-1' }, period_start: '2026-11-25T00:00:00.000Z' })).toBe('/acme/budgets/b-1')
    expect(alertPath('acme', { kind: 'tokens_per_call_growth', details: { workflow_id: 'support agent' }, period_start: '2026-11-23T00:00:00.000Z' })).toBe('/acme/workflows/support%20agent')
    expect(alertPath('acme', { kind: 'cost_per_outcome_drift', details: { workflow_id: 'w' }, period_start: '2026-11-23T00:00:00.000Z' })).toBe('/acme/workflows/w')
    expect(alertPath('acme', { kind: 'unpriced_model', details: {}, period_start: '1970-01-01T00:00:00.000Z' })).toBe('/acme/pricing')
    expect(alertPath('acme', { kind: 'spend_anomaly', details: {}, period_start: '2026-11-25T17:00:00.000Z' }))
      .toBe('/acme/changes?a_from=2026-11-18&a_to=2026-11-18&b_from=2026-11-25&b_to=2026-11-25')
  })
})

describe('alertStatus', () => {
  const a = { acknowledged_at: null, resolved_at: null, muted: false, muted_until: null }
  it('resolved, then muted, then acknowledged, else open', () => {
    expect(alertStatus(a)).toBe('open')
    expect(alertStatus({ ...a, acknowledged_at: 'x' })).toBe('acknowledged')
    expect(alertStatus({ ...a, acknowledged_at: 'x', muted_until: 'y' })).toBe('muted')
    expect(alertStatus({ ...a, muted: true, resolved_at: 'z' })).toBe('resolved')
  })
})
