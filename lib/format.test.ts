import { describe, expect, test } from 'vitest'
import { formatCompact, formatCount, formatMs, formatPercent, formatUsd, formatUsdCompact } from '@/lib/format'

describe('formatUsd', () => {
  test('dollars and cents with thousands separators', () => {
    expect(formatUsd('1234.567890')).toBe('$1,234.57')
    expect(formatUsd(1234567.891)).toBe('$1,234,567.89')
    expect(formatUsd('0.010000')).toBe('$0.01')
    expect(formatUsd('0')).toBe('$0.00')
    expect(formatUsd(2)).toBe('$2.00')
    expect(formatUsd('-12.3456')).toBe('-$12.35')
  })

  test('amounts under a cent keep their significant digits (up to 6 decimals)', () => {
    expect(formatUsd('0.0042')).toBe('$0.0042')
    expect(formatUsd('0.004237')).toBe('$0.004237')
    expect(formatUsd('0.000140')).toBe('$0.00014')
    expect(formatUsd(0.005)).toBe('$0.005')
    expect(formatUsd('-0.0042')).toBe('-$0.0042')
  })

  test('precise: up to 4 decimals', () => {
    expect(formatUsd('1.23456', { precise: true })).toBe('$1.2346')
    expect(formatUsd('2', { precise: true })).toBe('$2.00')
    expect(formatUsd('0.0042', { precise: true })).toBe('$0.0042')
  })

  test('not a number → dash', () => {
    expect(formatUsd('abc')).toBe('—')
    expect(formatUsd(Number.NaN)).toBe('—')
    expect(formatUsd(Number.POSITIVE_INFINITY)).toBe('—')
  })
})

describe('formatUsdCompact', () => {
  test('chart axis money', () => {
    expect(formatUsdCompact(0)).toBe('$0')
    expect(formatUsdCompact(950)).toBe('$950')
    expect(formatUsdCompact(1234)).toBe('$1.2K')
    expect(formatUsdCompact(3_400_000)).toBe('$3.4M')
    expect(formatUsdCompact(1000)).toBe('$1K') // not "$1.0K"
    expect(formatUsdCompact(20_000)).toBe('$20K')
    expect(formatUsdCompact(0.5)).toBe('$0.5')
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

describe('formatMs', () => {
  test('says ms under a second and seconds above, — when unknown', () => {
    expect(formatMs(850.4)).toBe('850 ms')
    expect(formatMs(2440)).toBe('2.4 s')
    expect(formatMs(31_200)).toBe('31 s')
    expect(formatMs(null)).toBe('—')
  })
})
