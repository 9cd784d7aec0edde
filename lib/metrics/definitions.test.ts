import { describe, expect, it } from 'vitest'
import { definitionOf, METRIC_DEFINITIONS, METRIC_TERMS, retryRate, retryTaxShare, termOfLabel } from '@/lib/metrics/definitions'
import { micros } from '@/lib/domain'

describe('the glossary', () => {
  it('has one definition per term, each a sentence, and no two terms share a label', () => {
    const labels = METRIC_TERMS.map((t) => METRIC_DEFINITIONS[t].label.toLowerCase())
    expect(new Set(labels).size).toBe(labels.length)
    for (const t of METRIC_TERMS) expect(METRIC_DEFINITIONS[t].definition.length).toBeGreaterThan(20)
  })

  it('looks a term up, and a label back to its term', () => {
    expect(definitionOf('retry_rate')).toEqual({ term: 'retry_rate', label: 'Retry rate', definition: expect.stringContaining('÷ all calls') })
    expect(termOfLabel('retry tax %')).toBe('retry_tax_share')
    expect(termOfLabel(' Cost per run ')).toBe('cost_per_run')
    expect(termOfLabel('no such measure')).toBeNull()
  })

  it('words the retry rate (calls) and the retry tax % (money) differently', () => {
    expect(definitionOf('retry_rate').label).not.toBe(definitionOf('retry_tax_share').label)
    expect(definitionOf('retry_rate').definition).toMatch(/retry or error/)
    expect(definitionOf('retry_tax_share').definition).toMatch(/Weighted by cost/)
  })
})

describe('retryRate and retryTaxShare', () => {
  it('retry rate counts calls: retry + error calls ÷ calls, 0 without calls', () => {
    expect(retryRate(57, 1000)).toBeCloseTo(0.057)
    expect(retryRate(0, 0)).toBe(0)
  })

  it('retry tax % weighs money exactly: the same step reads differently when its retried calls are cheaper', () => {
    // 1,000 calls, 57 retried (5.7%); the retried calls are shorter, so they are 4.6% of the spend
    expect(retryTaxShare(micros('0.46'), micros('10'))).toBe(0.046)
    expect(retryTaxShare(1n, 3n)).toBe(0.333333)
    expect(retryTaxShare(5n, 0n)).toBe(0)
  })
})
