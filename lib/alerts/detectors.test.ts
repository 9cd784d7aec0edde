import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { alertPath } from '@/lib/alerts/view'
import {
  DEFAULT_DRIFT_CONFIG,
  detectCacheHitRateDrop,
  detectCallsPerRunGrowth,
  detectCostPerOutcomeDrift,
  detectRevenueShare,
  detectorWindows,
  detectAccountAnomalies,
  featureSloFindings,
  detectSpendAnomaly,
  detectTokenGrowth,
  detectUnpricedModels,
  driftDedupeKey,
  robustZ,
  weekStart,
} from './detectors'

const now = new Date('2026-11-25T18:30:00Z') // a Wednesday
const w = detectorWindows(now)

describe('detectorWindows', () => {
  it('end on the last complete hour and put the baselines right before the recent windows', () => {
    expect(w.end.toISOString()).toBe('2026-11-25T18:00:00.000Z')
    expect(w.outcome.recent.from.toISOString()).toBe('2026-11-18T18:00:00.000Z')
    expect(w.outcome.baseline).toEqual({ from: new Date('2026-10-21T18:00:00Z'), to: new Date('2026-11-18T18:00:00Z') })
    expect(w.tokens.recent.from.toISOString()).toBe('2026-11-24T18:00:00.000Z')
    expect(w.tokens.baseline.from.toISOString()).toBe('2026-10-27T18:00:00.000Z')
    expect(w.anomaly.hour.toISOString()).toBe('2026-11-25T17:00:00.000Z')
    expect(w.anomaly.previous.slice(0, 2).map((d) => d.toISOString())).toEqual(['2026-11-18T17:00:00.000Z', '2026-11-11T17:00:00.000Z'])
    expect(w.anomaly.previous).toHaveLength(8)
  })
  it('weeks start on Monday 00:00 UTC', () => {
    expect(weekStart(now).toISOString()).toBe('2026-11-23T00:00:00.000Z')
    expect(weekStart(new Date('2026-11-23T00:00:00Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z')
    expect(weekStart(new Date('2026-11-22T23:59:59Z')).toISOString()).toBe('2026-11-16T00:00:00.000Z')
  })
})

describe('cost per accepted outcome drift', () => {
  const row = {
    workflow_id: 'support-agent',
    recent_cost_usd: '13.000000000000',
    recent_accepted: 10,
    baseline_cost_usd: '40.000000000000',
    baseline_accepted: 40,
  }
  it('fires above baseline × (1 + margin) with the numbers in the alert', () => {
    const [f] = detectCostPerOutcomeDrift([row], w)
    expect(f).toMatchObject({
      kind: 'cost_per_outcome_drift',
      subject: 'support-agent',
      period_start: '2026-11-23T00:00:00.000Z',
      actual_usd: '1.300000',
      amount_usd: '1.000000',
    })
    expect(f.details).toMatchObject({ recent_usd_per_outcome: '1.300000', baseline_usd_per_outcome: '1.000000', change_ratio: 0.3, margin: 0.25 })
    expect(f.title).toContain('$1.30')
    expect(f.title).toContain('up 30%')
  })
  it('stays quiet at the margin exactly, below it, and without enough outcomes', () => {
    expect(detectCostPerOutcomeDrift([{ ...row, recent_cost_usd: '12.5' }], w)).toEqual([])
    expect(detectCostPerOutcomeDrift([{ ...row, recent_cost_usd: '9' }], w)).toEqual([])
    expect(detectCostPerOutcomeDrift([{ ...row, recent_accepted: 4, recent_cost_usd: '10' }], w)).toEqual([])
    expect(detectCostPerOutcomeDrift([{ ...row, baseline_cost_usd: '0' }], w)).toEqual([])
  })
  it('takes the margin from the configuration', () => {
    expect(detectCostPerOutcomeDrift([row], w, { ...DEFAULT_DRIFT_CONFIG, cost_per_outcome_margin: 0.5 })).toEqual([])
    expect(detectCostPerOutcomeDrift([{ ...row, recent_cost_usd: '10.5' }], w, { ...DEFAULT_DRIFT_CONFIG, cost_per_outcome_margin: 0 })).toHaveLength(1)
  })
})

describe('input tokens per call growth', () => {
  const row = {
    workflow_id: 'support-agent',
    step: 'generate',
    recent_calls: 20,
    recent_tokens_in: 20 * 3000,
    baseline_calls: 200,
    baseline_tokens_in: 200 * 1000,
  }
  it('fires when the prompt tripled, per workflow step', () => {
    const [f] = detectTokenGrowth([row], w)
    expect(f).toMatchObject({ kind: 'tokens_per_call_growth', subject: 'support-agent/generate', actual_usd: null })
    expect(f.details).toMatchObject({ recent_tokens_per_call: 3000, baseline_tokens_per_call: 1000, factor: 3 })
    expect(f.title).toBe('support-agent / generate: input tokens per call ×3.0 (1,000 → 3,000)')
  })
  it('stays quiet at 1.5× exactly, on little traffic, and for a step new in the window', () => {
    expect(detectTokenGrowth([{ ...row, recent_tokens_in: 20 * 1500 }], w)).toEqual([])
    expect(detectTokenGrowth([{ ...row, recent_calls: 9, recent_tokens_in: 9 * 3000 }], w)).toEqual([])
    expect(detectTokenGrowth([{ ...row, baseline_calls: 0, baseline_tokens_in: 0 }], w)).toEqual([])
  })
  it('never fires when tokens per call did not grow past the margin (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 10_000 }),
        fc.integer({ min: 10, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1.5, noNaN: true }),
        (rc, bc, perCall, growth) =>
          detectTokenGrowth(
            [
              {
                workflow_id: 'w',
                step: 's',
                recent_calls: rc,
                baseline_calls: bc,
                baseline_tokens_in: bc * perCall,
                recent_tokens_in: Math.floor(rc * perCall * growth),
              },
            ],
            w,
          ).length === 0,
      ),
    )
  })
})

