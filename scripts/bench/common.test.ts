import { describe, expect, it } from 'vitest'
import { percentile } from './common'

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ceil(p/100 · n)', () => {
    const xs = Array.from({ length: 20 }, (_, i) => 20 - i) // 20..1, unsorted on purpose
    expect(percentile(xs, 50)).toBe(10)
    expect(percentile(xs, 95)).toBe(19)
    expect(percentile(xs, 100)).toBe(20)
    expect(percentile(xs, 0)).toBe(1)
  })

  it('is the only value of one sample, NaN of none, and keeps Infinity for never-observed values', () => {
    expect(percentile([42], 95)).toBe(42)
    expect(percentile([], 50)).toBeNaN()
    expect(percentile([1, 2, Infinity], 99)).toBe(Infinity)
  })
})
