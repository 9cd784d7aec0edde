import { describe, expect, test } from 'vitest'
import { NO_FEATURE, featuresCsvRows, featuresTable, sloBreaches, sloCompliance, sloStatus } from '@/lib/metrics/views/features'

describe('sloStatus: spend ÷ runs against the target, exactly', () => {
  test('equal to the target is within; one micro-dollar over is breached', () => {
    // 3 runs at 0.333333333 = 0.999999999 < 1.000000 → breached ; 3 · 0.333333334 = 1.000000002 ≥ 1 → within
    expect(sloStatus('1.000000', 3, '0.333333333')).toBe('breached')
    expect(sloStatus('1.000000', 3, '0.333333334')).toBe('within')
    // 0.25 · 4 = 1.000000 exactly
    expect(sloStatus('1.000000', 4, '0.25')).toBe('within')
    expect(sloStatus('1.000001', 4, '0.25')).toBe('breached')
  })
  test('no target: no_slo; a target without runs: no_runs', () => {
    expect(sloStatus('5.000000', 10, null)).toBe('no_slo')
    expect(sloStatus('5.000000', 0, '0.1')).toBe('no_runs')
  })
  test('runs none of whose calls had a price: no_priced_calls, not a pass on $0', () => {
    expect(sloStatus('0.000000', 9, '0.1')).toBe('within') // priced calls that cost nothing do pass
    expect(sloStatus('0.000000', 9, '0.1', false)).toBe('no_priced_calls')
    expect(sloStatus('0.000000', 9, null, false)).toBe('no_slo')
  })
})

describe('sloCompliance: the share of measured days within target', () => {
  test('days without runs are not measured; ratio truncated to 6 decimals', () => {
    const days = [
      { cost_usd: '0.300000', runs: 3 }, // 0.10 per run: within 0.1
      { cost_usd: '0.300001', runs: 3 }, // 0.100000333…: breached
      { cost_usd: '0.150000', runs: 2 }, // 0.075: within
      { cost_usd: '0.420000', runs: 0 }, // no runs: not measured
    ]
    // 2 of 3 measured days → 0.666666 (truncated)
    expect(sloCompliance(days, '0.1')).toEqual({ measured_days: 3, within_days: 2, compliance: 0.666666 })
  })
  test('without a target or without measured days there is no compliance', () => {
    expect(sloCompliance([{ cost_usd: '1.000000', runs: 1 }], null)).toEqual({ measured_days: 1, within_days: 0, compliance: null })
    expect(sloCompliance([{ cost_usd: '1.000000', runs: 0 }], '1')).toEqual({ measured_days: 0, within_days: 0, compliance: null })
  })
  test('a day none of whose calls had a price is not measured', () => {
    const days = [
      { cost_usd: '0.000000', runs: 4, priced: false },
      { cost_usd: '0.300000', runs: 3, priced: true },
    ]
    expect(sloCompliance(days, '0.05')).toEqual({ measured_days: 1, within_days: 0, compliance: 0 })
  })
})

