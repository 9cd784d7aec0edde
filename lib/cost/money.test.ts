import { describe, expect, test } from 'vitest'
import { divRound, divRoundKeepingSum, fromScaled, MAX_DECIMAL_CHARS, normalizeDecimal, rescale, toScaled, trimTrailingZeros } from '@/lib/cost/money'

describe('toScaled', () => {
  test('plain decimal strings', () => {
    expect(toScaled('1.23', 2)).toBe(123n) // 1.23 × 10^2 = 123
    expect(toScaled('1.2', 6)).toBe(1_200_000n) // 1.2 × 10^6, fraction padded with zeros
    expect(toScaled('42', 3)).toBe(42_000n) // integer × 10^3
    expect(toScaled('0', 12)).toBe(0n)
    expect(toScaled(' 42 ', 3)).toBe(42_000n) // surrounding spaces are trimmed
    expect(toScaled('+7.5', 1)).toBe(75n) // explicit plus sign
    expect(toScaled('.5', 1)).toBe(5n) // no integer part
    expect(toScaled('5.', 1)).toBe(50n) // no fraction digits
    expect(toScaled('007.50', 2)).toBe(750n) // leading zeros
  })

  test('rounds half up (away from zero) on the first dropped digit', () => {
    expect(toScaled('1.235', 2)).toBe(124n) // 1.23|5 → dropped digit 5 → 123 + 1
    expect(toScaled('1.2349', 2)).toBe(123n) // 1.23|49 → dropped digit 4 → 123
    expect(toScaled('1.2350001', 2)).toBe(124n) // 1.23|50001 → 124
    expect(toScaled('0.9999995', 6)).toBe(1_000_000n) // 0.999999|5 → 999999 + 1 = 1.000000
    expect(toScaled('12.5', 0)).toBe(13n) // 12|.5 → 13
    expect(toScaled('12.4', 0)).toBe(12n)
    expect(toScaled('0.5', 0)).toBe(1n)
  })

  test('negative values round half away from zero', () => {
    expect(toScaled('-1.235', 2)).toBe(-124n) // |−1.235| → 124 → −124
    expect(toScaled('-1.234', 2)).toBe(-123n)
    expect(toScaled('-0.5', 0)).toBe(-1n)
    expect(toScaled('-.5', 0)).toBe(-1n)
    expect(toScaled('-0.4', 0)).toBe(0n) // −0 is 0n
    expect(toScaled('-12.000001', 6)).toBe(-12_000_001n)
  })

  test('strings with many decimals', () => {
    const s = '0.1234567890123456789'
    expect(toScaled(s, 9)).toBe(123_456_789n) // 0.123456789|0… → 123456789
    expect(toScaled(s, 12)).toBe(123_456_789_012n) // 0.123456789012|3… → 3 < 5 → down
    expect(toScaled(s, 18)).toBe(123_456_789_012_345_679n) // 0.123456789012345678|9 → up
    expect(toScaled(s, 25)).toBe(1_234_567_890_123_456_789_000_000n) // padded to 25 digits
    expect(toScaled('123456789012345678901234567890.123456', 6)).toBe(123456789012345678901234567890123456n) // beyond 2^53: still exact
  })

  test('numbers: the decimal the number reads as, not its binary expansion', () => {
    // 0.1 + 0.2 === 0.30000000000000004 in binary floating point
    expect(toScaled(0.1 + 0.2, 6)).toBe(300_000n) // 0.300000|00000000004 → 300000
    expect(toScaled(0.1 + 0.2, 17)).toBe(30_000_000_000_000_004n) // every digit of 0.30000000000000004
    // 1.005 is stored as 1.00499999999999989…; the JSON/user wrote 1.005, so half up gives 1.01
    expect(toScaled(1.005, 2)).toBe(101n)
    expect(toScaled(2.675, 2)).toBe(268n) // 2.67|5 → 268 (binary 2.67499999… would give 267)
    expect(toScaled(1.0000005, 6)).toBe(1_000_001n) // 1.000000|5 → 1000001
    expect(toScaled(-2.675, 2)).toBe(-268n)
    expect(toScaled(42, 2)).toBe(4200n)
    expect(toScaled(-0, 2)).toBe(0n)
  })

  test('numbers in exponent notation', () => {
    expect(toScaled(1e-7, 6)).toBe(0n) // 0.000000|1 → 0
    expect(toScaled(5e-7, 6)).toBe(1n) // 0.000000|5 → 1
    expect(toScaled(1.5e-7, 8)).toBe(15n) // 0.00000015 × 10^8 = 15
    expect(toScaled(1.5e-7, 7)).toBe(2n) // 0.0000001|5 → 1 + 1 = 2
    expect(toScaled(-1.5e-7, 7)).toBe(-2n)
    expect(toScaled(1e21, 0)).toBe(10n ** 21n)
    expect(toScaled(1.5e21, 2)).toBe(15n * 10n ** 22n) // 1.5 × 10^21 × 10^2
  })

  test('invalid input throws', () => {
    for (const bad of ['', '   ', '.', '-', '+', 'abc', '1e5', '1,5', '1.2.3', '0x10', '--1', '1-', '$1.00']) {
      expect(() => toScaled(bad, 6), bad).toThrow(/not a decimal/)
    }
    expect(() => toScaled(Number.NaN, 6)).toThrow(/not a finite number/)
    expect(() => toScaled(Number.POSITIVE_INFINITY, 6)).toThrow(/not a finite number/)
    expect(() => toScaled(Number.NEGATIVE_INFINITY, 6)).toThrow(/not a finite number/)
  })
})

