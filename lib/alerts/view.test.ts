import { describe, expect, it } from 'vitest'
import { alertPath, alertStatus } from './view'
import { SETTINGS_FIELDS, settingsForm, settingsPatch, settingText } from './settings-view'

describe('alertPath', () => {
  it('links each alert to the page that explains it', () => {
    expect(alertPath('acme', { kind: 'budget', details: {}, period_start: '2026-11-25T00:00:00.000Z' })).toBe('/acme/budgets')
    expect(alertPath('acme', { kind: 'budget', details: { budget_id: 'b-1' }, period_start: '2026-11-25T00:00:00.000Z' })).toBe('/acme/budgets/b-1')
    expect(alertPath('acme', { kind: 'tokens_per_call_growth', details: { workflow_id: 'support agent' }, period_start: '2026-11-23T00:00:00.000Z' })).toBe(
      '/acme/workflows/support%20agent',
    )
    expect(alertPath('acme', { kind: 'cost_per_outcome_drift', details: { workflow_id: 'w' }, period_start: '2026-11-23T00:00:00.000Z' })).toBe(
      '/acme/workflows/w',
    )
    expect(alertPath('acme', { kind: 'unpriced_model', details: {}, period_start: '1970-01-01T00:00:00.000Z' })).toBe('/acme/pricing')
    expect(alertPath('acme', { kind: 'spend_anomaly', details: {}, period_start: '2026-11-25T17:00:00.000Z' })).toBe(
      '/acme/changes?a_from=2026-11-18&a_to=2026-11-18&b_from=2026-11-25&b_to=2026-11-25',
    )
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

describe('drift settings form', () => {
  const cfg = {
    cost_per_outcome_margin: 0.25,
    min_outcomes: 5,
    tokens_per_call_margin: 0.07,
    min_calls: 10,
    anomaly_z: 3.5,
    anomaly_min_usd: '1',
    anomaly_min_weeks: 3,
    calls_per_run_margin: 0.5,
    min_runs: 10,
    cache_hit_rate_drop: 0.3,
    revenue_share_max: 0.35,
    revenue_share_by_account: { acme: 0.1 },
  }
  it('shows margins in percent without float noise, and values with their units', () => {
    expect(settingsForm(cfg)).toEqual({
      cost_per_outcome_margin: '25',
      min_outcomes: '5',
      tokens_per_call_margin: '7',
      min_calls: '10',
      anomaly_z: '3.5',
      anomaly_min_usd: '1',
      anomaly_min_weeks: '3',
      calls_per_run_margin: '50',
      min_runs: '10',
      cache_hit_rate_drop: '30',
      revenue_share_max: '35',
    })
    const text = Object.fromEntries(SETTINGS_FIELDS.map((f) => [f.key, settingText(f, cfg)]))
    expect(text).toEqual({
      cost_per_outcome_margin: '25%',
      min_outcomes: '5 outcomes',
      tokens_per_call_margin: '7%',
      min_calls: '10 calls',
      anomaly_z: '3.5',
      anomaly_min_usd: '$1.00',
      anomaly_min_weeks: '3 weeks',
      calls_per_run_margin: '50%',
      min_runs: '10 runs',
      cache_hit_rate_drop: '30%',
      revenue_share_max: '35%',
    })
  })
  it('sends fractions for percents, numbers for counts, and text the server will name as wrong', () => {
    expect(settingsPatch({ ...settingsForm(cfg), cost_per_outcome_margin: '33.3', min_calls: ' 12 ', anomaly_min_usd: '2.50' })).toEqual({
      cost_per_outcome_margin: 0.333,
      min_outcomes: 5,
      tokens_per_call_margin: 0.07,
      min_calls: 12,
      anomaly_z: 3.5,
      anomaly_min_usd: '2.50',
      anomaly_min_weeks: 3,
      calls_per_run_margin: 0.5,
      min_runs: 10,
      cache_hit_rate_drop: 0.3,
      revenue_share_max: 0.35,
    })
    const bad = settingsPatch({ ...settingsForm(cfg), min_outcomes: '', anomaly_z: 'high' })
    expect(bad.min_outcomes).toBe('')
    expect(bad.anomaly_z).toBe('high')
  })
})
