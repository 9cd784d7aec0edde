import { describe, expect, it } from 'vitest'
import { ariaSort, compareSortValues, firstDirection, moneyKey, nextSort, sortRows, type TSortValue } from '@/lib/table/sort'

const by = (rows: { v: TSortValue; id: string }[], dir: 'asc' | 'desc') => sortRows(rows, (r) => r.v, dir).map((r) => r.id)

describe('sortRows', () => {
  it('sorts money by its micro-dollar value, not by the formatted text', () => {
    const rows = [
      { id: 'a', v: moneyKey('9.5') },
      { id: 'b', v: moneyKey('10.000001') },
      { id: 'c', v: moneyKey('0.0163') },
      { id: 'd', v: moneyKey('10') },
    ]
    expect(by(rows, 'desc')).toEqual(['b', 'd', 'a', 'c'])
    expect(by(rows, 'asc')).toEqual(['c', 'a', 'd', 'b'])
  })

  it('keeps nulls (and NaN, undefined) last in both directions', () => {
    const rows = [
      { id: 'n', v: null },
      { id: 'one', v: 1 },
      { id: 'u', v: undefined },
      { id: 'three', v: 3 },
      { id: 'nan', v: Number.NaN },
    ]
    expect(by(rows, 'desc')).toEqual(['three', 'one', 'n', 'u', 'nan'])
    expect(by(rows, 'asc')).toEqual(['one', 'three', 'n', 'u', 'nan'])
  })

  it('is stable: ties keep their order', () => {
    const rows = [
      { id: 'x', v: 2 },
      { id: 'y', v: 1 },
      { id: 'z', v: 2 },
    ]
    expect(by(rows, 'desc')).toEqual(['x', 'z', 'y'])
    expect(by(rows, 'asc')).toEqual(['y', 'x', 'z'])
  })

  it('sorts text case-insensitively with numbers read as numbers', () => {
    const rows = ['step-10', 'Step-2', 'alpha'].map((v) => ({ id: v, v }))
    expect(by(rows, 'asc')).toEqual(['alpha', 'Step-2', 'step-10'])
  })

  it('returns a copy of the rows without a value function', () => {
    const rows = [{ v: 1 }, { v: 2 }]
    const out = sortRows(rows, undefined, 'asc')
    expect(out).toEqual(rows)
    expect(out).not.toBe(rows)
  })

  it('compares bigints exactly past 2^53', () => {
    expect(compareSortValues(9007199254740993n, 9007199254740992n, 'asc')).toBe(1)
  })
})

describe('nextSort, firstDirection, ariaSort', () => {
  it('starts a new column in its first direction and flips the same column', () => {
    expect(nextSort(null, 'cost')).toEqual({ key: 'cost', dir: 'desc' })
    expect(nextSort({ key: 'cost', dir: 'desc' }, 'cost')).toEqual({ key: 'cost', dir: 'asc' })
    expect(nextSort({ key: 'cost', dir: 'asc' }, 'name', 'asc')).toEqual({ key: 'name', dir: 'asc' })
  })
  it('text columns start A→Z, figures largest first', () => {
    expect(firstDirection([{ v: null }, { v: 'b' }], (r) => r.v)).toBe('asc')
    expect(firstDirection([{ v: null }, { v: 2 }], (r) => r.v)).toBe('desc')
    expect(firstDirection([{ v: 1n }], (r) => r.v)).toBe('desc')
  })
  it('names the header state for assistive technology', () => {
    expect(ariaSort({ key: 'a', dir: 'asc' }, 'a')).toBe('ascending')
    expect(ariaSort({ key: 'a', dir: 'desc' }, 'a')).toBe('descending')
    expect(ariaSort({ key: 'a', dir: 'desc' }, 'b')).toBe('none')
    expect(ariaSort(null, 'a')).toBe('none')
  })
})
