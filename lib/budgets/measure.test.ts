import { describe, expect, it } from 'vitest'
import { spanPlan } from './measure'

const t = (s: string) => Date.parse(s)
const iso = (p: ReturnType<typeof spanPlan>) => ({
  daily: p.daily && {
    from: new Date(p.daily.from).toISOString(),
    to: new Date(p.daily.to).toISOString(),
    except: p.daily.except.map((d) => new Date(d).toISOString()),
  },
  hourly: p.hourly.map((h) => [new Date(h.from).toISOString(), new Date(h.to).toISOString()]),
})

describe('spanPlan', () => {
  it('reads whole days daily, and hourly the first partial day, days where a window starts mid-day, and today', () => {
    const now = t('2026-11-10T13:37:00Z')
    // month (Nov 1), day (Nov 10), rolling 7 days (Nov 3 13:00)
    expect(iso(spanPlan([t('2026-11-01T00:00:00Z'), t('2026-11-10T00:00:00Z'), t('2026-11-03T13:00:00Z')], now))).toEqual({
      daily: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-10T00:00:00.000Z', except: ['2026-11-03T00:00:00.000Z'] },
      hourly: [
        ['2026-11-03T00:00:00.000Z', '2026-11-04T00:00:00.000Z'],
        ['2026-11-10T00:00:00.000Z', '2026-11-10T13:37:00.000Z'],
      ],
    })
    // a rolling window that starts mid-day before every other: its first day is hourly
    expect(iso(spanPlan([t('2026-10-11T13:00:00Z'), t('2026-11-10T00:00:00Z')], now)).hourly[0]).toEqual([
      '2026-10-11T13:00:00.000Z',
      '2026-10-12T00:00:00.000Z',
    ])
  })
  it('reads hourly only when no whole day is inside, and no hourly tail at midnight', () => {
    expect(iso(spanPlan([t('2026-11-10T00:00:00Z')], t('2026-11-10T13:37:00Z')))).toEqual({
      daily: null,
      hourly: [['2026-11-10T00:00:00.000Z', '2026-11-10T13:37:00.000Z']],
    })
    expect(iso(spanPlan([t('2026-11-01T00:00:00Z')], t('2026-11-05T00:00:00Z')))).toEqual({
      daily: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-05T00:00:00.000Z', except: [] },
      hourly: [],
    })
  })
})
