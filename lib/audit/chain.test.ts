import { describe, expect, it } from 'vitest'
import { canonicalJson, chainHash, jsonView, type TChainFields } from '@/lib/audit/chain'

const fields: TChainFields = {
  org_id: 'o',
  seq: 2,
  at: new Date('2026-12-06T05:00:00.123Z'),
  actor_type: 'user',
  actor_id: 'u',
  actor_label: 'a@example.com',
  action: 'budget.update',
  target_type: 'budget',
  target_id: 'b',
  before: { amount_usd: '1', thresholds: [50, 80] },
  after: { amount_usd: '2', thresholds: [50, 80] },
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, so jsonb reordering keys does not change it', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}')
    expect(canonicalJson({ x: 1, y: undefined })).toBe(canonicalJson({ x: 1 }))
  })
})

describe('chainHash', () => {
  const h = chainHash('prev', fields)

  it('is sha256 hex and depends on the previous hash and on every field', () => {
    expect(h).toMatch(/^[0-9a-f]{64}$/)
    expect(chainHash('prev', { ...fields, before: { thresholds: [50, 80], amount_usd: '1' } })).toBe(h)
    expect(chainHash('other', fields)).not.toBe(h)
    expect(chainHash(null, fields)).not.toBe(h)
    for (const change of [
      { seq: 3 },
      { at: new Date('2026-12-06T05:00:00.124Z') },
      { actor_id: 'v' },
      { actor_label: 'b@example.com' },
      { action: 'budget.delete' },
      { target_id: 'c' },
      { after: { amount_usd: '2.5', thresholds: [50, 80] } },
      { before: null },
    ]) {
      expect(chainHash('prev', { ...fields, ...change } as TChainFields), JSON.stringify(change)).not.toBe(h)
    }
  })
})

describe('jsonView', () => {
  it('gives the JSON the database hands back: dates as ISO strings, bigints as strings, undefined gone', () => {
    expect(jsonView({ at: new Date('2026-01-01T00:00:00Z'), n: 10n, gone: undefined })).toEqual({ at: '2026-01-01T00:00:00.000Z', n: '10' })
    expect(jsonView(undefined)).toBeNull()
  })
})
