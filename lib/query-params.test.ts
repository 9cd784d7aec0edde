import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { commaList, isoDateParam, splitCommaList } from '@/lib/query-params'
import { issuesToLines } from '@/lib/validation'

const errors = (schema: z.ZodType, q: unknown) => {
  const r = schema.safeParse(q, { reportInput: true })
  return r.success ? [] : issuesToLines(r.error.issues)
}

describe('query-string helpers', () => {
  it('splits comma lists, trimming and dropping empty items', () => {
    expect(splitCommaList(' a, b,,c ,')).toEqual(['a', 'b', 'c'])
    expect(splitCommaList('')).toEqual([])
  })
  it('checks a comma list against its allowed values', () => {
    const s = z.strictObject({ environment: commaList(['production', 'staging']).optional() })
    expect(s.parse({ environment: 'production, staging' })).toEqual({ environment: ['production', 'staging'] })
    expect(errors(s, { environment: 'production,prod' })).toEqual(['environment: values must be among: production, staging'])
  })
  it('accepts any values without a list', () => {
    expect(commaList().parse('x,y')).toEqual(['x', 'y'])
  })
  it('reads dates and date-times, and says what is wrong', () => {
    const s = z.strictObject({ from: isoDateParam, to: isoDateParam.optional() })
    expect(s.parse({ from: '2026-11-01' }).from.toISOString()).toBe('2026-11-01T00:00:00.000Z')
    expect(s.parse({ from: '2026-11-01T10:00:00+02:00' }).from.toISOString()).toBe('2026-11-01T08:00:00.000Z')
    expect(errors(s, { from: 'yesterday', to: '2026-13-45' })).toEqual([
      'from: must be an ISO-8601 date or date-time',
      'to: must be an ISO-8601 date or date-time',
    ])
    expect(errors(s, {})).toEqual(['from: is required'])
  })

  it('counts an item named twice once', () => {
    expect(commaList().parse('workflow_id,workflow_id, step')).toEqual(['workflow_id', 'step'])
  })
  it('refuses dates PostgreSQL or a range cannot hold', () => {
    const s = z.strictObject({ from: isoDateParam, to: isoDateParam.optional() })
    expect(errors(s, { from: '0000-01-01T00:00:00Z', to: '9999-12-31T00:00:00Z' })).toEqual([
      'from: must be between 1970-01-01 and 2999-12-31',
      'to: must be between 1970-01-01 and 2999-12-31',
    ])
    expect(s.parse({ from: '1970-01-01', to: '2999-12-31T23:59:59Z' }).to?.toISOString()).toBe('2999-12-31T23:59:59.000Z')
  })
})
