import { describe, expect, it } from 'vitest'
import { decisionRecord, decisionRecordMarkdown, majorityScenario, priceCandidate } from './record'
import { PriceBook } from '@/lib/cost/engine'

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

describe('eval candidates that never served the step', () => {
  // a hand-made price book: $3 / $0.30 cached / $3.75 cache write / $15 per Mtok; another model with no price
  const book = new PriceBook([
    {
      provider: 'openai',
      model: 'gpt-4.1-mini',
      effective_from: new Date('2026-01-01T00:00:00Z'),
      input_per_mtok: '3',
      cached_input_per_mtok: '0.3',
      cache_write_per_mtok: '3.75',
      output_per_mtok: '15',
      org_id: 'org',
    },
    { provider: 'openai', model: 'odd-mini', effective_from: new Date('2026-01-01T00:00:00Z'), input_per_mtok: '1.1', output_per_mtok: '0', org_id: 'org' },
  ])
  const price = (ev: Parameters<PriceBook['price']>[0]) => book.price(ev)
  const at = new Date('2026-11-07T23:59:59Z')
  const score = (model: string, eval_set: string, metric: string, s: number, run_at: string, sample_count = 200) => ({
    provider: 'openai',
    model,
    eval_set,
    metric,
    score: s,
    sample_count,
    run_at,
  })

  it('prices the step’s average call at the model’s prices, cached input and cache writes as such, to the micro-dollar', () => {
    // 100 calls: 1,000 tokens in (400 cached, 100 cache writes), 200 out per call
    const traffic = { events: 100, tokens_in: 100_000, cached_tokens_in: 40_000, cache_write_tokens: 10_000, tokens_out: 20_000 }
    // cache-adjusted: (1000 − 400 − 100)·3 + 400·0.3 + 100·3.75 + 200·15 = 1500 + 120 + 375 + 3000 = 4995 USD/Mtok → $0.004995
    // raw: 1000·3 + 200·15 = 6000 → $0.006000; the period's 100 calls: $0.499500
    expect(priceCandidate(price, { provider: 'openai', model: 'gpt-4.1-mini' }, traffic, at)).toEqual({
      raw_cost_per_call_usd: '0.006000',
      cost_per_call_usd: '0.004995',
      cost_usd: '0.499500',
      price_effective_from: '2026-01-01T00:00:00.000Z',
    })
  })

  it('rounds once: the period’s cost is the exact per-call cost × calls, not the rounded per-call cost × calls', () => {
    // 333 tokens in per call at $1.10/Mtok = $0.0003663 per call; 100 calls = $0.03663
    const traffic = { events: 100, tokens_in: 33_300, tokens_out: 0 }
    expect(priceCandidate(price, { provider: 'openai', model: 'odd-mini' }, traffic, at)).toMatchObject({
      cost_per_call_usd: '0.000366',
      cost_usd: '0.036630',
    })
  })

  it('is unpriced without a price, or without calls to take a token profile from', () => {
    expect(priceCandidate(price, { provider: 'acme', model: 'unknown-1' }, { events: 10, tokens_in: 10 }, at)).toBeNull()
    expect(priceCandidate(price, { provider: 'openai', model: 'gpt-4.1-mini' }, { events: 0 }, at)).toBeNull()
    expect(priceCandidate(undefined, { provider: 'openai', model: 'gpt-4.1-mini' }, { events: 10, tokens_in: 10 }, at)).toBeNull()
  })

  it('lists the models with eval results minus those that served the step, with their latest scores per eval set', () => {
    const evals = [
      score('gpt-4o-mini', 'nightly', 'accuracy', 0.8, '2026-11-01T00:00:00Z'), // served: an option, not a candidate
      score('gpt-4.1-mini', 'nightly', 'accuracy', 0.85, '2026-11-01T00:00:00Z'),
      score('gpt-4.1-mini', 'nightly', 'accuracy', 0.92, '2026-11-05T00:00:00Z', 400), // the later run wins
      score('gpt-4.1-mini', 'nightly', 'tone', 0.9, '2026-11-05T00:00:00Z', 400),
      score('gpt-4.1-mini', 'golden', 'accuracy', 0.88, '2026-11-03T00:00:00Z', 50),
      score('mystery', 'nightly', 'accuracy', 0.5, '2026-11-05T00:00:00Z'),
    ]
    const d = decisionRecord({
      ...inputs,
      total: [r({ ...inputs.total[0], cache_write_tokens: 10_000 })],
      evals,
      price,
    })
    expect(d.candidates.map((c) => c.model)).toEqual(['openai/gpt-4.1-mini', 'openai/mystery'])
    const [mini, mystery] = d.candidates
    expect(mini.evals).toEqual([
      { eval_set: 'golden', scores: { accuracy: 0.88 }, sample_count: 50, run_at: '2026-11-03T00:00:00Z' },
      { eval_set: 'nightly', scores: { accuracy: 0.92, tone: 0.9 }, sample_count: 400, run_at: '2026-11-05T00:00:00Z' },
    ])
    // the record's total: 100 calls, 1,000 in (400 cached, 100 writes), 200 out per call → as above, priced at the period's end
    expect(mini).toMatchObject({ provider: 'openai', unpriced: false, priced: { cost_per_call_usd: '0.004995', cost_usd: '0.499500' } })
    expect(mystery).toMatchObject({ unpriced: true, priced: null })
    // the served option carries its eval scores too
    expect(d.options.find((o) => o.model === 'openai/gpt-4o-mini')?.evals).toEqual([
      { eval_set: 'nightly', scores: { accuracy: 0.8 }, sample_count: 200, run_at: '2026-11-01T00:00:00Z' },
    ])
    const md = decisionRecordMarkdown(d)
    expect(md).toContain('## Not served (eval only)')
    expect(md).toContain(
      '| openai/gpt-4.1-mini | $0.006000 | $0.004995 | $0.499500 | golden: accuracy 0.88 (50 samples); nightly: accuracy 0.92, tone 0.9 (400 samples) |',
    )
  })

  it('lists none without eval results', () => {
    expect(decisionRecord(inputs).candidates).toEqual([])
  })
})
