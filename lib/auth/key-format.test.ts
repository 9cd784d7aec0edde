import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { checksum, generateKey, isWellFormedKey, KEY_PATTERN, KEY_PREFIX } from '@/lib/auth/key-format'

describe('API key format', () => {
  it('is outlay_sk_ + 43 base62 characters + their CRC32 in 6 base62 characters, and its visible prefix starts the key', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const { raw, prefix } = generateKey()
      expect(raw).toMatch(KEY_PATTERN)
      expect(raw).toHaveLength(59)
      expect(raw.startsWith(prefix)).toBe(true)
      expect(prefix).toMatch(/^outlay_sk_[0-9A-Za-z]{8}$/)
      expect(raw.slice(-6)).toBe(checksum(raw.slice(10, 53)))
      expect(isWellFormedKey(raw)).toBe(true)
      seen.add(raw)
    }
    expect(seen.size).toBe(200)
  })

  it('computes the checksum a scanner computes: CRC32 (IEEE) in base62, zero-padded', () => {
    // crc32("123456789") = 0xCBF43926 = 3421780262 = 3·62^5 + 45·62^4 + 35·62^3 + 27·62^2 + 22·62 + 14 → "3jZRME"
    expect(checksum('123456789')).toBe('3jZRME')
    // crc32("") = 0 → all zeros
    expect(checksum('')).toBe('000000')
  })

  it('refuses a key whose checksum or shape is wrong, and keeps legacy ol_ keys', () => {
    const { raw } = generateKey()
    const last = raw.at(-1)!
    expect(isWellFormedKey(raw.slice(0, -1) + (last === 'a' ? 'b' : 'a'))).toBe(false)
    expect(isWellFormedKey(raw.slice(0, -1))).toBe(false)
    expect(isWellFormedKey(raw + 'x')).toBe(false)
    expect(isWellFormedKey(raw.replace(KEY_PREFIX, 'outlay_xx_'))).toBe(false)
    expect(isWellFormedKey(`${KEY_PREFIX}${'-'.repeat(49)}`)).toBe(false)
    expect(isWellFormedKey('ol_' + 'A'.repeat(43))).toBe(true)
    expect(isWellFormedKey('ol_' + 'A'.repeat(300))).toBe(false)
    expect(isWellFormedKey('Bearer')).toBe(false)
  })

  it('catches every single-character change of the body (a CRC32 detects all of them)', () => {
    const { raw } = generateKey()
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 52 }), fc.constantFrom(...'0123456789abcdefXYZ'), (i, c) => {
        fc.pre(raw[i] !== c)
        return !isWellFormedKey(raw.slice(0, i) + c + raw.slice(i + 1))
      }),
    )
  })
})
