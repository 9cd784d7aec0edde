import { describe, expect, it } from 'vitest'
import { rateShape, rowCauses, type TDayCell, type TPriceInForce } from '@/lib/bills/causes'

const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}`
const cell = (d: number, computed: bigint, billed: bigint, extra: Partial<TDayCell> = {}): TDayCell => ({
  day: day(d),
  computed,
  billed,
  unpriced: 0,
  cachedIn: 0,
  cacheWrite: 0,
  ...extra,
})
const row = (c: TDayCell, model: string | null = 'gpt-4.1') => ({ ...c, model, first: c.day, last: c.day })
const catalog: TPriceInForce = { effective_from: '2025-04-14', source: 'catalog', cache_write_priced: false }

describe('rateShape', () => {
  it('finds the day a provider raised its price: the days before agree on one ratio, the days from it on another', () => {
    // $12.34 a day, billed at Outlay's price until the 16th, 8% above from it (as the demo's OpenAI bill)
    const days = Array.from({ length: 30 }, (_, i) => cell(i + 1, 12_340_000n + BigInt(i) * 1_000n, 0n))
    for (const d of days) d.billed = d.day >= day(16) ? (d.computed * 108n) / 100n : d.computed
    const shape = rateShape(days)
    expect(shape).toMatchObject({ kind: 'step', from: day(16) })
    expect(shape?.kind === 'step' && shape.after / shape.before).toBeCloseTo(1.08, 4)
  })
  it('reads a steady ratio off 1 as a rate, and a ratio of 1 (to the micro-dollar rounding) as nothing', () => {
    const discounted = [1, 2, 3, 4].map((d) => cell(d, 5_000_000n * BigInt(d), 4_500_000n * BigInt(d)))
    expect(rateShape(discounted)).toEqual({ kind: 'steady', ratio: 0.9 })
    const equal = [1, 2, 3].map((d) => cell(d, 1_000_001n * BigInt(d), 1_000_000n * BigInt(d)))
    expect(rateShape(equal)).toBeNull()
  })
  it('reads noise as neither, and ignores days where one side is zero', () => {
    const noisy = [1.0, 1.2, 0.9, 1.15, 0.95].map((r, i) => cell(i + 1, 1_000_000n, BigInt(Math.round(r * 1e6))))
    expect(rateShape(noisy)).toBeNull()
    expect(rateShape([cell(1, 0n, 5_000_000n), cell(2, 3_000_000n, 0n)])).toBeNull()
  })
  it('holds a small day to three micro-dollars, not half a percent: rounding is not a price change', () => {
    // $0.0002 a day: one micro-dollar of rounding is half a percent
    const tiny = [1, 2, 3, 4].map((d) => cell(d, 200n, d % 2 ? 201n : 200n))
    expect(rateShape(tiny)).toBeNull()
  })
})

describe('rowCauses', () => {
  const step = { kind: 'step' as const, from: day(16), before: 1, after: 1.08 }
  it('names the price change with the day, the percent and Outlay’s price in force', () => {
    const c = rowCauses(row(cell(20, 10_000_000n, 10_800_000n)), step, catalog, [])
    expect(c).toEqual([
      {
        kind: 'price_change',
        message:
          'the provider’s rate changed +8.0% from 2026-11-16 (billed ÷ computed 1.000 before, 1.080 after); Outlay’s price (the catalog’s) has been in force since 2025-04-14: add the new price from 2026-11-16',
      },
    ])
  })
  it('says when Outlay’s own price changed on the same day, and lists Outlay’s other changes', () => {
    expect(rowCauses(row(cell(20, 1n, 2n)), step, catalog, [day(16)])[0].message).toContain('Outlay’s price changed that day too')
    expect(rowCauses(row(cell(20, 1n, 2n)), step, { ...catalog, source: 'yours' }, [day(3)])[0].message).toContain(
      '(yours) has been in force since 2025-04-14, changed on 2026-11-03',
    )
  })
  it('puts unpriced events first, and a fully unpriced model is only that', () => {
    const c = rowCauses(row(cell(3, 0n, 4_000_000n, { unpriced: 40 }), 'ft:gpt-4.1-mini:demo-co:triage'), null, null, [])
    expect(c).toEqual([
      {
        kind: 'unpriced_events',
        message: '40 events of ft:gpt-4.1-mini:demo-co:triage have no price in Outlay and count $0: add its price and they are re-priced',
      },
    ])
  })
  it('tells traffic never reported, charges beside the models, and events the bill does not charge apart', () => {
    expect(rowCauses(row(cell(3, 0n, 4_200_000n)), null, catalog, [])[0].kind).toBe('not_reported')
    expect(rowCauses(row(cell(3, 0n, 1_000_000n), null), null, null, [])[0].kind).toBe('non_model_charges')
    const notBilled = rowCauses(row(cell(3, 2_500_000n, 0n)), null, catalog, [])
    expect(notBilled).toEqual([{ kind: 'not_billed', message: expect.stringContaining('Outlay counted $2.50 the bills do not charge') }])
  })
  it('finds cache writes missing from the events where the price charges them', () => {
    const c = cell(3, 10_000_000n, 12_000_000n, { cachedIn: 900_000, cacheWrite: 0 })
    const anthropic: TPriceInForce = { effective_from: '2025-09-29', source: 'catalog', cache_write_priced: true }
    expect(rowCauses(row(c, 'claude-sonnet-4-5'), null, anthropic, []).map((x) => x.kind)).toEqual(['missing_cache_writes'])
    // writes reported, or a price without a cache-write rate: not this cause
    expect(rowCauses(row({ ...c, cacheWrite: 1_000 }, 'claude-sonnet-4-5'), null, anthropic, []).map((x) => x.kind)).toEqual(['billed_above'])
    expect(rowCauses(row(c), null, catalog, []).map((x) => x.kind)).toEqual(['billed_above'])
  })
  it('reads a steady ratio as a negotiated rate, and says nothing of a row that matches', () => {
    const c = rowCauses(row(cell(3, 10_000_000n, 9_000_000n)), { kind: 'steady', ratio: 0.9 }, { ...catalog, effective_from: '1970-01-01' }, [])
    expect(c).toEqual([
      {
        kind: 'rate_differs',
        message:
          'billed −10.0% against Outlay’s price on every day of the range: a negotiated rate, a discount or a price Outlay lacks (Outlay’s price (the catalog’s) has no change in its history)',
      },
    ])
    expect(rowCauses(row(cell(3, 5n, 5n)), step, catalog, [])).toEqual([])
  })
  it('does not blame a step that comes after the row', () => {
    expect(rowCauses(row(cell(10, 10_000_000n, 10_500_000n)), step, catalog, []).map((x) => x.kind)).toEqual(['billed_above'])
  })
})
