import { describe, expect, it } from 'vitest'
import { budgetStatus, budgetWindow, type TBudgetRule } from './evaluate'

const NOW = new Date('2026-11-25T18:00:00.000Z')
const measure = (cost: string, runs = 0, prod = cost, accepted = 0) => ({ cost_usd: cost, runs, production_cost_usd: prod, accepted_outcomes: accepted })
const rule = (o: Partial<TBudgetRule> = {}): TBudgetRule => ({ period: 'day', metric: 'spend', amount_usd: '100', thresholds: [50, 80, 100], ...o })

describe('budgetWindow', () => {
  it('is the UTC day so far, the calendar month so far, or the last N days', () => {
    expect(budgetWindow({ period: 'day' }, NOW)).toEqual({ from: new Date('2026-11-25T00:00:00Z'), to: NOW, end: new Date('2026-11-26T00:00:00Z') })
    expect(budgetWindow({ period: 'month' }, NOW)).toEqual({ from: new Date('2026-11-01T00:00:00Z'), to: NOW, end: new Date('2026-12-01T00:00:00Z') })
    expect(budgetWindow({ period: 'month' }, new Date('2026-12-31T23:00:00Z')).end).toEqual(new Date('2027-01-01T00:00:00Z'))
    expect(budgetWindow({ period: 'rolling', rolling_days: 7 }, NOW)).toEqual({ from: new Date('2026-11-18T18:00:00Z'), to: NOW, end: NOW })
  })
})

describe('budgetStatus', () => {
  const day = budgetWindow({ period: 'day' }, NOW) // 18 of 24 hours gone

  it('ok under the first threshold, warning past one, exceeded at 100%', () => {
    expect(budgetStatus(rule(), day, measure('49.999999'))).toMatchObject({ state: 'ok', threshold_crossed: null, used_ratio: 0.499999 })
    expect(budgetStatus(rule(), day, measure('50'))).toMatchObject({ state: 'warning', threshold_crossed: 50 })
    expect(budgetStatus(rule(), day, measure('85.5'))).toMatchObject({ state: 'warning', threshold_crossed: 80 })
    expect(budgetStatus(rule(), day, measure('100'))).toMatchObject({ state: 'exceeded', threshold_crossed: 100, used_ratio: 1 })
    expect(budgetStatus(rule({ thresholds: [90] }), day, measure('120'))).toMatchObject({ state: 'exceeded', threshold_crossed: 90 })
  })

  it('projects day and month spend linearly to the period’s end, exactly', () => {
    const s = budgetStatus(rule(), day, measure('60'))
    expect(s.projected_usd).toBe('80.000000') // 60 over 18 h → 80 over 24 h
    expect(s.projected_over).toBe(false)
    expect(budgetStatus(rule(), day, measure('76')).projected_over).toBe(true)
    expect(
      budgetStatus(rule({ period: 'rolling', rolling_days: 7 }), budgetWindow({ period: 'rolling', rolling_days: 7 }, NOW), measure('60')).projected_usd,
    ).toBeNull()
  })

  it('cost per run and per accepted outcome compare the unit cost with the amount', () => {
    const perRun = budgetStatus(rule({ metric: 'cost_per_run', amount_usd: '0.02' }), day, measure('3', 100))
    expect(perRun).toMatchObject({ actual_usd: '0.030000', used_ratio: 1.5, state: 'exceeded', projected_usd: null })
    const perOutcome = budgetStatus(rule({ metric: 'cost_per_accepted_outcome', amount_usd: '0.5' }), day, measure('3', 100, '2', 5))
    expect(perOutcome).toMatchObject({ actual_usd: '0.400000', used_ratio: 0.8, state: 'warning', threshold_crossed: 80 })
    expect(budgetStatus(rule({ metric: 'cost_per_run' }), day, measure('3', 0)).state).toBe('no_data')
  })
})
