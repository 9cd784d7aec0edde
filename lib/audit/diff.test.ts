import { describe, expect, it } from 'vitest'
import { diffViews } from '@/lib/audit/diff'

describe('diffViews', () => {
  it('lists only the fields that changed, by path', () => {
    const before = { id: 'b1', name: 'Support', amount_usd: '1', thresholds: [50, 80], owner: null }
    const after = { id: 'b1', name: 'Support', amount_usd: '2.5', thresholds: [50, 90], owner: 'ana' }
    expect(diffViews(before, after)).toEqual([
      { path: 'amount_usd', before: '1', after: '2.5', kind: 'changed' },
      { path: 'owner', before: null, after: 'ana', kind: 'changed' },
      { path: 'thresholds.1', before: 80, after: 90, kind: 'changed' },
    ])
  })

  it('a creation adds every field, a deletion removes every field, nested objects flatten', () => {
    expect(diffViews(null, { a: 1, b: { c: 'x' } })).toEqual([
      { path: 'a', before: undefined, after: 1, kind: 'added' },
      { path: 'b.c', before: undefined, after: 'x', kind: 'added' },
    ])
    expect(diffViews({ a: 1 }, null)).toEqual([{ path: 'a', before: 1, after: undefined, kind: 'removed' }])
    expect(diffViews({ a: [1, 2] }, { a: [1] })).toEqual([{ path: 'a.1', before: 2, after: undefined, kind: 'removed' }])
    expect(diffViews({ a: 1 }, { a: 1 })).toEqual([])
  })
})
