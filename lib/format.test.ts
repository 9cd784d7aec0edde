import { describe, expect, test } from 'vitest'
import {
  canonicalTimeZone,
  DEFAULT_TIME_ZONE,
  exactUsdPerHour,
  formatCompact,
  formatCount,
  formatDate,
  formatDateTime,
  formatMonth,
  formatMs,
  formatMultiple,
  formatPercent,
  formatTime,
  formatUsd,
  formatUsdCompact,
  formatUsdOf,
  formatUsdPerHour,
  isUnpricedOnly,
  timeZones,
} from '@/lib/format'

describe('formatUsd', () => {
  test('dollars and cents with thousands separators', () => {
    expect(formatUsd('1234.567890')).toBe('$1,234.57')
    expect(formatUsd(1234567.891)).toBe('$1,234,567.89')
    expect(formatUsd('1.004')).toBe('$1.00')
    expect(formatUsd('0')).toBe('$0.00')
    expect(formatUsd(2)).toBe('$2.00')
    expect(formatUsd('-12.3456')).toBe('-$12.35')
  })

  test('under a dollar: three significant digits, so small daily costs differ', () => {
    expect(formatUsd('0.016300')).toBe('$0.0163')
    expect(formatUsd('0.017952')).toBe('$0.0180')
    expect(formatUsd('0.014')).toBe('$0.0140')
    expect(formatUsd('0.010000')).toBe('$0.0100')
    expect(formatUsd('0.004237')).toBe('$0.00424')
    expect(formatUsd('0.000001')).toBe('$0.00000100')
    expect(formatUsd(0.5)).toBe('$0.500')
    expect(formatUsd('0.123456')).toBe('$0.123')
    expect(formatUsd('-0.0042')).toBe('-$0.00420')
    // two days that round to the same cent still read differently
    expect(formatUsd('0.0163')).not.toBe(formatUsd('0.0171'))
  })

  test('precise: up to 4 decimals above a dollar', () => {
    expect(formatUsd('1.23456', { precise: true })).toBe('$1.2346')
    expect(formatUsd('2', { precise: true })).toBe('$2.00')
    expect(formatUsd('0.0042', { precise: true })).toBe('$0.00420')
  })

  test('not a number → dash', () => {
    expect(formatUsd('abc')).toBe('—')
    expect(formatUsd(Number.NaN)).toBe('—')
    expect(formatUsd(Number.POSITIVE_INFINITY)).toBe('—')
  })
})

describe('formatUsdCompact (chart axes)', () => {
  test('compact above a thousand, up to three significant digits', () => {
    expect(formatUsdCompact(0)).toBe('$0')
    expect(formatUsdCompact(950)).toBe('$950')
    expect(formatUsdCompact(1234)).toBe('$1.23K')
    expect(formatUsdCompact(3_400_000)).toBe('$3.4M')
    expect(formatUsdCompact(1000)).toBe('$1K') // not "$1.0K"
    expect(formatUsdCompact(20_000)).toBe('$20K')
    expect(formatUsdCompact(1.25)).toBe('$1.25')
  })

  test('cents keep two decimals', () => {
    expect(formatUsdCompact(0.5)).toBe('$0.50')
    expect(formatUsdCompact(0.1)).toBe('$0.10')
    expect(formatUsdCompact(0.025)).toBe('$0.025')
    expect(formatUsdCompact(-0.1)).toBe('-$0.10')
  })

  test('the ticks recharts picks get distinct labels', () => {
    for (const ticks of [
      [0, 0.05, 0.1, 0.15, 0.2],
      [0, 0.025, 0.05, 0.075, 0.1],
      [0, 0.002, 0.004, 0.006, 0.008],
      [0, 2.5, 5, 7.5, 10],
      [0, 250, 500, 750, 1000],
      [0, 1250, 2500, 3750, 5000],
    ]) {
      const labels = ticks.map(formatUsdCompact)
      expect(new Set(labels).size, labels.join(' ')).toBe(ticks.length)
    }
    expect([0, 0.05, 0.1].map(formatUsdCompact)).toEqual(['$0', '$0.05', '$0.10'])
  })
})

describe('GPU prices and alert amounts', () => {
  test('per hour to the cent, the exact value for the tooltip', () => {
    expect(formatUsdPerHour('2.487500')).toBe('$2.49/h')
    expect(formatUsdPerHour(1)).toBe('$1.00/h')
    expect(formatUsdPerHour('x')).toBe('—')
    expect(exactUsdPerHour('2.487500')).toBe('$2.4875 per GPU-hour')
    expect(exactUsdPerHour('2.000000')).toBe('$2 per GPU-hour')
    expect(exactUsdPerHour('3.5')).toBe('$3.5 per GPU-hour')
  })

  test('unpriced: no cost and calls without a price', () => {
    expect(isUnpricedOnly('0.000000', 12)).toBe(true)
    expect(isUnpricedOnly(0, 1)).toBe(true)
    expect(isUnpricedOnly('0.000000', 0)).toBe(false)
    expect(isUnpricedOnly('0.000000', undefined)).toBe(false)
    expect(isUnpricedOnly('0.5', 3)).toBe(false)
  })

  test('an amount of a limit', () => {
    expect(formatUsdOf('0.017952', '0.014')).toBe('$0.0180 of $0.0140')
    expect(formatUsdOf('1234.5', '1000')).toBe('$1,234.50 of $1,000.00')
  })
})

