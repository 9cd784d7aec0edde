import 'server-only'
import { randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'

// The shape of an Outlay API key, recognisable by secret scanners offline:
//   outlay_sk_<43 base62 characters: 256 random bits><6 base62 characters: CRC32 of those 43>
// like GitHub's tokens: a fixed prefix a scanner can match, and a checksum it
// can verify without asking us, so a random string that merely looks like a key
// is not reported (README "API keys"). Keys made before this format
// ("ol_" + 43 base64url characters) keep working.

export const KEY_PREFIX = 'outlay_sk_'
export const LEGACY_KEY_PREFIX = 'ol_'
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const KEY_BODY_LENGTH = 43 // 62^43 > 2^256
export const KEY_CHECKSUM_LENGTH = 6 // 62^6 > 2^32
/** How many characters of the key are stored and shown in lists (the prefix and 8 of the body: 47 bits, unique per key). */
export const KEY_VISIBLE_LENGTH = KEY_PREFIX.length + 8
export const KEY_PATTERN = /^outlay_sk_[0-9A-Za-z]{49}$/

/** The CRC32 (IEEE) of the body in base62, left-padded with "0" to 6 characters. */
export function checksum(body: string): string {
  let n = crc32(body)
  let s = ''
  do {
    s = ALPHABET[n % 62] + s
    n = Math.floor(n / 62)
  } while (n > 0)
  return s.padStart(KEY_CHECKSUM_LENGTH, '0')
}

/** 43 uniformly random base62 characters (bytes ≥ 248 are dropped, so no character is likelier than another). */
function randomBody(): string {
  let s = ''
  while (s.length < KEY_BODY_LENGTH) {
    for (const b of randomBytes(64)) {
      if (b < 248 && s.length < KEY_BODY_LENGTH) s += ALPHABET[b % 62]
    }
  }
  return s
}

export function generateKey(): { raw: string; prefix: string } {
  const body = randomBody()
  const raw = `${KEY_PREFIX}${body}${checksum(body)}`
  return { raw, prefix: raw.slice(0, KEY_VISIBLE_LENGTH) }
}

/**
 * Whether a presented token can be a key at all, checked before any hashing or
 * lookup: the current format with a correct checksum, or the legacy format.
 */
export function isWellFormedKey(raw: string): boolean {
  if (raw.startsWith(KEY_PREFIX)) {
    if (!KEY_PATTERN.test(raw)) return false
    const body = raw.slice(KEY_PREFIX.length, KEY_PREFIX.length + KEY_BODY_LENGTH)
    return checksum(body) === raw.slice(KEY_PREFIX.length + KEY_BODY_LENGTH)
  }
  return raw.startsWith(LEGACY_KEY_PREFIX) && raw.length <= 200
}
