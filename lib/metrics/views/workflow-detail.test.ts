import { describe, expect, it } from 'vitest'
import { dailyQuality, modelRows, outcomeSplit, stepRows, stepsCsvRows } from './workflow-detail'

const row = (o: Record<string, unknown>) => ({ events: 0, tokens_in: 0, tokens_out: 0, cached_tokens_in: 0, cost_usd: '0.000000', ...o })

describe('stepRows', () => {
  const steps = [
    row({ step: 'retrieve', events: 200, tokens_in: 20_000, tokens_out: 0, cost_usd: '0.100000', latency_p50_ms: 90, latency_p95_ms: 300 }),
    row({
      step: 'draft',
      events: 110,
      tokens_in: 110_000,
      cached_tokens_in: 55_000,
      tokens_out: 33_000,
      cost_usd: '1.900000',
      retry_cost_usd: '0.190000',
      latency_p50_ms: 2100,
      latency_p95_ms: 6400,
    }),
  ]
  const stepModels = [
    row({ step: 'draft', provider: 'openai', model: 'gpt-4o-mini', cost_usd: '0.400000' }),
    row({ step: 'draft', provider: 'anthropic', model: 'claude-sonnet-4-5', cost_usd: '1.500000' }),
    row({ step: 'retrieve', provider: 'openai', model: 'text-embedding-3-small', cost_usd: '0.100000' }),
  ]
  const rows = stepRows(steps, stepModels, 100)

  it('orders by spend and gives shares, calls per run and the step’s part of the cost per run', () => {
    expect(rows.map((r) => r.step)).toEqual(['draft', 'retrieve'])
    expect(rows[0]).toMatchObject({
      calls: 110,
      calls_per_run: 1.1,
      share: 0.95,
      cost_per_run_usd: '0.019000',
      tokens_in_per_call: 1000,
      tokens_out_per_call: 300,
      cache_hit_rate: 0.5,
    })
    expect(rows[1]).toMatchObject({ calls_per_run: 2, share: 0.05, cost_per_run_usd: '0.001000', tokens_out_per_call: 0, latency_p95_ms: 300 })
  })

  it('carries the retry tax per step and its models by spend', () => {
    expect(rows[0]).toMatchObject({ retry_usd: '0.190000', retry_share: 0.1, models: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4o-mini'] })
    expect(rows[1]).toMatchObject({ retry_usd: '0.000000', retry_share: 0, models: ['openai/text-embedding-3-small'] })
  })

  it('has no per-run figures without runs', () => {
    expect(stepRows(steps, [], 0)[0]).toMatchObject({ calls_per_run: null, cost_per_run_usd: null })
  })

  it('exports exactly what it shows', () => {
    const csv = stepsCsvRows(rows)
    expect(csv[0]).toContain('spend_usd')
    expect(csv[1]).toEqual([
      'draft',
      '110',
      '1.10',
      '1000.0',
      '300.0',
      '1.900000',
      '95.0',
      '0.019000',
      '0.190000',
      '10.0',
      '50.0',
      '2100',
      '6400',
      'anthropic/claude-sonnet-4-5 openai/gpt-4o-mini',
    ])
  })
})

describe('modelRows', () => {
  it('gives cost per call exactly and names models without one', () => {
    const rows = modelRows([row({ provider: 'openai', model: 'gpt-4o', events: 3, cost_usd: '0.000010' }), row({ events: 5, cost_usd: '0.000020' })])
    expect(rows.map((r) => r.model)).toEqual(['(no model)', 'openai/gpt-4o'])
    expect(rows[1].cost_per_call_usd).toBe('0.000003')
    expect(rows[0].share + rows[1].share).toBeCloseTo(1, 5)
  })
})

describe('dailyQuality', () => {
  const period = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-04T00:00:00.000Z' }
  const byOutcome = [
    row({ bucket: '2026-11-01T00:00:00.000Z', outcome: 'success', events: 90, tokens_in: 9000, tokens_out: 900, cost_usd: '0.900000' }),
    row({ bucket: '2026-11-01T00:00:00.000Z', outcome: 'retry', events: 10, tokens_in: 1000, tokens_out: 100, cost_usd: '0.100000' }),
    row({ bucket: '2026-11-03T00:00:00.000Z', outcome: 'success', events: 4, tokens_in: 8000, tokens_out: 400, cost_usd: '0.400000' }),
    row({ bucket: '2026-11-03T00:00:00.000Z', outcome: 'fallback', events: 2, cost_usd: '0.020000' }),
    row({ bucket: '2026-11-03T00:00:00.000Z', outcome: 'escalation', events: 1, cost_usd: '0.030000' }),
  ]
  const outcomes = [row({ bucket: '2026-11-01T00:00:00.000Z', accepted_outcomes: 4, production_cost_usd: '1.000000' })]
  const days = dailyQuality(byOutcome, outcomes, period)

  it('has every day of the period, gaps as empty days', () => {
    expect(days.map((d) => d.day)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03'])
    expect(days[1]).toMatchObject({ calls: 0, tokens_in_per_call: null, retry_usd: null, retry_share: null, cost_per_accepted_outcome_usd: null })
  })

  it('tokens per call, retry tax and its share, fallbacks, escalations and cost per accepted outcome per day', () => {
    expect(days[0]).toMatchObject({
      calls: 100,
      tokens_in_per_call: 100,
      tokens_out_per_call: 10,
      retry_usd: 0.1,
      retry_share: 0.1,
      accepted_outcomes: 4,
      cost_per_accepted_outcome_usd: 0.25,
    })
    expect(days[2]).toMatchObject({ fallbacks: 2, escalations: 1, retry_usd: 0, tokens_in_per_call: 8000 / 7 })
  })

  it('splits the period by outcome in a fixed order', () => {
    expect(outcomeSplit(byOutcome).map((o) => [o.outcome, o.calls, o.cost_usd])).toEqual([
      ['success', 94, '1.300000'],
      ['retry', 10, '0.100000'],
      ['fallback', 2, '0.020000'],
      ['escalation', 1, '0.030000'],
    ])
  })
})
