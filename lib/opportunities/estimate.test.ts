import { describe, expect, it } from 'vitest'
import { PriceBook } from '@/lib/cost/engine'
import {
  cheaperModelOpportunity,
  forRange,
  gpuRightsizingOpportunity,
  outputPricer,
  promptCacheOpportunity,
  uncappedOutputOpportunity,
  type TOutputStep,
} from '@/lib/opportunities/estimate'
import { buildOpportunities } from '@/lib/opportunities/rank'
import { ZOpportunitiesAnswer } from '@/lib/opportunities/schema'
import type { TCallCost, TEvalScore } from '@/lib/routing/select'

const DAY = 86_400_000
const at = new Date('2026-12-01T00:00:00Z')
const book = new PriceBook([
  { provider: 'openai', model: 'gpt-4.1', effective_from: new Date('2026-01-01'), input_per_mtok: '2', cached_input_per_mtok: '0.5', output_per_mtok: '8' },
  { provider: 'openai', model: 'no-cache', effective_from: new Date('2026-01-01'), input_per_mtok: '2', output_per_mtok: '8' },
])

describe('uncapped_output', () => {
  const step: TOutputStep = {
    workflow_id: 'docs',
    step: 'summarize',
    calls: 1000,
    p50: 100,
    p95: 400,
    p99: 1500,
    max: 3000,
    models: [
      { provider: 'openai', model: 'gpt-4.1', calls: 900, no_cap_calls: 900, uncapped_calls: 900, over_p95_calls: 45, excess_tokens_out: 100_000 },
      { provider: 'acme', model: 'unpriced', calls: 100, no_cap_calls: 0, uncapped_calls: 100, over_p95_calls: 5, excess_tokens_out: 2_000 },
    ],
  }

  it('prices the uncapped calls’ output beyond the p95 at each model’s output price', () => {
    // 100,000 tokens × $8 per million = $0.80 over 15 days → $1.60 a month; the unpriced model counts at $0
    const o = uncappedOutputOpportunity(step, 15 * DAY, outputPricer(book, at))!
    expect(o).toMatchObject({ kind: 'uncapped_output', basis: 'estimated', savings_usd: '0.800000', savings_usd_per_month: '1.600000' })
    expect(o.evidence).toMatchObject({
      calls: 1000,
      no_cap_calls: 900,
      uncapped_calls: 1000,
      over_p95_calls: 50,
      p95_tokens_out: 400,
      tail_ratio: 15,
      excess_tokens_out: 102_000,
      unpriced_calls: 5,
    })
    expect(o.assumption).toContain('400 tokens')
    expect(o.action?.path).toBe('routing?workflow=docs&step=summarize&max_tokens_cap=400&saving=1.600000')
  })

  it('finds nothing without output beyond the p95', () => {
    const none = { ...step, models: step.models.map((m) => ({ ...m, excess_tokens_out: 0, over_p95_calls: 0 })) }
    expect(uncappedOutputOpportunity(none, 15 * DAY, outputPricer(book, at))).toBeNull()
  })
})

describe('prompt_cache', () => {
  const cur = { workflow_id: 'leads', step: 'score', provider: 'openai', model: 'gpt-4.1', events: 100, tokens_in: 500_000, cached_tokens_in: 0 }

  it('prices half the input at the cached-input price when the step reads (almost) nothing from the cache', () => {
    // per call 5,000 tokens, 2,500 of them at $0.50 instead of $2 per million: $0.00375; × 100 calls = $0.375
    const o = promptCacheOpportunity(cur, null, book, at, 30 * DAY)!
    expect(o).toMatchObject({ kind: 'prompt_cache', model: 'openai/gpt-4.1', savings_usd: '0.375000', savings_usd_per_month: '0.375000' })
    expect(o.evidence).toMatchObject({ calls: 100, tokens_in_per_call: 5000, cached_share: 0, previous_cached_share: null, target_cached_share: 0.5 })
    expect(o.assumption).toMatch(/stable prefix/)
  })

  it('prices a fall back to the previous period’s cached share', () => {
    // 20% → 60%: 2,000 more cached tokens per call × $1.50 per million = $0.003; × 100 = $0.30
    const o = promptCacheOpportunity({ ...cur, cached_tokens_in: 100_000 }, { ...cur, cached_tokens_in: 300_000 }, book, at, 30 * DAY)!
    expect(o).toMatchObject({ savings_usd: '0.300000' })
    expect(o.evidence).toMatchObject({ cached_share: 0.2, previous_cached_share: 0.6, target_cached_share: 0.6 })
    expect(o.assumption).toMatch(/previous period/)
  })

  it('needs long inputs, enough calls, a cached-input price and a low or fallen share', () => {
    expect(promptCacheOpportunity({ ...cur, tokens_in: 100 * 1000 }, null, book, at, 30 * DAY)).toBeNull()
    expect(promptCacheOpportunity({ ...cur, events: 10, tokens_in: 50_000 }, null, book, at, 30 * DAY)).toBeNull()
    expect(promptCacheOpportunity({ ...cur, model: 'no-cache' }, null, book, at, 30 * DAY)).toBeNull()
    expect(promptCacheOpportunity({ ...cur, cached_tokens_in: 150_000 }, null, book, at, 30 * DAY)).toBeNull()
    expect(promptCacheOpportunity({ ...cur, cached_tokens_in: 150_000 }, { ...cur, cached_tokens_in: 175_000 }, book, at, 30 * DAY)).toBeNull()
  })
})

