import { describe, expect, test } from 'vitest'
import { customRange, normalizeRange, parseCustomRange, partialDay, periodDayBounds, rangeLabel, rangePeriods } from '@/lib/metrics/range'

const NOW = new Date('2026-12-06T14:23:05.000Z')
const p = (from: string, to: string) => ({ from: `${from}.000Z`, to: `${to}.000Z` })

describe('range in the URL', () => {
  test('presets and custom ranges are kept; anything else is the default (last 30 days)', () => {
    for (const r of ['mtd', 'last_month', 'qtd', '7', '30', '90', '2026-11-03..2026-11-20', '2026-11-03..2026-11-03']) expect(normalizeRange(r)).toBe(r)
    for (const r of [null, '', '45', '2026-11-20..2026-11-03', '2026-02-30..2026-03-01', '2026-11-03', 'x..y', '2025-01-01..2026-12-01'])
      expect(normalizeRange(r)).toBe('30')
  })

  test('custom: both days included, at most 366 days', () => {
    expect(parseCustomRange(customRange('2026-11-03', '2026-11-20'))).toEqual({ from: '2026-11-03', to: '2026-11-20' })
    expect(parseCustomRange('2025-12-06..2026-12-06')).toEqual({ from: '2025-12-06', to: '2026-12-06' })
    expect(parseCustomRange('2025-12-05..2026-12-06')).toBeNull()
  })

  test('labels', () => {
    expect(rangeLabel('mtd')).toBe('Month to date')
    expect(rangeLabel('last_month')).toBe('Last month')
    expect(rangeLabel('7')).toBe('Last 7 days')
    expect(rangeLabel('2026-11-03..2026-11-20')).toBe('3 Nov 2026 – 20 Nov 2026')
    expect(rangeLabel('2026-11-03..2026-11-03')).toBe('3 Nov 2026')
  })
})

describe('periods of a range and the period compared with', () => {
  test('last N days: up to the next hour; the previous period is the N days before', () => {
    expect(rangePeriods('7', NOW)).toEqual({
      current: p('2026-11-30T00:00:00', '2026-12-06T15:00:00'),
      previous: p('2026-11-23T00:00:00', '2026-11-29T15:00:00'),
    })
  })

  test('month to date: from the 1st; compared with the previous month as far in', () => {
    expect(rangePeriods('mtd', NOW)).toEqual({
      current: p('2026-12-01T00:00:00', '2026-12-06T15:00:00'),
      previous: p('2026-11-01T00:00:00', '2026-11-06T15:00:00'),
    })
    // 31 March: February is shorter, the previous period stops at its end
    expect(rangePeriods('mtd', new Date('2026-03-31T10:00:00Z')).previous).toEqual(p('2026-02-01T00:00:00', '2026-03-01T00:00:00'))
    // 1 January: December of the year before
    expect(rangePeriods('mtd', new Date('2027-01-01T00:30:00Z'))).toEqual({
      current: p('2027-01-01T00:00:00', '2027-01-01T01:00:00'),
      previous: p('2026-12-01T00:00:00', '2026-12-01T01:00:00'),
    })
  })

  test('last month: the whole previous month; compared with the month before it', () => {
    expect(rangePeriods('last_month', NOW)).toEqual({
      current: p('2026-11-01T00:00:00', '2026-12-01T00:00:00'),
      previous: p('2026-10-01T00:00:00', '2026-11-01T00:00:00'),
    })
    expect(rangePeriods('last_month', new Date('2027-01-15T00:00:00Z')).current).toEqual(p('2026-12-01T00:00:00', '2027-01-01T00:00:00'))
  })

  test('quarter to date: from the quarter start; compared with the previous quarter as far in', () => {
    expect(rangePeriods('qtd', NOW)).toEqual({
      current: p('2026-10-01T00:00:00', '2026-12-06T15:00:00'),
      previous: p('2026-07-01T00:00:00', '2026-09-06T15:00:00'),
    })
    expect(rangePeriods('qtd', new Date('2026-02-10T08:00:00Z')).previous).toEqual(p('2025-10-01T00:00:00', '2025-11-10T09:00:00'))
  })

  test('custom: past days end at midnight after the last; the same number of days before', () => {
    expect(rangePeriods('2026-11-03..2026-11-20', NOW)).toEqual({
      current: p('2026-11-03T00:00:00', '2026-11-21T00:00:00'),
      previous: p('2026-10-16T00:00:00', '2026-11-03T00:00:00'),
    })
  })

  test('custom reaching today or beyond ends with the current hour', () => {
    expect(rangePeriods('2026-12-01..2026-12-31', NOW)).toEqual({
      current: p('2026-12-01T00:00:00', '2026-12-06T15:00:00'),
      previous: p('2026-11-25T00:00:00', '2026-11-30T15:00:00'),
    })
  })

  test("today's day is partial in a period that reaches it", () => {
    expect(partialDay(rangePeriods('mtd', NOW).current, NOW)).toBe('2026-12-06')
    expect(partialDay(rangePeriods('last_month', NOW).current, NOW)).toBeNull()
  })

  test("a period's first and last days (the custom picker starts from them)", () => {
    expect(periodDayBounds(rangePeriods('mtd', NOW).current)).toEqual({ from: '2026-12-01', to: '2026-12-06' })
    expect(periodDayBounds(rangePeriods('last_month', NOW).current)).toEqual({ from: '2026-11-01', to: '2026-11-30' })
  })
})
