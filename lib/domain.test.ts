import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  DAY_MS,
  DIMENSIONS,
  ENVIRONMENTS,
  HOUR_MS,
  MICROS_PER_USD,
  micros,
  microsToNumber,
  microsToUsd,
  OUTCOME_DIMENSIONS,
  OUTCOMES,
  TRAFFIC_SOURCES,
  WASTE_OUTCOMES,
  WEEK_MS,
  ZEnvironment,
  ZOutcome,
  ZTrafficSource,
  isWasteOutcome,
} from '@/lib/domain'

describe('money scale', () => {
  it('reads USD decimals and numbers as integer micro-dollars, rounding half up at the 7th decimal', () => {
    expect(micros('1.5')).toBe(1_500_000n)
    expect(micros('0.000001')).toBe(1n)
    expect(micros('0.0000005')).toBe(1n)
    expect(micros('0.0000004')).toBe(0n)
    expect(micros(2.25)).toBe(2_250_000n)
    expect(micros('-3')).toBe(-3n * MICROS_PER_USD)
  })
  it('writes micro-dollars as an exact 6-decimal string, negatives and sub-cent amounts included', () => {
    expect(microsToUsd(1_500_000n)).toBe('1.500000')
    expect(microsToUsd(1n)).toBe('0.000001')
    expect(microsToUsd(-2_000_001n)).toBe('-2.000001')
    expect(microsToNumber(12_345_678n)).toBe(12.345678)
  })
  it('round-trips every micro-dollar amount exactly', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (m) => micros(microsToUsd(m)) === m))
  })
  it('sums money exactly where floats drift', () => {
    const sum = Array.from({ length: 10 }, () => micros('0.1')).reduce((a, b) => a + b, 0n)
    expect(microsToUsd(sum)).toBe('1.000000')
  })
})

describe('vocabulary', () => {
  it('keeps the values of the ingest contract (PRODUCT.md)', () => {
    expect(ENVIRONMENTS).toEqual(['production', 'staging', 'development'])
    expect(TRAFFIC_SOURCES).toEqual(['production', 'eval', 'replay', 'ops'])
    expect(OUTCOMES).toEqual(['success', 'retry', 'fallback', 'escalation', 'error'])
    expect(DIMENSIONS).toEqual(['environment', 'traffic_source', 'workflow_id', 'step', 'call_type', 'feature', 'account_id', 'provider', 'model', 'outcome'])
  })
  it('keeps the subsets inside their sets', () => {
    expect(WASTE_OUTCOMES.every((o) => (OUTCOMES as readonly string[]).includes(o))).toBe(true)
    expect(OUTCOME_DIMENSIONS.every((d) => (DIMENSIONS as readonly string[]).includes(d))).toBe(true)
  })
  it('parses with the "must be one of" message', () => {
    expect(ZEnvironment.safeParse('staging').success).toBe(true)
    expect(ZTrafficSource.safeParse('prod').error?.issues[0].message).toBe('must be one of production, eval, replay, ops')
    expect(ZOutcome.safeParse('ok').error?.issues[0].message).toBe('must be one of success, retry, fallback, escalation, error')
  })
  it('tells waste outcomes', () => {
    expect(['retry', 'error', 'success', null, undefined].map(isWasteOutcome)).toEqual([true, true, false, false, false])
  })
  it('has the time spans in milliseconds', () => {
    expect([HOUR_MS, DAY_MS, WEEK_MS]).toEqual([3_600_000, 86_400_000, 604_800_000])
  })
})