describe('featuresTable: cost per action, SLO status and compliance per feature', () => {
  const period = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' } // days 03-01, 03-02
  const current = [
    { feature: 'ticket-triage', cost_usd: '12.345678', events: 90, runs: 7 },
    { feature: 'meeting-notes', cost_usd: '2.000000', events: 10, runs: 3 },
    { feature: null, cost_usd: '0.654322', events: 4, runs: 1 },
  ]
  const previous = [{ feature: 'ticket-triage', cost_usd: '10.000000', events: 70, runs: 5 }]
  const daily = [
    { bucket: '2026-03-01T00:00:00.000Z', feature: 'ticket-triage', cost_usd: '2.345678', events: 10, runs: 2 }, // 1.172839 per run
    { bucket: '2026-03-02T00:00:00.000Z', feature: 'ticket-triage', cost_usd: '10.000000', events: 80, runs: 5 }, // 2.0 per run
    { bucket: '2026-03-01T00:00:00.000Z', feature: 'meeting-notes', cost_usd: '2.000000', events: 10, runs: 3 },
  ]
  const slos = [
    { feature: 'ticket-triage', target_usd_per_action: '1.5' },
    { feature: 'meeting-notes', target_usd_per_action: '0.666667' },
    { feature: 'legacy-search', target_usd_per_action: '0.01' },
  ]
  const t = featuresTable(current, previous, daily, slos, period)

  test('a feature none of whose calls had a price has no cost per action (unknown, not $0)', () => {
    const u = featuresTable([{ feature: 'sentiment', cost_usd: '0.000000', events: 50, unpriced_events: 50, runs: 9 }], [], [], [], period)
    expect(u.rows.map((r) => [r.key, r.cost_per_action_usd])).toEqual([['sentiment', null]])
  })

  test('… and no SLO status from its $0: no priced calls, no compliance, not counted within', () => {
    const u = featuresTable(
      [
        { feature: 'sentiment', cost_usd: '0.000000', events: 50, unpriced_events: 50, runs: 9 },
        { feature: 'summaries', cost_usd: '0.200000', events: 10, unpriced_events: 4, runs: 5 }, // some priced: judged on them
      ],
      [],
      [
        { bucket: '2026-03-01T00:00:00.000Z', feature: 'sentiment', cost_usd: '0.000000', events: 50, unpriced_events: 50, runs: 9 },
        { bucket: '2026-03-01T00:00:00.000Z', feature: 'summaries', cost_usd: '0.200000', events: 10, unpriced_events: 4, runs: 5 },
      ],
      [
        { feature: 'sentiment', target_usd_per_action: '0.01' },
        { feature: 'summaries', target_usd_per_action: '0.05' },
      ],
      period,
    )
    expect(u.rows.map((r) => [r.key, r.status, r.measured_days, r.compliance])).toEqual([
      ['summaries', 'within', 1, 1],
      ['sentiment', 'no_priced_calls', 0, null],
    ])
    expect(u.slo_counts).toEqual({ within: 1, breached: 0, no_runs: 0, no_priced_calls: 1 })
    expect(featuresCsvRows(u.rows)[2][8]).toBe('no_priced_calls')
  })

  test('per feature: spend ÷ runs, target, status, compliance; idle features with a target listed last', () => {
    expect(
      t.rows.map((r) => [r.key, r.cost_usd, r.runs, r.cost_per_action_usd, r.target_usd_per_action, r.status, r.within_days, r.measured_days, r.compliance]),
    ).toEqual([
      // 12.345678 / 7 = 1.7636682857… → 1.763668 > 1.5: breached ; day 1 within (1.172839 ≤ 1.5), day 2 not (2.0) → 1/2
      ['ticket-triage', '12.345678', 7, '1.763668', '1.5', 'breached', 1, 2, 0.5],
      // 2 / 3 = 0.6666666… ≤ 0.666667: within (the rounded display agrees) ; its one measured day within
      ['meeting-notes', '2.000000', 3, '0.666667', '0.666667', 'within', 1, 1, 1],
      // events without a feature: no SLO can be set
      [NO_FEATURE, '0.654322', 1, '0.654322', null, 'no_slo', 0, 0, null],
      // a target, no spend: no runs to judge
      ['legacy-search', '0.000000', 0, null, '0.01', 'no_runs', 0, 0, null],
    ])
    expect(t.rows[3].daily).toEqual([0, 0])
  })

  test('summary: overall cost per action and SLO counts', () => {
    // (12.345678 + 2 + 0.654322) / (7 + 3 + 1) = 15 / 11 = 1.363636…
    expect(t.total_usd).toBe('15.000000')
    expect(t.cost_per_action_usd).toBe('1.363636')
    expect(t.slo_counts).toEqual({ within: 1, breached: 1, no_runs: 1, no_priced_calls: 0 })
  })

  test('CSV: exact money, status and compliance as shown', () => {
    const csv = featuresCsvRows(t.rows)
    expect(csv[0]).toEqual([
      'feature',
      'spend_usd',
      'share_percent',
      'change_usd',
      'change_percent',
      'runs',
      'cost_per_action_usd',
      'target_usd_per_action',
      'slo_status',
      'compliance_percent',
      'days_within',
    ])
    // share 12.345678 / 15 = 0.8230452 → 82.3 ; change 2.345678 / 10 → 23.5 ; (no feature) 0.654322 / 15 = 0.0436214 → 4.4
    expect(csv[1]).toEqual(['ticket-triage', '12.345678', '82.3', '2.345678', '23.5', '7', '1.763668', '1.5', 'breached', '50.0', '1/2'])
    expect(csv[3]).toEqual([NO_FEATURE, '0.654322', '4.4', '0.654322', 'new', '1', '0.654322', '', 'no_slo', '', ''])
  })
})

describe('sloBreaches: features over target in the period, largest overshoot first', () => {
  test('sums rows per feature, skips features without a target or runs', () => {
    const rows = [
      { feature: 'a', cost_usd: '3.000000', events: 3, runs: 2 }, // 1.5 per run vs 1 → 150%
      { feature: 'b', cost_usd: '1.000000', events: 1, runs: 1 },
      { feature: 'b', cost_usd: '1.000000', events: 1, runs: 0 }, // b: 2 / 1 = 2 vs 0.5 → 400%
      { feature: 'c', cost_usd: '0.500000', events: 1, runs: 1 }, // within 0.5
      { feature: 'd', cost_usd: '9.000000', events: 1, runs: 0 }, // no runs
      { feature: 'e', cost_usd: '9.000000', events: 1, runs: 1 }, // no target
    ]
    const slos = [
      { feature: 'a', target_usd_per_action: '1' },
      { feature: 'b', target_usd_per_action: '0.5' },
      { feature: 'c', target_usd_per_action: '0.5' },
      { feature: 'd', target_usd_per_action: '0.1' },
    ]
    expect(sloBreaches(rows, slos)).toEqual([
      { feature: 'b', cost_per_action_usd: '2.000000', target_usd_per_action: '0.5', runs: 1 },
      { feature: 'a', cost_per_action_usd: '1.500000', target_usd_per_action: '1', runs: 2 },
    ])
  })
})
