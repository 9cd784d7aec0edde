import { describe, expect, it } from 'vitest'
import { burnDown } from '@/lib/budgets/burn-down'
import { budgetWindow } from '@/lib/budgets/evaluate'

const m = (bucket: string, cost_usd: string, runs = 0, accepted_outcomes = 0) => ({ bucket, cost_usd, runs, production_cost_usd: cost_usd, accepted_outcomes })

describe('burnDown', () => {
  const now = new Date('2026-11-02T06:30:00Z')
  const w = budgetWindow({ period: 'day' }, now)
  const hours = [0, 1, 2, 3, 4, 5, 6].map((h) => m(`2026-11-02T0${h}:00:00.000Z`, '1'))
  const points = burnDown('spend', '24', w, 'hour', hours)

  it('covers the whole period, one bucket per hour of a day budget', () => {
    expect(points).toHaveLength(24)
    expect(points[0].t).toBe('2026-11-02T00:00:00.000Z')
    expect(points[23].t).toBe('2026-11-02T23:00:00.000Z')
  })
  it('accumulates spend up to now and keeps the even pace to the amount', () => {
    expect(points[0]).toMatchObject({ spend_usd: '1.000000', cumulative_usd: '1.000000', pace_usd: '1.000000', projected_usd: null })
    expect(points[6]).toMatchObject({ spend_usd: '1.000000', cumulative_usd: '7.000000', pace_usd: '7.000000' })
    expect(points[7]).toMatchObject({ spend_usd: null, cumulative_usd: null })
    expect(points[23].pace_usd).toBe('24.000000')
  })
  it('projects the pace so far (7 USD in 6.5 hours) to the end of the day, exactly', () => {
    expect(points[6].projected_usd).toBe('7.538461') // 7 × 7 / 6.5
    expect(points[23].projected_usd).toBe('25.846153') // 7 × 24 / 6.5
  })
  it('counts an hour without spend as zero', () => {
    const gap = burnDown('spend', '24', w, 'hour', [m('2026-11-02T00:00:00.000Z', '2'), m('2026-11-02T03:00:00.000Z', '0.5')])
    expect(gap.slice(0, 4).map((p) => p.cumulative_usd)).toEqual(['2.000000', '2.000000', '2.000000', '2.500000'])
  })
  it('gives per-run budgets their value per bucket, days of a month', () => {
    const mw = budgetWindow({ period: 'month' }, new Date('2026-11-03T12:00:00Z'))
    const pts = burnDown('cost_per_run', '0.05', mw, 'day', [m('2026-11-01T00:00:00.000Z', '1', 10), m('2026-11-02T00:00:00.000Z', '1', 0)])
    expect(pts).toHaveLength(30)
    expect(pts.slice(0, 4).map((p) => p.value_usd)).toEqual(['0.100000', null, null, null])
  })
  it('ends a rolling window now', () => {
    const rw = budgetWindow({ period: 'rolling', rolling_days: 7 }, new Date('2026-11-08T12:00:00Z'))
    const pts = burnDown('spend', '70', rw, 'day', [m('2026-11-01T00:00:00.000Z', '5'), m('2026-11-08T00:00:00.000Z', '5')])
    expect(pts.map((p) => p.t.slice(0, 10))).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
      '2026-11-06',
      '2026-11-07',
      '2026-11-08',
    ])
    expect(pts[7]).toMatchObject({ cumulative_usd: '10.000000', pace_usd: '70.000000' })
  })
})
