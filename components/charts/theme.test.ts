import { describe, expect, it, test } from 'vitest'
import fc from 'fast-check'
import { hashKey, partialDayIn, SERIES_PALETTE, seriesColor, seriesColors } from '@/components/charts/theme'

describe('series colours', () => {
  it('gives a key the same colour every time, from the palette', () => {
    expect(seriesColor('support-agent')).toBe(seriesColor('support-agent'))
    expect(SERIES_PALETTE).toContain(seriesColor('support-agent'))
    // pinned: a change of hash or palette would repaint every workflow on every page
    expect(hashKey('')).toBe(0x811c9dc5)
    expect(hashKey('a')).toBe(0xe40c292c)
    expect(seriesColor('a')).toBe(SERIES_PALETTE[0xe40c292c % SERIES_PALETTE.length])
  })
  it('spreads keys over the whole palette', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => seriesColor(`workflow-${i}`)))
    expect(used.size).toBe(SERIES_PALETTE.length)
  })
  it('depends on the set of keys drawn together, never on their order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 12 }), (keys) => {
        expect(seriesColors([...keys].reverse())).toEqual(seriesColors(keys))
      }),
    )
  })
  it('keeps the series of one chart apart while the palette lasts', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: SERIES_PALETTE.length }), (keys) => {
        expect(new Set(Object.values(seriesColors(keys))).size).toBe(keys.length)
      }),
    )
  })
  it('colours a series named like an Object.prototype key (found by the property above)', () => {
    const c = seriesColors(['__proto__', 'constructor'])
    expect(Object.keys(c).sort()).toEqual(['__proto__', 'constructor'])
    expect(new Set(Object.values(c)).size).toBe(2)
  })
  it('keeps a key its own colour when no other key of the chart claims it first', () => {
    fc.assert(
      fc.property(fc.string(), (key) => {
        expect(seriesColors([key])[key]).toBe(seriesColor(key))
      }),
    )
  })
  it('still colours every series when there are more than the palette holds', () => {
    const keys = Array.from({ length: 25 }, (_, i) => `m${i}`)
    const c = seriesColors(keys)
    expect(keys.every((k) => SERIES_PALETTE.includes(c[k] as (typeof SERIES_PALETTE)[number]))).toBe(true)
  })
})

describe('partialDayIn', () => {
  const now = new Date('2026-12-06T03:35:00Z')
  test("today's UTC day among the chart's days, as the chart keys it", () => {
    expect(partialDayIn(['2026-12-05', '2026-12-06'], now)).toBe('2026-12-06')
    expect(partialDayIn(['2026-12-05T00:00:00.000Z', '2026-12-06T00:00:00.000Z'], now)).toBe('2026-12-06T00:00:00.000Z')
  })
  test('null for a chart that ends before today', () => {
    expect(partialDayIn(['2026-11-29', '2026-11-30'], now)).toBeNull()
    expect(partialDayIn([], now)).toBeNull()
  })
})
