import { describe, expect, it } from 'vitest'
import { simulate, type TSimulationInputs } from '@/lib/routing/simulate'
import type { TCandidateEvidence } from '@/lib/routing/select'

const mini = { provider: 'openai', model: 'gpt-4o-mini' }
const haiku = { provider: 'anthropic', model: 'claude-3-5-haiku' }
const cand = (m: typeof mini, grounding: number, cost: string): TCandidateEvidence => ({
  ...m,
  cost_per_call_usd: cost,
  source: 'traffic',
  calls: 100,
  clears: grounding >= 0.9,
  shortfalls: [],
  scores: { grounding: { score: grounding, sample_count: 200, eval_set: 'golden', run_at: '2026-11-01T00:00:00Z' } },
})

// Ten days of a classify step: 600 gpt-4o calls ($2.70), 400 haiku ($0.64), 50 escalations to gpt-4o ($0.225).
const inputs = (over: Partial<TSimulationInputs> = {}): TSimulationInputs => ({
  step: 'classify',
  window: { from: '2026-11-10T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' },
  traffic: [
    { provider: 'openai', model: 'gpt-4o', outcome: 'success', events: 600, cost_usd: '2.700000' },
    { provider: 'anthropic', model: 'claude-3-5-haiku', outcome: 'success', events: 400, cost_usd: '0.640000' },
    { provider: 'openai', model: 'gpt-4o', outcome: 'escalation', events: 50, cost_usd: '0.225000' },
  ],
  spec: { quality_bar: [{ metric: 'grounding', min: 0.9 }], cascade: { models: [mini, haiku], confidence_threshold: 0.7 }, canary: null },
  chosen: mini,
  candidates: [cand(mini, 0.93, '0.000270'), cand(haiku, 0.95, '0.001600')],
  costs: {
    'openai/gpt-4o-mini': { cost_per_call_usd: '0.000270', source: 'traffic', calls: 100 },
    'anthropic/claude-3-5-haiku': { cost_per_call_usd: '0.001600', source: 'traffic', calls: 400 },
  },
  ...over,
})

// No version in force: the baseline is the calls as they were.
const was = (n: number) => ({ actual_calls: n, actual_share: n / 1050, baseline_calls: n, baseline_share: n / 1050 })

