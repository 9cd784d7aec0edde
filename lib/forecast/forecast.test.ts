import { describe, expect, it } from 'vitest'
import { dailyMicros, forecastSeries } from '@/lib/forecast'

const today = new Date('2026-11-25T15:00:00Z')
const week = [100, 110, 105, 108, 112, 40, 35]
// 60 days ending 2026-11-24, $ per day, as micro-dollars
const daily = Array.from({ length: 60 }, (_, i) => BigInt(week[i % 7] + i) * 1_000_000n)

describe('forecastSeries', () => {
  const f = forecastSeries(daily, today, { workflow_id: null, account_id: null })
  it('sums recorded spend exactly to date: the month from Nov 1, the quarter from Oct 1', () => {
    const sum = (from: number) => daily.slice(from).reduce((a, v) => a + v, 0n)
    expect(f.month_end.actual_to_date_usd).toBe((Number(sum(60 - 24)) / 1e6).toFixed(6))
    expect(f.quarter_end.actual_to_date_usd).toBe((Number(sum(60 - 55)) / 1e6).toFixed(6))
    expect(f.month_end.end).toBe('2026-12-01T00:00:00.000Z')
    expect(f.quarter_end.end).toBe('2027-01-01T00:00:00.000Z')
  })
  it('takes the spend to date summed once over each period when given (as the other pages read a range), the forecast on top of it', () => {
    const g = forecastSeries(daily, today, { workflow_id: null, account_id: null }, { month: 2_500_000_001n, quarter: 5_800_000_003n })
    expect(g.month_end.actual_to_date_usd).toBe('2500.000001')
    expect(g.quarter_end.actual_to_date_usd).toBe('5800.000003')
    const shift = Number(g.month_end.forecast_usd) - Number(f.month_end.forecast_usd)
    expect(shift).toBeCloseTo(2500.000001 - Number(f.month_end.actual_to_date_usd), 5)
  })
  it('forecasts from today to the quarter end, one point a day, and the month end adds the days left (Nov 25–30)', () => {
    const ahead = f.series.filter((p) => p.forecast_usd !== null)
    expect(ahead[0].day).toBe('2026-11-25')
    expect(ahead.at(-1)!.day).toBe('2026-12-31')
    const rest = ahead.slice(0, 6).reduce((a, p) => a + Number(p.forecast_usd), 0)
    expect(Number(f.month_end.forecast_usd)).toBeCloseTo(Number(f.month_end.actual_to_date_usd) + rest, 4)
    expect(Number(f.month_end.lower_usd)).toBeLessThan(Number(f.month_end.forecast_usd))
    expect(Number(f.quarter_end.upper_usd)).toBeGreaterThan(Number(f.quarter_end.forecast_usd))
    expect(f.model).toMatchObject({ kind: 'holt_winters_additive', season_days: 7, history_days: 60 })
    expect(f.backtest.mape!).toBeLessThan(0.05)
  })
  it('needs two weeks of spend; leading days without spend do not count', () => {
    const young = [...Array(50).fill(0n), ...Array(10).fill(5_000_000n)]
    const g = forecastSeries(young, today, { workflow_id: 'new', account_id: null })
    expect(g.model).toBeNull()
    expect(g.note).toMatch(/at least 14 days of spend.*has 10/)
    expect(g.month_end).toMatchObject({ actual_to_date_usd: '50.000000', forecast_usd: null })
  })
})

describe('dailyMicros', () => {
  it('fills days without rows with zero', () => {
    const from = Date.UTC(2026, 10, 1)
    expect(dailyMicros([{ bucket: '2026-11-02T00:00:00.000Z', cost_usd: '1.5' }], from, from + 3 * 86_400_000)).toEqual([0n, 1_500_000n, 0n])
  })
})

describe('forecast view', () => {
  it('charts the last weeks and the forecast, and says how far to trust it', async () => {
    const { forecastChartPoints, trustLabel } = await import('@/lib/forecast/view')
    const f = forecastSeries(daily, today, { workflow_id: null, account_id: null })
    const pts = forecastChartPoints(f, 14)
    expect(pts[0].day).toBe('2026-11-11')
    expect(pts[14]).toMatchObject({ day: '2026-11-25', actual: null })
    expect(pts[14].band![0]).toBeLessThanOrEqual(pts[14].forecast!)
    expect(trustLabel(null)).toMatch(/no backtest/)
    expect(trustLabel(0.04)).toBe('good: off by 4.0% a day on average over the last 4 weeks')
    expect(trustLabel(0.4)).toMatch(/^rough/)
  })
})

describe('forecast chart', () => {
  it('starts at the first day with spend', async () => {
    const { forecastChartPoints } = await import('@/lib/forecast/view')
    const young = [...Array(40).fill(0n), ...Array(20).fill(5_000_000n)]
    expect(forecastChartPoints(forecastSeries(young, today, { workflow_id: null, account_id: null }))[0].day).toBe('2026-11-05')
  })
})