describe('output tokens per call growth (the same rule on tokens_out)', () => {
  const row = {
    workflow_id: 'support-agent',
    step: 'generate',
    recent_calls: 20,
    recent_tokens_in: 20 * 1000,
    recent_tokens_out: 20 * 900,
    baseline_calls: 200,
    baseline_tokens_in: 200 * 1000,
    baseline_tokens_out: 200 * 300,
  }
  it('fires on output growth alone, named as output, and leaves the input detector quiet', () => {
    const [f] = detectTokenGrowth([row], w, DEFAULT_DRIFT_CONFIG, 'out')
    expect(f).toMatchObject({ kind: 'output_tokens_per_call_growth', subject: 'support-agent/generate' })
    expect(f.title).toBe('support-agent / generate: output tokens per call ×3.0 (300 → 900)')
    expect(f.details).toMatchObject({ recent: { calls: 20, tokens_out: 18_000 }, baseline: { calls: 200, tokens_out: 60_000 } })
    expect(detectTokenGrowth([row], w)).toEqual([])
  })
  it('stays quiet at the margin exactly and without output figures', () => {
    expect(detectTokenGrowth([{ ...row, recent_tokens_out: 20 * 450 }], w, DEFAULT_DRIFT_CONFIG, 'out')).toEqual([])
    expect(detectTokenGrowth([{ ...row, baseline_tokens_out: undefined }], w, DEFAULT_DRIFT_CONFIG, 'out')).toEqual([])
  })
})

describe('calls per run growth', () => {
  const row = { workflow_id: 'agent', recent_runs: 10, recent_calls: 80, baseline_runs: 100, baseline_calls: 300 }
  it('fires on eight turns instead of three', () => {
    const [f] = detectCallsPerRunGrowth([row], w)
    expect(f).toMatchObject({ kind: 'calls_per_run_growth', subject: 'agent', period_start: '2026-11-23T00:00:00.000Z' })
    expect(f.title).toBe('agent: 8.0 calls per run over the last 24 hours, ×2.7 its 4-week baseline of 3.0')
    expect(f.details).toMatchObject({ recent_calls_per_run: 8, baseline_calls_per_run: 3, recent: { runs: 10, calls: 80 } })
  })
  it('stays quiet at the margin exactly, with too few runs, and takes the margin from the configuration', () => {
    expect(detectCallsPerRunGrowth([{ ...row, recent_calls: 45 }], w)).toEqual([])
    expect(detectCallsPerRunGrowth([{ ...row, recent_runs: 9, recent_calls: 72 }], w)).toEqual([])
    expect(detectCallsPerRunGrowth([row], w, { ...DEFAULT_DRIFT_CONFIG, calls_per_run_margin: 2 })).toEqual([])
    expect(detectCallsPerRunGrowth([{ ...row, recent_runs: 9, recent_calls: 72 }], w, { ...DEFAULT_DRIFT_CONFIG, min_runs: 5 })).toHaveLength(1)
  })
})

