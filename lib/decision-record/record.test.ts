import { describe, expect, it } from 'vitest'
import { decisionRecord, decisionRecordMarkdown, majorityScenario } from './record'

const r = (o: Record<string, unknown>): Record<string, unknown> & { events: number; cost_usd: string } => ({ events: 0, cost_usd: '0.000000', ...o })

const inputs = {
  workflow_id: 'support',
  step: 'draft',
  period: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' },
  total: [
    r({
      events: 100,
      tokens_in: 100_000,
      cached_tokens_in: 40_000,
      tokens_out: 20_000,
      cost_usd: '1.000000',
      cache_savings_usd: '0.200000',
      latency_p50_ms: 1800,
      latency_p95_ms: 5200,
    }),
  ],
  models: [
    r({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      events: 30,
      tokens_in: 30_000,
      cached_tokens_in: 24_000,
      tokens_out: 6000,
      cost_usd: '0.600000',
      cache_savings_usd: '0.150000',
      latency_p50_ms: 2400,
    }),
    r({
      provider: 'openai',
      model: 'gpt-4o-mini',
      events: 70,
      tokens_in: 70_000,
      cached_tokens_in: 16_000,
      tokens_out: 14_000,
      cost_usd: '0.400000',
      cache_savings_usd: '0.050000',
      latency_p50_ms: 900,
    }),
  ],
  modelOutcomes: [
    r({ provider: 'openai', model: 'gpt-4o-mini', outcome: 'success', events: 63 }),
    r({ provider: 'openai', model: 'gpt-4o-mini', outcome: 'retry', events: 7 }),
    r({ provider: 'anthropic', model: 'claude-sonnet-4-5', outcome: 'escalation', events: 27 }),
    r({ provider: 'anthropic', model: 'claude-sonnet-4-5', outcome: 'error', events: 3 }),
  ],
  workflow: [r({ workflow_id: 'support', runs: 80, outcomes: 50, accepted_outcomes: 40 })],
  scenarios: ['support-tier1'],
  owners: ['ana@acme.dev'],
}

describe('decisionRecord', () => {
  const d = decisionRecord(inputs)

  it('states raw and cache-adjusted cost, retries, latency, calls per run', () => {
    expect(d).toMatchObject({
      calls: 100,
      runs: 80,
      calls_per_run: 1.25,
      raw_cost_usd: '1.200000',
      cost_usd: '1.000000',
      cache_savings_usd: '0.200000',
      retry_rate: 0.1,
      latency_p50_ms: 1800,
    })
  })

  it('lists the model options by calls with per-call costs and retry rates, and names the cheapest', () => {
    expect(d.options.map((o) => o.model)).toEqual(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5'])
    expect(d.options[0]).toMatchObject({ share_of_calls: 0.7, raw_cost_per_call_usd: '0.006429', cost_per_call_usd: '0.005714', retry_rate: 0.1 })
    expect(d.options[1]).toMatchObject({ raw_cost_per_call_usd: '0.025000', cost_per_call_usd: '0.020000', retry_rate: 0.1, cache_hit_rate: 0.8 })
    expect(d.cheapest).toBe('openai/gpt-4o-mini')
  })

  it('quality pass rate and accepted outcome rate from the workflow’s outcomes', () => {
    expect(d).toMatchObject({ quality_pass_rate: 0.8, accepted_outcome_rate: 0.5, scenarios: ['support-tier1'], owners: ['ana@acme.dev'] })
  })

  it('names no cheapest option on a handful of calls, and no outcome rate without outcomes', () => {
    const few = decisionRecord({ ...inputs, models: [inputs.models[0], { ...inputs.models[1], events: 29 }], workflow: [r({ runs: 80 })] })
    expect(few.cheapest).toBe('anthropic/claude-sonnet-4-5')
    expect(few.accepted_outcome_rate).toBeNull()
  })

  it('is empty but well-formed without data', () => {
    const e = decisionRecord({ ...inputs, total: [], models: [], modelOutcomes: [], workflow: [], scenarios: [], owners: [] })
    expect(e).toMatchObject({
      calls: 0,
      calls_per_run: null,
      cost_usd: '0.000000',
      options: [],
      cheapest: null,
      quality_pass_rate: null,
      accepted_outcome_rate: null,
    })
  })

  it('prints as Markdown with every field of the template', () => {
    const md = decisionRecordMarkdown(d)
    for (const s of [
      '# Decision record: support / draft',
      'Scenario: support-tier1',
      'Owner: ana@acme.dev',
      'Raw token cost: $1.200000',
      'cache-adjusted cost: $1.000000',
      'Retry rate: 10.0%',
      'Latency p50 / p95: 1.8 s / 5.2 s',
      'Quality pass rate',
      '80.0%',
      'Accepted outcome rate (accepted outcomes ÷ runs): 50.0%',
      '| openai/gpt-4o-mini (cheapest, ≥ 30 calls) | 70 | 70.0% | $0.006429 | $0.005714 |',
    ])
      expect(md).toContain(s)
  })
})

describe('majorityScenario', () => {
  it('names the scenario with the most calls, not the most recent one (an eval scenario with 34 calls loses)', () => {
    const counts = [
      { scenario_id: 'eval-golden-v2', calls: 34 },
      { scenario_id: 'support-tier1', calls: 1210 },
      { scenario_id: null, calls: 56 },
      { scenario_id: 'support-tier2', calls: 300 },
    ]
    expect(majorityScenario(counts)).toEqual({ scenario_id: 'support-tier1', calls: 1210, share: 1210 / 1600, counted_calls: 1600 })
    const d = decisionRecord({ ...inputs, scenarios: ['eval-golden-v2', 'support-tier1'], scenarioCounts: counts })
    expect(d.scenario?.scenario_id).toBe('support-tier1')
    expect(decisionRecordMarkdown(d)).toContain('- Scenario: support-tier1 (the majority: 1210 of 1600 calls)')
  })

  it('breaks a tie by name; none when no call names a scenario', () => {
    expect(
      majorityScenario([
        { scenario_id: 'b', calls: 5 },
        { scenario_id: 'a', calls: 5 },
      ])?.scenario_id,
    ).toBe('a')
    expect(majorityScenario([])).toBeNull()
    expect(decisionRecord(inputs).scenario).toBeNull()
  })

  it('says "not set" when most calls carry no scenario (the demo: production calls without one, 34 eval calls with one)', () => {
    const counts = [
      { scenario_id: 'generate-haiku-candidate', calls: 34 },
      { scenario_id: null, calls: 900 },
      { scenario_id: '', calls: 6 },
    ]
    expect(majorityScenario(counts)).toEqual({ scenario_id: null, calls: 906, share: 906 / 940, counted_calls: 940 })
    const d = decisionRecord({ ...inputs, scenarioCounts: counts })
    expect(d.scenario_counts).toEqual([
      { scenario_id: null, calls: 906 },
      { scenario_id: 'generate-haiku-candidate', calls: 34 },
    ])
    expect(decisionRecordMarkdown(d)).toContain('- Scenario: not set (the majority: 906 of 940 calls)')
    // a tie goes to the named scenario
    expect(
      majorityScenario([
        { scenario_id: null, calls: 5 },
        { scenario_id: 'x', calls: 5 },
      ])?.scenario_id,
    ).toBe('x')
  })

  it('labels the cheapest option with its minimum sample in the Markdown', () => {
    expect(decisionRecordMarkdown(decisionRecord(inputs))).toContain('| openai/gpt-4o-mini (cheapest, ≥ 30 calls) |')
  })
})
