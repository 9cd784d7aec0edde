import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { largestRemainder, ruleWeights } from '@/lib/gpu/allocate'

const sum = (m: Map<string, bigint>) => [...m.values()].reduce((s, v) => s + v, 0n)

describe('largestRemainder', () => {
  it('splits by weight and gives the leftover micro-dollars to the largest remainders', () => {
    // 100 / 3 each: 33.33… → 33, 33, 33 and one left → the first (ties: earlier key)
    expect([
      ...largestRemainder(100n, [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
        { key: 'c', weight: 1 },
      ]),
    ]).toEqual([
      ['a', 34n],
      ['b', 33n],
      ['c', 33n],
    ])
    // 10 by 1:2 → 3.33, 6.67 → 3 + 7
    expect([
      ...largestRemainder(10n, [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 2 },
      ]),
    ]).toEqual([
      ['a', 3n],
      ['b', 7n],
    ])
  })
  it('splits evenly when no weight is positive, and gives nothing to zero weights otherwise', () => {
    expect([
      ...largestRemainder(9n, [
        { key: 'a', weight: 0 },
        { key: 'b', weight: 0 },
      ]),
    ]).toEqual([
      ['a', 5n],
      ['b', 4n],
    ])
    expect([
      ...largestRemainder(9n, [
        { key: 'a', weight: 0 },
        { key: 'b', weight: 3 },
      ]),
    ]).toEqual([
      ['a', 0n],
      ['b', 9n],
    ])
    expect(largestRemainder(9n, []).size).toBe(0)
  })
  it('property: the parts always add up to the total, each within one micro-dollar of its exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (total, ws) => {
          const weights = ws.map((w, i) => ({ key: `s${i}`, weight: w }))
          const parts = largestRemainder(total, weights)
          expect(sum(parts)).toBe(total)
          expect(parts.size).toBe(weights.length)
          const scaled = ws.map((w) => Math.round(w * 1e6))
          const all = scaled.reduce((s, w) => s + w, 0)
          if (all > 0) {
            weights.forEach((w, i) => {
              const exact = (Number(total) * scaled[i]) / all
              expect(Math.abs(Number(parts.get(w.key)!) - exact)).toBeLessThanOrEqual(1 + Math.abs(exact) * 1e-9)
            })
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('ruleWeights', () => {
  const used = new Map([
    ['a', 30],
    ['b', 10],
  ])
  it('weighs by GPU-seconds used, fixed shares, or evenly', () => {
    expect(ruleWeights('gpu_seconds', ['a', 'b', 'c'], used, null).map((w) => w.weight)).toEqual([30, 10, 0])
    expect(ruleWeights('share', ['a', 'b'], used, { a: 3 }).map((w) => w.weight)).toEqual([3, 0])
    expect(ruleWeights('even', ['a', 'b'], used, null).map((w) => w.weight)).toEqual([1, 1])
  })
})
