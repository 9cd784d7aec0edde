import { describe, expect, it } from 'vitest'
import { alertKey } from './alerts'

const status = (used: number | null, from = '2026-11-01T00:00:00.000Z') => ({ used_ratio: used, window: { from, to: '', end: '' } }) as never

describe('alertKey', () => {
  const now = new Date('2026-11-25T18:30:00Z')
  it('one key per budget and period, at the highest threshold reached', () => {
    expect(alertKey({ period: 'month', thresholds: [50, 80, 100], status: status(0.85) }, now)).toEqual({
      period_start: '2026-11-01T00:00:00.000Z',
      threshold: 80,
      state: 'warning',
    })
    expect(alertKey({ period: 'month', thresholds: [100, 50, 80], status: status(1.2) }, now)).toMatchObject({ threshold: 100, state: 'exceeded' })
    expect(alertKey({ period: 'day', thresholds: [100, 120], status: status(1.3) }, now)).toMatchObject({ threshold: 120, state: 'exceeded' })
    expect(alertKey({ period: 'month', thresholds: [50, 80], status: status(0.49) }, now)).toBeNull()
    expect(alertKey({ period: 'day', thresholds: [50], status: status(null) }, now)).toBeNull()
  })

  it('a rolling window fires at most once a UTC day', () => {
    expect(alertKey({ period: 'rolling', thresholds: [100], status: status(1, '2026-11-18T18:30:00.000Z') }, now)).toEqual({
      period_start: '2026-11-25T00:00:00.000Z',
      threshold: 100,
      state: 'exceeded',
    })
  })
})