describe('fromScaled', () => {
  test('formats with exactly `scale` digits', () => {
    expect(fromScaled(123n, 2)).toBe('1.23')
    expect(fromScaled(5n, 6)).toBe('0.000005')
    expect(fromScaled(0n, 6)).toBe('0.000000')
    expect(fromScaled(1_400_000_000n, 12)).toBe('0.001400000000')
    expect(fromScaled(42n, 0)).toBe('42')
    expect(fromScaled(10n ** 21n, 3)).toBe('1000000000000000000.000')
  })

  test('negative values', () => {
    expect(fromScaled(-5n, 6)).toBe('-0.000005')
    expect(fromScaled(-123_456n, 3)).toBe('-123.456')
    expect(fromScaled(-7n, 0)).toBe('-7')
  })

  test('round-trips with toScaled', () => {
    for (const s of ['0.000000', '1.500000', '-0.000001', '123456789.987654']) expect(fromScaled(toScaled(s, 6), 6)).toBe(s)
  })
})

describe('divRoundKeepingSum', () => {
  test('the parts add up to the sum rounded once; the leftover units go to the largest remainders, ties to the earlier', () => {
    expect(divRoundKeepingSum([4n, 4n, 4n], 10n)).toEqual([1n, 0n, 0n]) // 1.2 → 1
    expect(divRoundKeepingSum([6n, 7n, 2n], 10n)).toEqual([1n, 1n, 0n]) // 1.5 → 2
    expect(divRoundKeepingSum([14n, 26n, 0n], 10n)).toEqual([1n, 3n, 0n]) // 4
    expect(divRoundKeepingSum([-20n, 14n, 14n], 10n)).toEqual([-2n, 2n, 1n]) // 0.8 → 1, a negative multiple of the unit kept
    expect(divRoundKeepingSum([], 10n)).toEqual([])
  })
})

describe('divRound', () => {
  test('exact division', () => {
    expect(divRound(20n, 10n)).toBe(2n)
    expect(divRound(0n, 5n)).toBe(0n)
    expect(divRound(-20n, 10n)).toBe(-2n)
  })

  test('rounds half away from zero in every sign combination', () => {
    expect(divRound(15n, 10n)).toBe(2n) // 1.5 → 2
    expect(divRound(14n, 10n)).toBe(1n) // 1.4 → 1
    expect(divRound(16n, 10n)).toBe(2n) // 1.6 → 2
    expect(divRound(-15n, 10n)).toBe(-2n) // −1.5 → −2
    expect(divRound(-14n, 10n)).toBe(-1n) // −1.4 → −1
    expect(divRound(15n, -10n)).toBe(-2n) // −1.5 → −2
    expect(divRound(-15n, -10n)).toBe(2n) // 1.5 → 2
    expect(divRound(1n, 3n)).toBe(0n) // 0.333… → 0
    expect(divRound(2n, 3n)).toBe(1n) // 0.666… → 1
    expect(divRound(-2n, 3n)).toBe(-1n) // −0.666… → −1
    expect(divRound(1_000_000_000_000_000n, 3600n)).toBe(277_777_777_778n) // 277777777777.77… → …778
  })

  test('division by zero throws', () => {
    expect(() => divRound(1n, 0n)).toThrow(RangeError)
  })
})

describe('rescale', () => {
  test('same scale is the identity', () => {
    expect(rescale(7n, 3, 3)).toBe(7n)
  })

  test('widening multiplies', () => {
    expect(rescale(123n, 2, 5)).toBe(123_000n) // 1.23 → 1.23000
  })

  test('narrowing rounds half up', () => {
    expect(rescale(123_456n, 6, 3)).toBe(123n) // 0.123|456 → 0.123
    expect(rescale(123_500n, 6, 3)).toBe(124n) // 0.123|500 → 0.124
    expect(rescale(-123_500n, 6, 3)).toBe(-124n) // −0.123|5 → −0.124
    expect(rescale(5n, 1, 0)).toBe(1n) // 0.5 → 1
    expect(rescale(140_000n, 12, 6)).toBe(0n) // 0.000000|140000 → 0
    expect(rescale(500_000n, 12, 6)).toBe(1n) // 0.000000|500000 → 0.000001
  })
})

// Amounts come from request bodies (prices, budgets, eval costs): /0+$/ was quadratic over a run of zeros
// that does not end the text (seconds at 200k). Nothing is timed; yielding lets vitest's timeout catch a slow one.
describe('normalizeDecimal on hostile text', () => {
  test('long texts are refused at once; trailing zeros trimmed by a loop', async () => {
    expect(normalizeDecimal(`0.${'0'.repeat(200_000)}1`, 6)).toBeNull()
    await new Promise((done) => setTimeout(done, 0))
    expect(trimTrailingZeros(`${'0'.repeat(200_000)}1`)).toBe(`${'0'.repeat(200_000)}1`)
    await new Promise((done) => setTimeout(done, 0))
    expect(trimTrailingZeros(`1${'0'.repeat(200_000)}`)).toBe('1')
    expect(trimTrailingZeros('000')).toBe('')
    expect(normalizeDecimal(`1.${'0'.repeat(MAX_DECIMAL_CHARS - 2)}`, 6)).toBe('1')
    expect(normalizeDecimal(`1.${'0'.repeat(MAX_DECIMAL_CHARS - 1)}`, 6)).toBeNull()
    expect(normalizeDecimal('0012.500', 6)).toBe('12.5')
    expect(normalizeDecimal(1e-7, 6)).toBeNull()
    expect(normalizeDecimal(0.000001, 6)).toBe('0.000001')
    expect(normalizeDecimal(1e21, 0)).toBe('1000000000000000000000')
  })
})