describe('cheaper_model', () => {
  const run_at = '2026-11-20T00:00:00.000Z'
  const score = (model: string, accuracy: number): TEvalScore => ({
    provider: 'a',
    model,
    eval_set: 's',
    metric: 'accuracy',
    score: accuracy,
    sample_count: 200,
    run_at,
  })
  const costs = new Map<string, TCallCost>([
    ['a/big', { cost_per_call_usd: '0.010000', source: 'traffic', calls: 1000 }],
    ['a/small', { cost_per_call_usd: '0.002000', source: 'prices', calls: 0 }],
    ['a/tiny', { cost_per_call_usd: '0.001000', source: 'prices', calls: 0 }],
  ])
  const inputs = {
    workflow_id: 'mail',
    step: 'draft',
    policy_id: '00000000-0000-0000-0000-000000000001',
    spec: { quality_bar: [{ metric: 'accuracy', min: 0.9 }], eval_set: null, candidates: [{ provider: 'a', model: 'big' }] },
    evals: [score('big', 0.95), score('small', 0.92), score('tiny', 0.8)],
    costs,
    traffic: [{ provider: 'a', model: 'big', outcome: 'success', events: 1000, cost_usd: '10.000000' }],
    window: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
  }

  it('re-prices the step’s calls at the cheapest model that clears the bar (the routing simulation)', () => {
    // 1,000 calls × $0.002 = $2 instead of $10; a/tiny is cheaper but fails the bar
    const o = cheaperModelOpportunity(inputs, 30 * DAY)!
    expect(o).toMatchObject({ kind: 'cheaper_model', model: 'a/small', savings_usd: '8.000000', savings_usd_per_month: '8.000000', basis: 'estimated' })
    expect(o.evidence).toMatchObject({
      calls: 1000,
      candidate: 'a/small',
      candidate_cost_per_call_usd: '0.002000',
      cost_source: 'prices',
      actual_cost_usd: '10.000000',
      estimated_cost_usd: '2.000000',
      current_models: [{ model: 'a/big', calls: 1000 }],
      quality_bar: [{ metric: 'accuracy', min: 0.9, score: 0.92 }],
    })
    expect(o.action?.path).toBe('routing?workflow=mail&step=draft&candidate=a%2Fsmall&saving=8.000000')
  })

  it('finds nothing when the cheapest clearing model is the one in use, or without a bar', () => {
    expect(cheaperModelOpportunity({ ...inputs, evals: [score('big', 0.95), score('small', 0.85)] }, 30 * DAY)).toBeNull()
    expect(cheaperModelOpportunity({ ...inputs, spec: { ...inputs.spec, quality_bar: [] } }, 30 * DAY)).toBeNull()
  })
})

describe('gpu_rightsizing', () => {
  const hint = {
    pool: 'staging-a10',
    role: 'staging',
    text: '…',
    needed_gpus: 1,
    gpu_count: 4,
    release_gpus: 3,
    avg_utilization: 0.1,
    p95_utilization: 0.16,
    headroom: 0.2,
    window_days: 14,
    hours_measured: 336,
    saving_per_month_usd: '1460.000000',
  }

  it('takes the fleet’s saving per month, and its share for the range', () => {
    const o = gpuRightsizingOpportunity(hint, [{ day: '2026-11-30', utilization: 0.1 }], 15 * DAY)
    expect(o).toMatchObject({ id: 'gpu_rightsizing:staging-a10', savings_usd: '730.000000', savings_usd_per_month: '1460.000000', workflow_id: '', step: '' })
    expect(o.action?.path).toBe('fleet#pool-staging-a10')
  })

  it('forRange is perMonth backwards, half up', () => {
    expect(forRange(3n, 15 * DAY)).toBe(2n) // 1.5 → 2
    expect(forRange(1_000_000n, 7 * DAY)).toBe(233_333n)
  })
})

describe('the answer with the estimated kinds', () => {
  it('ranks them with the measured ones; the total per month sums the rows’ own figures', () => {
    const from = new Date('2026-11-16T00:00:00Z')
    const to = new Date('2026-12-01T00:00:00Z')
    const gpu = gpuRightsizingOpportunity(
      {
        pool: 'p',
        role: 'production',
        text: '',
        needed_gpus: 1,
        gpu_count: 2,
        release_gpus: 1,
        avg_utilization: 0.1,
        p95_utilization: 0.2,
        headroom: 0.2,
        window_days: 14,
        hours_measured: 300,
        saving_per_month_usd: '0.000003',
      },
      [],
      15 * DAY,
    )
    const a = buildOpportunities({
      from,
      to,
      repeats: [
        {
          workflow_id: 'w',
          step: 's',
          repeat_calls: 2,
          repeat_cost_usd: '0.000003',
          repeat_unpriced: 0,
          output_compared: 0,
          output_matched: 0,
          waste_repeat_cost_usd: '0.000001',
          first_calls: 1,
        },
      ],
      stepOutcomes: [],
      estimated: [gpu],
    })
    expect(ZOpportunitiesAnswer.parse(a)).toEqual(a)
    // gpu: 3 µ$ a month, 2 µ$ (1.5 rounded up) in 15 days; the cache 3 µ$ → 6 µ$ a month; 1 µ$ counted twice → 2 µ$ a month
    expect(a.opportunities.map((o) => o.kind)).toEqual(['response_cache', 'gpu_rightsizing'])
    expect(a.total_savings_usd).toBe('0.000004')
    expect(a.total_savings_usd_per_month).toBe('0.000007')
  })
})