describe('dates and times', () => {
  const t = '2026-12-06T03:35:55.123Z'
  test('one format for a moment, UTC by default', () => {
    expect(formatDateTime(t)).toBe('6 Dec 2026, 03:35 UTC')
    expect(formatDateTime(new Date(t))).toBe('6 Dec 2026, 03:35 UTC')
    expect(formatDateTime(Date.parse(t), 'UTC')).toBe('6 Dec 2026, 03:35 UTC')
  })

  test("in the organization's time zone", () => {
    expect(formatDateTime(t, 'America/New_York')).toBe('5 Dec 2026, 22:35 GMT-5')
    expect(formatDateTime(t, 'Asia/Kolkata')).toBe('6 Dec 2026, 09:05 GMT+5:30')
    expect(formatDate(t, 'America/New_York')).toBe('5 Dec 2026')
    expect(formatTime(t, 'Europe/Paris')).toBe('04:35:55 CET')
  })

  test('a day, a time, a month', () => {
    expect(formatDate(t)).toBe('6 Dec 2026')
    // a calendar day stays that day whatever the zone
    expect(formatDate('2026-12-06', 'America/New_York')).toBe('6 Dec 2026')
    expect(formatTime(t)).toBe('03:35:55 UTC')
    expect(formatMonth('2026-11-01T00:00:00Z')).toBe('November 2026')
  })

  test('an unknown zone falls back to UTC; an invalid moment is a dash', () => {
    expect(formatDateTime(t, 'Mars/Olympus')).toBe('6 Dec 2026, 03:35 UTC')
    expect(formatDateTime('not a date')).toBe('—')
    expect(formatDate('')).toBe('—')
  })

  test('time zones: canonical names, UTC first', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris')
    expect(canonicalTimeZone('utc')).toBe('UTC')
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull()
    const zones = timeZones()
    expect(zones[0]).toBe(DEFAULT_TIME_ZONE)
    expect(zones).toContain('Europe/Paris')
    expect(new Set(zones).size).toBe(zones.length)
  })
})

describe('formatCount and formatCompact', () => {
  test('counts', () => {
    expect(formatCount(0)).toBe('0')
    expect(formatCount(1234567)).toBe('1,234,567')
  })

  test('compact', () => {
    expect(formatCompact(999)).toBe('999')
    expect(formatCompact(12_345)).toBe('12.3K')
    expect(formatCompact(1_500_000)).toBe('1.5M')
    expect(formatCompact(2_000_000_000)).toBe('2B')
  })
})

describe('formatPercent', () => {
  test('ratio to percent', () => {
    expect(formatPercent(0.1234)).toBe('12.3%')
    expect(formatPercent(0)).toBe('0.0%')
    expect(formatPercent(1)).toBe('100.0%')
    expect(formatPercent(0.5, 0)).toBe('50%')
    expect(formatPercent(1 / 3, 2)).toBe('33.33%')
  })

  test('not finite → dash', () => {
    expect(formatPercent(Number.NaN)).toBe('—')
    expect(formatPercent(Number.POSITIVE_INFINITY)).toBe('—')
  })
})

describe('formatMultiple', () => {
  test('a large multiplier has thousands separators', () => {
    expect(formatMultiple(22436.9)).toBe('22,436.9×')
    expect(formatMultiple(22436.94)).toBe('22,436.9×')
    expect(formatMultiple(1234567, 0)).toBe('1,234,567×')
  })
  test('small ones keep their decimals; digits fixes how many', () => {
    expect(formatMultiple(1.5)).toBe('1.5×')
    expect(formatMultiple(2, 1)).toBe('2.0×')
    expect(formatMultiple(2.345, 2)).toBe('2.35×')
    expect(formatMultiple(0.04)).toBe('0.0×')
  })
  test('not finite → dash', () => {
    expect(formatMultiple(Number.NaN)).toBe('—')
    expect(formatMultiple(Number.POSITIVE_INFINITY)).toBe('—')
  })
})

describe('formatMs', () => {
  test('says ms under a second and seconds above, — when unknown', () => {
    expect(formatMs(850.4)).toBe('850 ms')
    expect(formatMs(2440)).toBe('2.4 s')
    expect(formatMs(31_200)).toBe('31 s')
    expect(formatMs(null)).toBe('—')
  })
})
