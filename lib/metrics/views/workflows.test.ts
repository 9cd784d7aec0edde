import { describe, expect, test } from 'vitest'
import { NO_WORKFLOW, workflowsCsvRows, workflowsTable } from '@/lib/metrics/views/workflows'

describe('workflowsTable: cost per run and retry tax', () => {
  const period = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T12:00:00.000Z' } // days 03-01, 03-02
  const current = [
    {
      workflow_id: 'support-triage',
      cost_usd: '12.345678',
      retry_cost_usd: '1.234567',
      events: 90,
      runs: 7,
      tokens_in: 1000,
      cached_tokens_in: 250,
      accepted_outcomes: 3,
      cost_per_accepted_outcome_usd: '3.100000',
    },
    {
      workflow_id: 'doc-summary',
      cost_usd: '2.000000',
      retry_cost_usd: '0.000000',
      events: 10,
      runs: 3,
      tokens_in: 0,
      cached_tokens_in: 0,
      accepted_outcomes: 0,
      cost_per_accepted_outcome_usd: null,
    },
    { workflow_id: null, cost_usd: '0.654322', retry_cost_usd: '0.654322', events: 4, runs: 0, tokens_in: 400, cached_tokens_in: 0 },
  ]
  const previous = [{ workflow_id: 'support-triage', cost_usd: '10.000000', events: 70, runs: 5 }]
  const daily = [
    { bucket: '2026-03-01T00:00:00.000Z', workflow_id: 'support-triage', cost_usd: '2.345678', events: 10 },
    { bucket: '2026-03-02T00:00:00.000Z', workflow_id: 'support-triage', cost_usd: '10.000000', events: 80 },
  ]
  const t = workflowsTable(current, previous, daily, period)

  test('per workflow: runs, spend ÷ runs exact, retry/error spend and its share of the workflow, cache hit rate', () => {
    expect(
      t.rows.map((r) => [r.key, r.cost_usd, r.runs, r.cost_per_run_usd, r.retry_usd, r.retry_share, r.cache_hit_rate, r.cost_per_accepted_outcome_usd]),
    ).toEqual([
      // 12.345678 / 7 = 1.7636682857… → 1.763668 ; 1.234567 / 12.345678 = 0.0999999…  (truncated: 0.099999) ; 250 / 1000
      ['support-triage', '12.345678', 7, '1.763668', '1.234567', 0.099999, 0.25, '3.100000'],
      // 2 / 3 = 0.6666666… → 0.666667 (half away from zero) ; no retries ; no input tokens: no cache hit rate
      ['doc-summary', '2.000000', 3, '0.666667', '0.000000', 0, null, null],
      // no runs: no cost per run ; all of it was retries/errors
      [NO_WORKFLOW, '0.654322', 0, null, '0.654322', 1, 0, null],
    ])
    expect(t.rows[0].change_usd).toBe('2.345678')
    expect(t.rows[0].daily).toEqual([2.345678, 10])
  })

  test('summary: totals, cost per run and retry tax share over all workflows', () => {
    // 12.345678 + 2 + 0.654322 = 15.000000 ; runs 7 + 3 + 0 = 10 ; 15 / 10 = 1.5
    expect(t.total_usd).toBe('15.000000')
    expect(t.runs).toBe(10)
    expect(t.cost_per_run_usd).toBe('1.500000')
    // 1.234567 + 0.654322 = 1.888889 ; / 15 = 0.12592593… → 0.125925
    expect(t.retry_usd).toBe('1.888889')
    expect(t.retry_share).toBe(0.125925)
  })

  test('an empty period: no runs means no cost per run, and no retry tax', () => {
    const e = workflowsTable([], [], [], period)
    expect([e.rows, e.runs, e.cost_per_run_usd, e.retry_usd, e.retry_share]).toEqual([[], 0, null, '0.000000', 0])
  })

  test('a workflow none of whose calls had a price has no cost per run (its spend is unknown, not $0); partly priced keeps one', () => {
    const u = workflowsTable(
      [
        { workflow_id: 'feedback-sentiment', cost_usd: '0.000000', events: 720, unpriced_events: 720, runs: 90 },
        { workflow_id: 'mixed', cost_usd: '1.000000', events: 10, unpriced_events: 4, runs: 4 },
      ],
      [],
      [],
      period,
    )
    expect(u.rows.map((r) => [r.key, r.cost_per_run_usd])).toEqual([
      ['mixed', '0.250000'],
      ['feedback-sentiment', null],
    ])
  })

  test('the same workflow on two rows (null and empty id): runs and retries summed, cache hit rate weighted by input tokens', () => {
    const m = workflowsTable(
      [
        { workflow_id: null, cost_usd: '1.000000', retry_cost_usd: '0.100000', events: 1, runs: 1, tokens_in: 300, cached_tokens_in: 300 },
        { workflow_id: '', cost_usd: '2.000000', retry_cost_usd: '0.200000', events: 1, runs: 2, tokens_in: 100, cached_tokens_in: 0 },
      ],
      [],
      [],
      period,
    )
    // 3 / 3 runs = 1 ; 0.3 of 3 = 0.1 ; 300 of 400 input tokens cached = 0.75 (not the mean 0.5)
    expect(m.rows.map((r) => [r.key, r.runs, r.cost_per_run_usd, r.retry_usd, r.retry_share, r.cache_hit_rate])).toEqual([
      [NO_WORKFLOW, 3, '1.000000', '0.300000', 0.1, 0.75],
    ])
  })

  test('CSV: the table’s rows and columns, money exact, percentages as shown, blanks for what is not known', () => {
    expect(workflowsCsvRows(t.rows)).toEqual([
      [
        'workflow',
        'spend_usd',
        'share_percent',
        'change_usd',
        'change_percent',
        'runs',
        'cost_per_run_usd',
        'cost_per_accepted_outcome_usd',
        'retry_error_usd',
        'retry_error_percent',
        'cache_hit_percent',
      ],
      // share 12.345678 / 15 = 0.823045 → 82.3 ; change +2.345678 on 10 = 23.4567% → 23.5 ; retry 0.099999 → 10.0
      ['support-triage', '12.345678', '82.3', '2.345678', '23.5', '7', '1.763668', '3.100000', '1.234567', '10.0', '25.0'],
      ['doc-summary', '2.000000', '13.3', '2.000000', 'new', '3', '0.666667', '', '0.000000', '0.0', ''],
      [NO_WORKFLOW, '0.654322', '4.4', '0.654322', 'new', '0', '', '', '0.654322', '100.0', '0.0'],
    ])
  })
})
