import { describe, expect, it } from 'vitest'
import { backlogBound, backlogShare } from '@/lib/ingest/limits'

describe('backlogBound', () => {
  const limits = { maxSeconds: 2, minEvents: 5_000, maxEvents: 30_000 }
  it('is two seconds of the workers’ pace', () => {
    expect(backlogBound(5_500, limits)).toBe(11_000)
  })
  it('never below the floor (a burst after a quiet spell, when the pace reads 0)', () => {
    expect(backlogBound(0, limits)).toBe(5_000)
    expect(backlogBound(1_000, limits)).toBe(5_000)
  })
  it('never above the cap', () => {
    expect(backlogBound(16_700, limits)).toBe(30_000)
  })
})

describe('backlogShare', () => {
  const byOrg = new Map([
    ['flood', 900],
    ['quiet', 10],
  ])
  it('divides the bound among the organizations with events waiting, the asking one included', () => {
    expect(backlogShare(1_000, byOrg, 'flood')).toBe(500)
    expect(backlogShare(1_000, byOrg, 'quiet')).toBe(500)
    expect(backlogShare(1_000, byOrg, 'new')).toBe(333)
  })
  it('is the whole bound for a lone organization', () => {
    expect(backlogShare(1_000, new Map(), 'a')).toBe(1_000)
    expect(backlogShare(1_000, new Map([['a', 5]]), 'a')).toBe(1_000)
  })
})