describe('prompt-cache hit rate drop', () => {
  const row = {
    workflow_id: 'kb',
    step: 'answer',
    recent_calls: 50,
    recent_tokens_in: 100_000,
    recent_cached_tokens_in: 20_000,
    baseline_calls: 500,
    baseline_tokens_in: 1_000_000,
    baseline_cached_tokens_in: 600_000,
  }
  it('fires when the rate fell below (1 − drop) × baseline', () => {
    const [f] = detectCacheHitRateDrop([row], w)
    expect(f).toMatchObject({ kind: 'cache_hit_rate_drop', subject: 'kb/answer' })
    expect(f.title).toBe('kb / answer: prompt-cache hit rate 20% over the last 24 hours, down from 60% (4-week baseline)')
    expect(f.details).toMatchObject({ recent_cache_hit_rate: 0.2, baseline_cache_hit_rate: 0.6, drop: 0.3 })
  })
  it('stays quiet at the boundary, for a small baseline rate, on little traffic, and when the rate rose', () => {
    expect(detectCacheHitRateDrop([{ ...row, recent_cached_tokens_in: 42_000 }], w)).toEqual([]) // 42% = 0.7 × 60%
    expect(detectCacheHitRateDrop([{ ...row, recent_cached_tokens_in: 41_999 }], w)).toHaveLength(1)
    expect(detectCacheHitRateDrop([{ ...row, baseline_cached_tokens_in: 99_999, recent_cached_tokens_in: 0 }], w)).toEqual([])
    expect(detectCacheHitRateDrop([{ ...row, recent_calls: 9 }], w)).toEqual([])
    expect(detectCacheHitRateDrop([{ ...row, recent_cached_tokens_in: 90_000 }], w)).toEqual([])
  })
})

describe('feature cost SLO breach', () => {
  it('one finding per breached feature, weekly, with its figures in currency', () => {
    const [f] = featureSloFindings([{ feature: 'search', cost_per_action_usd: '0.018000', target_usd_per_action: '0.014', runs: 120 }], w)
    expect(f).toMatchObject({
      kind: 'feature_slo_breach',
      subject: 'search',
      actual_usd: '0.018000',
      amount_usd: '0.014',
      period_start: '2026-11-23T00:00:00.000Z',
    })
    expect(f.title).toContain('above its cost SLO')
    expect(f.details).toMatchObject({ runs: 120, from: '2026-11-18T18:00:00.000Z', to: '2026-11-25T18:00:00.000Z' })
  })
})

describe('unpriced models', () => {
  it('one finding per model with unpriced calls, keyed for ever (once per model)', () => {
    const f = detectUnpricedModels([
      { provider: 'acme', model: 'acme-9', unpriced_events: 3, first_hour: '2026-11-25T17:00:00.000Z', last_hour: '2026-11-25T18:00:00.000Z' },
      { provider: 'openai', model: 'gpt-4o', unpriced_events: 0, first_hour: '', last_hour: '' },
    ])
    expect(f.map((x) => [x.subject, x.title])).toEqual([['acme/acme-9', 'acme/acme-9 has no price: 3 calls not in spend']])
    expect(driftDedupeKey(f[0])).toBe('unpriced_model:acme/acme-9:1970-01-01T00:00:00.000Z')
  })
})

