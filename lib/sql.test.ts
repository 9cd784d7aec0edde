import { describe, expect, it } from 'vitest'
import { named } from '@/lib/sql'

describe('named SQL parameters', () => {
  it('numbers the placeholders in order of first use, one parameter per name', () => {
    const at = new Date('2026-12-01T00:00:00Z')
    expect(
      named('SELECT * FROM t WHERE org_id = :org AND day >= :from AND day < :to AND (a = :org OR b = :x_1)', { org: 'o', from: at, to: 'z', x_1: 7 }),
    ).toEqual({
      text: 'SELECT * FROM t WHERE org_id = $1 AND day >= $2 AND day < $3 AND (a = $1 OR b = $4)',
      values: ['o', at, 'z', 7],
    })
  })

  it('leaves casts, quoted literals, quoted identifiers and comments alone', () => {
    const sql = `SELECT :a::timestamptz, '12:30 :a', "col:a", x::int8 -- :a in a comment\nFROM t WHERE y = :b`
    expect(named(sql, { a: 1, b: 2 })).toEqual({
      text: `SELECT $1::timestamptz, '12:30 :a', "col:a", x::int8 -- :a in a comment\nFROM t WHERE y = $2`,
      values: [1, 2],
    })
    expect(named(`SELECT 'it''s :a' WHERE z = :a`, { a: 3 })).toEqual({ text: `SELECT 'it''s :a' WHERE z = $1`, values: [3] })
  })

  it('keeps null and undefined values as parameters', () => {
    expect(named('SELECT :a, :b', { a: null, b: undefined })).toEqual({ text: 'SELECT $1, $2', values: [null, undefined] })
  })

  it('throws on a placeholder without a value and on a value without a placeholder', () => {
    expect(() => named('SELECT :a, :b', { a: 1 })).toThrow(':b has no value')
    expect(() => named('SELECT :a', { a: 1, c: 2 })).toThrow('without a placeholder: c')
  })
})
