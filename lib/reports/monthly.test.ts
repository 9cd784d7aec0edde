import { describe, expect, it } from 'vitest'
import { monthRange, monthlyReportCsv, reportLines, scenarioSpend, type TMonthlyReport } from '@/lib/reports/monthly'

describe('monthRange', () => {
  it('is the UTC calendar month and the one before, across a year end', () => {
    const r = monthRange('2027-01')
    expect(new Date(r.from).toISOString()).toBe('2027-01-01T00:00:00.000Z')
    expect(new Date(r.to).toISOString()).toBe('2027-02-01T00:00:00.000Z')
    expect(r.previous).toMatchObject({ month: '2026-12', from: Date.UTC(2026, 11, 1), to: Date.UTC(2027, 0, 1) })
  })
})

describe('reportLines', () => {
  it('matches this month and the month before by key, with the change and the share, largest first', () => {
    const lines = reportLines(
      [
        { key: 'a', micros: 1_000_000n, events: 2 },
        { key: null, micros: 3_000_001n, events: 1 },
      ],
      [
        { key: 'a', micros: 1_500_000n, events: 3 },
        { key: 'gone', micros: 7n, events: 1 },
      ],
      4_000_001n,
    )
    expect(lines).toEqual([
      { key: null, cost_usd: '3.000001', events: 1, previous_cost_usd: '0.000000', previous_events: 0, change_usd: '3.000001', share: 0.75 },
      { key: 'a', cost_usd: '1.000000', events: 2, previous_cost_usd: '1.500000', previous_events: 3, change_usd: '-0.500000', share: 0.249999 },
      { key: 'gone', cost_usd: '0.000000', events: 0, previous_cost_usd: '0.000007', previous_events: 1, change_usd: '-0.000007', share: 0 },
    ])
  })
})

describe('scenarioSpend', () => {
  it('splits each workflow into its scenarios and the rest, which add up to the workflow exactly', () => {
    const out = scenarioSpend(
      [
        { workflow_id: 'support', cost12: '10.000000000000', events: 10 },
        { workflow_id: 'search', cost12: '2.000000000000', events: 4 },
      ],
      [
        { scenario_id: 'trial', workflow_id: 'support', cost12: '1.250000400000', events: 3 },
        { scenario_id: 'trial', workflow_id: 'search', cost12: '0.000000600000', events: 1 },
        { scenario_id: 'base', workflow_id: 'support', cost12: '8.749999600000', events: 7 },
      ],
    )
    expect(out).toEqual([
      { key: 'trial', from: 'scenario_id', micros: 1_250_001n, events: 4 },
      { key: 'base', from: 'scenario_id', micros: 8_750_000n, events: 7 },
      { key: 'search', from: 'workflow', micros: 1_999_999n, events: 3 },
    ])
    // support is all scenarios: no remainder line; search's rest is 1.9999994 → 1.999999, trial 1.250001: each part rounded once
    expect(out.reduce((a, s) => a + s.micros, 0n)).toBe(12_000_000n)
  })
})

describe('monthlyReportCsv', () => {
  it('writes every section row, the totals, the whole bill, the scenarios both ways and the forecast', () => {
    const r = {
      month: '2026-11',
      previous: { month: '2026-10' },
      total: {
        cost_usd: '5.000000',
        events: 3,
        runs: 1,
        production_cost_usd: '4.000000',
        unpriced_events: 0,
        previous_cost_usd: '1.000000',
        previous_events: 1,
        change_usd: '4.000000',
      },
      bill: {
        api_inference_usd: '4.000000',
        gpu_capacity_usd: '100.000000',
        line_items_usd: '50.000000',
        total_usd: '154.000000',
        previous: { api_inference_usd: '1.000000', gpu_capacity_usd: '90.000000', line_items_usd: '0.000000', total_usd: '91.000000' },
        change_usd: '63.000000',
      },
      scenarios: [
        {
          scenario: 'kb',
          api_cost_usd: '5.000000',
          fully_loaded_usd: '154.000000',
          accepted_outcomes: 2,
          api_cost_per_accepted_outcome_usd: '2.500000',
          fully_loaded_per_accepted_outcome_usd: '77.000000',
        },
      ],
      sections: [
        {
          dimension: 'workflow_id',
          label: 'Workflow',
          rows: [{ key: '=cmd', cost_usd: '5.000000', events: 3, previous_cost_usd: '1.000000', previous_events: 1, change_usd: '4.000000', share: 1 }],
        },
      ],
      forecast: {
        month_end: { end: '', actual_to_date_usd: '5.000000', forecast_usd: '9.500000', lower_usd: '8.000000', upper_usd: '11.000000' },
        mape: 0.1,
        note: null,
      },
    } as unknown as TMonthlyReport
    expect(monthlyReportCsv(r).split('\r\n')).toEqual([
      'month,section,key,key_from,cost_usd,events,share,previous_month,previous_cost_usd,previous_events,change_usd',
      "2026-11,workflow_id,'=cmd,,5.000000,3,1.0000,2026-10,1.000000,1,4.000000",
      '2026-11,total,,,5.000000,3,1.0000,2026-10,1.000000,1,4.000000',
      '2026-11,total_production,,,4.000000,,,,,,',
      '2026-11,bill_api_inference,,,4.000000,,,2026-10,1.000000,,',
      '2026-11,bill_gpu_capacity,,,100.000000,,,2026-10,90.000000,,',
      '2026-11,bill_line_items,,,50.000000,,,2026-10,0.000000,,',
      '2026-11,bill_total,,,154.000000,,,2026-10,91.000000,,',
      '2026-11,scenario_api_cost,kb,,5.000000,,,,,,',
      '2026-11,scenario_fully_loaded,kb,,154.000000,,,,,,',
      '2026-11,forecast_month_end,,,9.500000,,,,,,',
      '2026-11,forecast_month_end_lower,,,8.000000,,,,,,',
      '2026-11,forecast_month_end_upper,,,11.000000,,,,,,',
      '',
    ])
  })
})
