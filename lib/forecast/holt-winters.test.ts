import { describe, expect, it } from 'vitest'
import { backtestMape, fitHoltWinters, forecastHoltWinters, runHoltWinters, sumForecast } from '@/lib/forecast/holt-winters'

// A weekly pattern (weekends low) on a rising trend, with a little deterministic noise.
const week = [100, 110, 105, 108, 112, 40, 35]
const series = (days: number, trend = 1, noise = 0) => Array.from({ length: days }, (_, t) => week[t % 7] + trend * t + noise * Math.sin(t * 12.9898) * 5)

describe('Holt-Winters', () => {
  it('reproduces an exact weekly pattern with trend one week ahead', () => {
    const y = series(84)
    const f = forecastHoltWinters(fitHoltWinters(y), 7)
    const truth = Array.from({ length: 7 }, (_, k) => week[(84 + k) % 7] + 84 + k)
    f.forEach((p, k) => expect(p.mean).toBeCloseTo(truth[k], 0))
  })
  it('learns the season: the weekend forecast is low, the band contains the mean and widens with the horizon', () => {
    const y = series(84, 0.5, 1)
    const f = forecastHoltWinters(fitHoltWinters(y), 14)
    // day 84 is a Monday-equivalent (index 0 of the week); 89 and 90 are the weekend
    expect(f[4].mean - f[5].mean).toBeGreaterThan(50) // 112 vs 40 on the pattern
    for (const p of f) expect(p.lower <= p.mean && p.mean <= p.upper).toBe(true)
    expect(f[13].upper - f[13].lower).toBeGreaterThan(f[0].upper - f[0].lower)
  })
  it('never forecasts negative spend', () => {
    const y = Array.from({ length: 42 }, (_, t) => Math.max(0, 100 - 3 * t))
    for (const p of forecastHoltWinters(fitHoltWinters(y), 30)) expect(p.lower).toBeGreaterThanOrEqual(0)
  })
  it('refuses fewer than two seasons', () => {
    expect(() => fitHoltWinters([1, 2, 3])).toThrow(/at least 14 points/)
  })
  it('fits the parameters that minimise the one-step error', () => {
    const y = series(70, 1, 1)
    const fit = fitHoltWinters(y)
    const other = runHoltWinters(y, 7, { alpha: 0.9, beta: 0.2, gamma: 0.9 })
    expect(fit.sse).toBeLessThanOrEqual(other.sse)
  })
  it('backtests: small error on a regular series, null when too short or no spend', () => {
    expect(backtestMape(series(112, 1, 1))!).toBeLessThan(0.05)
    expect(backtestMape(series(30))).toBeNull()
    expect(backtestMape(Array(60).fill(0))).toBeNull()
  })
  it('sums a range of days with a band wider than one day, and the empty range is zero', () => {
    const fit = fitHoltWinters(series(84, 0.5, 1))
    const days = forecastHoltWinters(fit, 10)
    const total = sumForecast(fit, 3, 10)
    expect(total.mean).toBeCloseTo(
      days.slice(2).reduce((a, p) => a + p.mean, 0),
      6,
    )
    expect(total.upper - total.lower).toBeGreaterThan(days[9].upper - days[9].lower)
    expect(sumForecast(fit, 5, 4)).toEqual({ mean: 0, lower: 0, upper: 0 })
  })
})