describe('simulate a draft over a past window', () => {
  it('replays every call on the selected model, escalations at the observed rate to the next model, exactly', () => {
    const s = simulate(inputs())
    // 1,000 calls × $0.000270 + 50 escalations × $0.001600 = $0.35 against $3.565
    expect(s).toMatchObject({
      calls: 1050,
      actual_cost_usd: '3.565000',
      estimated_cost_usd: '0.350000',
      change_usd: '-3.215000',
      expected_escalations: 50,
      expected_escalations_per_month: 150,
    })
    expect(s.per_month).toEqual({ actual_usd: '10.695000', estimated_usd: '1.050000', change_usd: '-9.645000' })
    expect(s.change_ratio).toBeCloseTo(-0.901823, 6)
    expect(s.shifted_share).toBe(1)
    expect(s.quality).toEqual({ held: true, metrics: [{ metric: 'grounding', min: 0.9, score: 0.93 }] })
    expect(s.shares).toEqual([
      { model: 'openai/gpt-4o-mini', ...was(0), estimated_calls: 1000, estimated_share: 1000 / 1050 },
      { model: 'anthropic/claude-3-5-haiku', ...was(400), estimated_calls: 50, estimated_share: 50 / 1050 },
      { model: 'openai/gpt-4o', ...was(650), estimated_calls: 0, estimated_share: 0 },
    ])
    expect(s.headline).toBe(
      'shifting 100% of classify calls to openai/gpt-4o-mini: −$9.65/month (−90%), quality bar held; about 150 escalations/month to anthropic/claude-3-5-haiku',
    )
  })

  it('a canary moves only its share; calls already on the chosen model do not count as shifted', () => {
    const s = simulate(inputs({ spec: { ...inputs().spec, cascade: null, canary: { share_pct: 20, stable_by: 'run_id' } }, chosen: haiku }))
    // 20% of (1,000 × $0.0016) + 80% of $3.565 = $0.32 + $2.852
    expect(s.estimated_cost_usd).toBe('3.172000')
    expect(s.expected_escalations).toBe(0)
    expect(s.shifted_share).toBeCloseTo(0.2 * 0.6, 10)
    expect(s.headline).toBe(
      "shifting 12% of classify calls to anthropic/claude-3-5-haiku: −$1.18/month (−11%), quality bar held (canary: 20% of runs, the rest on the caller's default model)",
    )
  })

  it("a first canary: its share on the chosen model, the rest on the caller's default (the calls as they were)", () => {
    const s = simulate(inputs({ spec: { ...inputs().spec, cascade: null, canary: { share_pct: 10, stable_by: 'run_id' } }, chosen: haiku, stable: null }))
    // 10% of (1,000 × $0.0016) + 90% of $3.565 = $0.16 + $3.2085
    expect(s.estimated_cost_usd).toBe('3.368500')
    expect(s.baseline).toEqual({ kind: 'actual', version: null, cost_usd: '3.565000', per_month_usd: '10.695000' })
    expect(s.change_usd).toBe('-0.196500')
    // only 10% × the 600 calls not on haiku already change model
    expect(s.shifted_share).toBeCloseTo(0.06, 10)
    expect(s.headline).toContain("(canary: 10% of runs, the rest on the caller's default model)")
  })

  it('v2 is compared with v1 in force (replayed over the same calls), not with the window’s mix', () => {
    // v1 in force: every call on haiku ($0.0016), no cascade. The window's calls predate it (mostly gpt-4o).
    const v1 = { version: 1, chosen: haiku, cascade: null }
    const s = simulate(inputs({ spec: { ...inputs().spec, cascade: null }, chosen: mini, baseline: { route: v1, canary: null, stable: null } }))
    // v1: 1,000 × $0.0016 = $1.60; v2: 1,000 × $0.00027 = $0.27; change −$1.33 (not −$3.295 against the actual $3.565)
    expect(s.baseline).toEqual({ kind: 'version', version: 1, cost_usd: '1.600000', per_month_usd: '4.800000' })
    expect(s.estimated_cost_usd).toBe('0.270000')
    expect(s.change_usd).toBe('-1.330000')
    expect(s.per_month.change_usd).toBe('-3.990000')
    expect(s.change_ratio).toBeCloseTo(-0.83125, 6)
    expect(s.shifted_share).toBe(1)
    expect(s.shares.find((r) => r.model === 'anthropic/claude-3-5-haiku')).toMatchObject({ actual_calls: 400, baseline_calls: 1000, estimated_calls: 0 })
    expect(s.headline).toBe('shifting 100% of classify calls to openai/gpt-4o-mini: −$3.99/month (−83%) against v1 in force, quality bar held')

    // v2 as a 20% canary over v1: the rest stays on v1
    const c = simulate(
      inputs({
        spec: { ...inputs().spec, cascade: null, canary: { share_pct: 20, stable_by: 'run_id' } },
        chosen: mini,
        stable: v1,
        baseline: { route: v1, canary: null, stable: null },
      }),
    )
    expect(c.estimated_cost_usd).toBe('1.334000') // 20% × $0.27 + 80% × $1.60
    expect(c.change_usd).toBe('-0.266000')
    expect(c.shifted_share).toBeCloseTo(0.2, 10)
    expect(c.headline).toContain('(canary: 20% of runs, the rest on v1)')
  })

  it('a baseline whose model has no cost per call says so', () => {
    const s = simulate(
      inputs({ chosen: mini, baseline: { route: { version: 1, chosen: { provider: 'x', model: 'y' }, cascade: null }, canary: null, stable: null } }),
    )
    expect(s.change_usd).toBeNull()
    expect(s.headline).toBe('No cost per call for x/y, the model of v1 in force: add its price (Pricing) to compare with it.')
  })

  it('says what is missing instead of inventing a number', () => {
    expect(simulate(inputs({ traffic: [] })).headline).toMatch(/^No production classify calls in this window/)
    expect(simulate(inputs({ chosen: null })).headline).toMatch(/no candidate clears the quality bar/)
    const noPrice = simulate(inputs({ costs: {} }))
    expect(noPrice.estimated_cost_usd).toBeNull()
    expect(noPrice.headline).toBe('No cost per call for openai/gpt-4o-mini: add its price (Pricing) to simulate.')
  })
})
