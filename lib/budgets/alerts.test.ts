import { describe, expect, it } from 'vitest'
import { alertKeys } from './alerts'

const status = (used: number | null, from = '2026-11-01T00:00:00.000Z') => ({ used_ratio: used, window: { from, to: '', end: '' } }) as never

describe('alertKeys', () => {
  const now = new Date('2026-11-25T18:30:00Z')
  it('one key per threshold reached, keyed to the period’s start', () => {
    expect(alertKeys({ period: 'month', thresholds: [50, 80, 100], status: status(0.85) }, now)).toEqual([
      { period_start: '2026-11-01T00:00:00.000Z', threshold: 50, state: 'warning' },
      { period_start: '2026-11-01T00:00:00.000Z', threshold: 80, state: 'warning' },
    ])
    expect(alertKeys({ period: 'day', thresholds: [100, 120], status: status(1.3) }, now).map((k) => k.state)).toEqual(['exceeded', 'exceeded'])
    expect(alertKeys({ period: 'day', thresholds: [50], status: status(null) }, now)).toEqual([])
  })

  it('a rolling window fires at most once a UTC day per threshold', () => {
    expect(alertKeys({ period: 'rolling', thresholds: [100], status: status(1, '2026-11-18T18:30:00.000Z') }, now)).toEqual([
      { period_start: '2026-11-25T00:00:00.000Z', threshold: 100, state: 'exceeded' },
    ])
  })
})
