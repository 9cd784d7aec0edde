import { describe, expect, it, test } from 'vitest'
import fc from 'fast-check'
import {
  CHART_COLORS,
  hashKey,
  listColors,
  orgSeriesColors,
  partialDayIn,
  partialDayTooltipLabel,
  SERIES_PALETTE,
  seriesColor,
  seriesColors,
} from '@/components/charts/theme'

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
  it('gives every key its own colour, whatever the other series are, when no two keys of the chart hash to the same colour', () => {
    const slot = (k: string) => hashKey(k) % SERIES_PALETTE.length
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: SERIES_PALETTE.length }), (keys) => {
        fc.pre(new Set(keys.map(slot)).size === keys.length)
        const c = seriesColors(keys)
        for (const k of keys) expect(c[k]).toBe(seriesColor(k))
      }),
    )
  })
  it("keeps a key's colour when other series come and go, unless one of them collides with it", () => {
    fc.assert(
      fc.property(fc.string(), fc.uniqueArray(fc.string(), { maxLength: SERIES_PALETTE.length - 1 }), (key, others) => {
        const rest = others.filter((o) => o !== key)
        // no other key takes the key's own colour first: then the key has it
        const before = rest.filter((o) => o < key)
        const claimed = Object.values(seriesColors(before))
        fc.pre(!claimed.includes(seriesColor(key)))
        expect(seriesColors([...rest, key])[key]).toBe(seriesColor(key))
      }),
    )
  })
  it('colours the demo workflows apart in one chart, and the same in every chart of all of them', () => {
    const demo = ['support-agent', 'email-drafter', 'doc-summarizer', 'lead-qualifier', 'transcript-cleaner']
    const c = seriesColors(demo)
    expect(new Set(Object.values(c)).size).toBe(demo.length)
    expect(seriesColors([...demo].reverse())).toEqual(c)
    // support-agent sorts after none that takes its colour: it has its own wherever it is drawn
    expect(c['support-agent']).toBe(seriesColor('support-agent'))
    expect(seriesColors(['support-agent', 'lead-qualifier'])['support-agent']).toBe(seriesColor('support-agent'))
  })
  it('still colours every series when there are more than the palette holds', () => {
    const keys = Array.from({ length: 25 }, (_, i) => `m${i}`)
    const c = seriesColors(keys)
    expect(keys.every((k) => SERIES_PALETTE.includes(c[k] as (typeof SERIES_PALETTE)[number]))).toBe(true)
  })
})

describe('listColors', () => {
  it("colours a list's rows as a chart of the same keys does, and its no-value and Other rows neutral", () => {
    const colorOf = listColors(['b', 'a', '(none)', 'Other'], ['(none)', 'Other'])
    const chart = seriesColors(['a', 'b'])
    expect(colorOf('a')).toBe(chart.a)
    expect(colorOf('b')).toBe(chart.b)
    expect(colorOf('(none)')).toBe(CHART_COLORS.neutral)
    expect(colorOf('Other')).toBe(CHART_COLORS.neutral)
    // a row that is not among the keys (e.g. spend only in the previous period) is neutral too
    expect(colorOf('stopped')).toBe(CHART_COLORS.neutral)
  })
  it('does not depend on which rows the list shows first', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 12 }), (keys) => {
        const a = listColors(keys)
        const b = listColors([...keys].reverse())
        for (const k of keys) expect(a(k)).toBe(b(k))
      }),
    )
  })
})

describe('partialDayIn', () => {
  const now = new Date('2026-12-06T03:35:00Z')
  test("today's UTC day among the chart's days, as the chart keys it", () => {
    expect(partialDayIn(['2026-12-05', '2026-12-06'], now)).toBe('2026-12-06')
    expect(partialDayIn(['2026-12-05T00:00:00.000Z', '2026-12-06T00:00:00.000Z'], now)).toBe('2026-12-06T00:00:00.000Z')
  })
  test("the tooltip's title names the partial day", () => {
    expect(partialDayTooltipLabel('2026-12-06')('2026-12-06')).toBe('2026-12-06 (UTC), today (partial)')
    expect(partialDayTooltipLabel('2026-12-06')('2026-12-05')).toBe('2026-12-05 (UTC)')
    expect(partialDayTooltipLabel(null)('2026-12-05')).toBe('2026-12-05 (UTC)')
  })
  test('null for a chart that ends before today', () => {
    expect(partialDayIn(['2026-11-29', '2026-11-30'], now)).toBeNull()
    expect(partialDayIn([], now)).toBeNull()
  })
})

describe('orgSeriesColors: a name has one colour on every page (issue 21)', () => {
  // two workflows whose own colours collide: drawn with different neighbours, seriesColors alone can paint "b" two ways
  const slot = (k: string) => hashKey(k) % SERIES_PALETTE.length
  const names = Array.from({ length: 40 }, (_, i) => `wf-${i}`)
  it('gives a name the colour it has among all the organization’s names, whichever names a chart draws beside it', () => {
    const all = seriesColors(names)
    fc.assert(
      fc.property(fc.subarray(names, { minLength: 1 }), fc.subarray(names, { minLength: 1 }), (a, b) => {
        const ca = orgSeriesColors(names, a)
        const cb = orgSeriesColors(names, b)
        for (const k of a) expect(ca[k]).toBe(all[k])
        for (const k of a.filter((x) => b.includes(x))) expect(ca[k]).toBe(cb[k])
        expect(Object.keys(ca).sort()).toEqual([...a].sort())
      }),
    )
  })
  it('is what seriesColors gave a chart before: a colliding pair no longer repaints its second name', () => {
    const y = names.find((n) => names.some((m) => m < n && slot(m) === slot(n)))!
    const x = names.find((m) => m < y && slot(m) === slot(y))!
    // on its own y has its hash colour; beside x (same slot, sorts first) seriesColors moves it: two pages, two colours
    expect(seriesColors([y])[y]).not.toBe(seriesColors([x, y])[y])
    // with the organization's names, one colour
    expect(orgSeriesColors(names, [y])[y]).toBe(orgSeriesColors(names, [x, y])[y])
  })
  it('adds a name the set does not hold yet, and without the set colours the chart’s own keys', () => {
    const c = orgSeriesColors(['a', 'b'], ['b', 'new'])
    expect(c).toEqual({ b: seriesColors(['a', 'b', 'new']).b, new: seriesColors(['a', 'b', 'new']).new })
    expect(orgSeriesColors(undefined, ['a', 'b'])).toEqual(seriesColors(['a', 'b']))
  })
  it('colours a list as the organization’s names do, its no-value and Other rows neutral', () => {
    const colorOf = listColors(['wf-3', 'Other'], ['Other'], names)
    expect(colorOf('wf-3')).toBe(seriesColors(names)['wf-3'])
    expect(colorOf('Other')).toBe(CHART_COLORS.neutral)
  })
})
