import { describe, expect, it } from 'vitest'
import { buildOpportunities, perMonth, type TRepeatSums, type TStepOutcomeSums } from '@/lib/opportunities/rank'

const from = new Date('2026-11-01T00:00:00Z')
const to = new Date('2026-11-16T00:00:00Z') // 15 days: × 2 per month

const repeat = (extra: Partial<TRepeatSums> = {}): TRepeatSums => ({
  workflow_id: 'support',
  step: 'classify',
  repeat_calls: 40,
  repeat_cost_usd: '1.250000',
  repeat_unpriced: 0,
  output_compared: 30,
  output_matched: 27,
  waste_repeat_cost_usd: '0.000000',
  first_calls: 60,
  ...extra,
})
const outcome = (o: string, events: number, cost: string, extra: Partial<TStepOutcomeSums> = {}): TStepOutcomeSums => ({
  workflow_id: 'support',
  step: 'generate',
  outcome: o,
  events,
  cost_usd: cost,
  unpriced_events: 0,
  ...extra,
})

describe('perMonth', () => {
  it('is savings × 30 days ÷ the range, to the micro-dollar, half up', () => {
    expect(perMonth(1_000_000n, 15 * 86_400_000)).toBe(2_000_000n)
    expect(perMonth(1n, 60 * 86_400_000)).toBe(1n) // 0.5 µ$ rounds up
    expect(perMonth(1_000_000n, 7 * 86_400_000)).toBe(4_285_714n)
    expect(perMonth(5n, 0)).toBe(0n)
  })
})

describe('buildOpportunities', () => {
  it('ranks both kinds by saving, with money, evidence, formula and action', () => {
    const a = buildOpportunities({
      from,
      to,
      repeats: [repeat(), repeat({ step: 'tiny', repeat_calls: 1, repeat_cost_usd: '0.000001', output_compared: 0, output_matched: 0, first_calls: 1 })],
      stepOutcomes: [outcome('success', 100, '10.000000'), outcome('retry', 8, '0.800000'), outcome('error', 2, '0.700000')],
    })
    expect(a.opportunities.map((o) => [o.kind, o.step, o.savings_usd, o.savings_usd_per_month])).toEqual([
      ['retries', 'generate', '1.500000', '3.000000'],
      ['response_cache', 'classify', '1.250000', '2.500000'],
      ['response_cache', 'tiny', '0.000001', '0.000002'],
    ])
    const [retries, cache] = a.opportunities
    expect(retries.evidence).toEqual({
      retry_calls: 8,
      error_calls: 2,
      retry_cost_usd: '0.800000',
      error_cost_usd: '0.700000',
      rerun_calls: 0,
      rerun_cost_usd: '0.000000',
      unpriced_calls: 0,
      step_calls: 110,
      step_cost_usd: '11.500000',
      share_of_step_cost: 0.130434,
    })
    expect(retries.explanation).toBe(
      "The cost of this step's 8 calls with outcome retry and 2 calls with outcome error: calls whose result was discarded or failed.",
    )
    expect(cache.evidence).toEqual({
      repeat_calls: 40,
      distinct_inputs: 60,
      hashed_calls: 100,
      unpriced_repeats: 0,
      output_compared: 30,
      output_matched: 27,
      deterministic_share: 0.9,
    })
    expect(cache.explanation).toContain('40 calls of this step whose input_hash equals that of an earlier call')
    expect(cache.explanation).toContain("90% of them returned the first call's output_hash")
    expect(cache).toMatchObject({ basis: 'measured', id: 'response_cache:support:classify' })
    // the action drafts a response cache in the step's routing policy, with the saving per month
    expect(cache.action?.path).toBe(`routing?workflow=support&step=classify&cache_ttl_s=86400&saving=${cache.savings_usd_per_month}`)
    expect(a.opportunities[2].explanation).toContain('no output_hash')
    expect(a.total_savings_usd).toBe('2.750001')
    expect(a.total_savings_usd_per_month).toBe('5.500002')
    expect(a.from).toBe('2026-11-01T00:00:00.000Z')
  })

  it('counts a repeat that was also a retry or error once in the total', () => {
    const a = buildOpportunities({
      from,
      to,
      repeats: [repeat({ step: 'generate', repeat_cost_usd: '0.300000', waste_repeat_cost_usd: '0.200000' })],
      stepOutcomes: [outcome('retry', 3, '0.500000')],
    })
    expect(a.opportunities.map((o) => o.savings_usd)).toEqual(['0.500000', '0.300000'])
    expect(a.counted_twice_usd).toBe('0.200000')
    expect(a.total_savings_usd).toBe('0.600000')
  })

  it("adds the re-runs after a success to the step's retries, and counts those that were also repeats once", () => {
    const a = buildOpportunities({
      from,
      to,
      repeats: [repeat({ step: 'generate', repeat_calls: 2, repeat_cost_usd: '0.300000', waste_repeat_cost_usd: '0' })],
      stepOutcomes: [outcome('success', 20, '4.000000'), outcome('retry', 1, '0.100000')],
      reruns: [{ workflow_id: 'support', step: 'generate', rerun_calls: 3, rerun_cost_usd: '0.600000', rerun_unpriced: 1, rerun_repeat_cost_usd: '0.200000' }],
    })
    const retries = a.opportunities.find((o) => o.kind === 'retries')!
    expect(retries.savings_usd).toBe('0.700000')
    expect(retries.evidence).toMatchObject({ retry_calls: 1, rerun_calls: 3, rerun_cost_usd: '0.600000', unpriced_calls: 1 })
    expect(retries.explanation).toContain('3 calls that re-ran it after it had already succeeded in the same run')
    expect(a.counted_twice_usd).toBe('0.200000')
    expect(a.total_savings_usd).toBe('0.800000') // 0.7 + 0.3 − 0.2
  })

  it('lists a step whose only waste is re-runs', () => {
    const a = buildOpportunities({
      from,
      to,
      repeats: [],
      stepOutcomes: [outcome('success', 10, '1.000000')],
      reruns: [{ workflow_id: 'support', step: 'generate', rerun_calls: 1, rerun_cost_usd: '0.100000', rerun_unpriced: 0, rerun_repeat_cost_usd: '0' }],
    })
    expect(a.opportunities.map((o) => [o.kind, o.savings_usd])).toEqual([['retries', '0.100000']])
  })

  it('lists no step without retries or repeats, and escapes names in the action path', () => {
    const a = buildOpportunities({
      from,
      to,
      repeats: [repeat({ workflow_id: 'a/b', step: 'c d', repeat_calls: 0, repeat_cost_usd: '0' }), repeat({ workflow_id: 'a/b', step: 'c d' })],
      stepOutcomes: [outcome('success', 5, '1.000000')],
    })
    expect(a.opportunities.map((o) => o.action?.path)).toEqual(['routing?workflow=a%2Fb&step=c+d&cache_ttl_s=86400&saving=2.500000'])
    expect(a.total_savings_usd).toBe('1.250000')
  })
})