describe('robustZ', () => {
  it('is 0.6745·(x − median)/MAD', () => {
    const r = robustZ(20, [10, 11, 9, 10, 12, 8])
    expect(r.median).toBe(10)
    expect(r.mad).toBe(1)
    expect(r.z).toBeCloseTo(6.745, 6)
  })
  it('falls back to the mean absolute deviation when MAD is 0, then to infinity', () => {
    expect(robustZ(12, [10, 10, 10, 14]).z).toBeCloseTo(2 / (1.253314 * 1), 6)
    expect(robustZ(11, [10, 10, 10]).z).toBe(Infinity)
    expect(robustZ(10, [10, 10, 10]).z).toBe(0)
  })
})

describe('hourly spend anomaly', () => {
  const hist = (usd: string[]) => usd.map((u, i) => ({ hour: w.anomaly.previous[i], usd: u }))
  it('fires on a spike against the same hour of previous weeks', () => {
    const [f] = detectSpendAnomaly(w.anomaly.hour, '50', hist(['10', '11', '9', '10', '12']))
    expect(f).toMatchObject({
      kind: 'spend_anomaly',
      subject: 'organization',
      period_start: '2026-11-25T17:00:00.000Z',
      actual_usd: '50.000000',
      amount_usd: '10.000000',
    })
    expect(f.details).toMatchObject({ median_usd: '10.000000', mad_usd: '1.000000' })
    expect(f.title).toContain('17:00–17:59 UTC')
  })
  it('stays quiet for normal hours, drops, small absolute moves and short history', () => {
    expect(detectSpendAnomaly(w.anomaly.hour, '12', hist(['10', '11', '9', '10', '12']))).toEqual([])
    expect(detectSpendAnomaly(w.anomaly.hour, '0', hist(['10', '11', '9', '10', '12']))).toEqual([])
    expect(detectSpendAnomaly(w.anomaly.hour, '0.5', hist(['0.01', '0.01', '0.01']))).toEqual([]) // z is infinite, the excess under $1
    expect(detectSpendAnomaly(w.anomaly.hour, '50', hist(['10', '10']))).toEqual([])
  })
})

describe('detectRevenueShare', () => {
  const rows = [
    { account_id: 'thin', month: '2026-12-01', revenue_usd: '100.000000', cost_usd: '50.000001' },
    { account_id: 'edge', month: '2026-12-01', revenue_usd: '100.000000', cost_usd: '50.000000' },
    { account_id: 'free', month: '2026-12-01', revenue_usd: '0.000000', cost_usd: '5.000000' },
    { account_id: 'own', month: '2026-12-01', revenue_usd: '1000.000000', cost_usd: '150.000000' },
  ]
  it('fires above the share (exactly at it does not), per account with its own limit, never on a revenue of 0', () => {
    const f = detectRevenueShare(rows, { ...DEFAULT_DRIFT_CONFIG, revenue_share_by_account: { own: 0.1 } })
    expect(f.map((x) => x.subject)).toEqual(['thin', 'own'])
    expect(f[0]).toMatchObject({ kind: 'revenue_share', period_start: '2026-12-01T00:00:00.000Z', actual_usd: '50.000001', amount_usd: '100.000000' })
    expect(f[0].title).toBe('thin: AI cost $50.00 is 50% of its 2026-12 revenue of $100.00 (above 50%)')
    expect(f[1].details).toMatchObject({ cost_share: 0.15, limit: 0.1, margin_usd: '850.000000' })
  })
})

describe('detectAccountAnomalies', () => {
  it('one finding per flagged account × step, dated to the week, linking to the account', () => {
    const w = detectorWindows(new Date('2026-11-11T10:30:00Z'))
    const f = detectAccountAnomalies(
      [{ account_id: 'acme', workflow_id: 'support', step: 'retrieve', runs: 40, calls: 88, calls_per_run: 2.2, median_calls_per_run: 1.1, peers: 8 }],
      w,
    )
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({ kind: 'account_step_anomaly', subject: 'acme:support/retrieve', period_start: '2026-11-09T00:00:00.000Z', actual_usd: null })
    expect(f[0].title).toBe('acme: 2.20 calls per run at support/retrieve over the last 7 days, where the median account makes 1.10 (2.0×)')
    expect(alertPath('o', { kind: f[0].kind, details: f[0].details, period_start: f[0].period_start })).toBe('/o/accounts/acme')
  })
})
