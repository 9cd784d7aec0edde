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
      { model: 'openai/gpt-4o-mini', actual_calls: 0, actual_share: 0, estimated_calls: 1000, estimated_share: 1000 / 1050 },
      { model: 'anthropic/claude-3-5-haiku', actual_calls: 400, actual_share: 400 / 1050, estimated_calls: 50, estimated_share: 50 / 1050 },
      { model: 'openai/gpt-4o', actual_calls: 650, actual_share: 650 / 1050, estimated_calls: 0, estimated_share: 0 },
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
    expect(s.headline).toBe('shifting 12% of classify calls to anthropic/claude-3-5-haiku: −$1.18/month (−11%), quality bar held (canary: 20% of runs)')
  })

  it('says what is missing instead of inventing a number', () => {
    expect(simulate(inputs({ traffic: [] })).headline).toMatch(/^No production classify calls in this window/)
    expect(simulate(inputs({ chosen: null })).headline).toMatch(/no candidate clears the quality bar/)
    const noPrice = simulate(inputs({ costs: {} }))
    expect(noPrice.estimated_cost_usd).toBeNull()
    expect(noPrice.headline).toBe('No cost per call for openai/gpt-4o-mini: add its price (Pricing) to simulate.')
  })
})
