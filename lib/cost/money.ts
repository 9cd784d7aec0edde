// Exact decimal arithmetic on bigint fixed-point values. Money never passes
// through a binary float that is summed.

/** Parse a decimal string or finite number into an integer scaled by 10^scale (rounded half up). */
export function toScaled(value: string | number, scale: number): bigint {
  const s = typeof value === 'number' ? numberToPlain(value) : value.trim()
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal: ${JSON.stringify(value)}`)
  const neg = m[1] === '-'
  const intPart = m[2] || '0'
  const frac = m[3] ?? ''
  const kept = frac.slice(0, scale).padEnd(scale, '0')
  let n = BigInt(intPart) * 10n ** BigInt(scale) + BigInt(kept || '0')
  if (frac.length > scale && frac.charCodeAt(scale) >= 53 /* '5' */) n += 1n
  return neg ? -n : n
}

function numberToPlain(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`)
  // The shortest decimal that reads back as n (what the JSON said: 1.005), not the
  // binary expansion (1.00499999999999989…), which rounded half-way cases down.
  const s = String(n)
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s)
  if (!m) return s
  const digits = m[2] + (m[3] ?? '')
  const point = m[2].length + Number(m[4]) // position of the decimal point within digits
  if (point <= 0) return `${m[1]}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${m[1]}${digits}${'0'.repeat(point - digits.length)}`
  return `${m[1]}${digits.slice(0, point)}.${digits.slice(point)}`
}

/** Format an integer scaled by 10^scale as a plain decimal string with `scale` digits. */
export function fromScaled(n: bigint, scale: number): string {
  const neg = n < 0n
  const abs = neg ? -n : n
  const base = 10n ** BigInt(scale)
  const int = abs / base
  const frac = (abs % base).toString().padStart(scale, '0')
  return `${neg ? '-' : ''}${int}${scale > 0 ? '.' + frac : ''}`
}

/** Divide rounding half away from zero. */
export function divRound(a: bigint, b: bigint): bigint {
  const q = a / b
  const r = a % b
  if (r === 0n) return q
  const twice = (r < 0n ? -r : r) * 2n
  const bAbs = b < 0n ? -b : b
  if (twice >= bAbs) return a < 0n !== b < 0n ? q - 1n : q + 1n
  return q
}

/**
 * Values (a negative one only as a multiple of `unit`) each divided by `unit` so that the parts add up to their sum divided once (rounded half up):
 * each gets its floor, and the units left over go one each to the largest remainders (ties: the earlier one). So a
 * table's rows, each rounded, add up to its total rounded once, as a sum over the same rows elsewhere reads it.
 */
export function divRoundKeepingSum(values: readonly bigint[], unit: bigint): bigint[] {
  const parts = values.map((v, i) => ({ i, floor: v / unit, rem: v % unit }))
  let left =
    divRound(
      values.reduce((s, v) => s + v, 0n),
      unit,
    ) - parts.reduce((s, p) => s + p.floor, 0n)
  for (const p of [...parts].sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.i - b.i))) {
    if (left <= 0n) break
    p.floor += 1n
    left -= 1n
  }
  return parts.map((p) => p.floor)
}

/** Re-express a scaled value at another scale (rounding half up when narrowing). */
export function rescale(n: bigint, from: number, to: number): bigint {
  if (to === from) return n
  if (to > from) return n * 10n ** BigInt(to - from)
  return divRound(n, 10n ** BigInt(from - to))
}

/** Longest decimal text normalizeDecimal reads (digits of a price, a budget or a score; far more than any needs). */
export const MAX_DECIMAL_CHARS = 100

/** "1.2500" → "1.25", by a loop: /0+$/ backtracks quadratically over a long run of zeros that does not end the text. */
export function trimTrailingZeros(s: string): string {
  let end = s.length
  while (end > 0 && s.charCodeAt(end - 1) === 48 /* '0' */) end--
  return s.slice(0, end)
}

/** A decimal string or number, normalised to a plain decimal string (no exponent); null when it has more than maxScale decimals or is not a non-negative decimal. */
export function normalizeDecimal(value: string | number, maxScale: number): string | null {
  let s: string
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null
    s = numberToPlain(value) // the shortest form: no trailing zeros after a point
  } else s = value.trim()
  // Request text: no amount is longer, and nothing after this reads a long one.
  if (s.length > MAX_DECIMAL_CHARS) return null
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s)
  if (!m) return null
  const frac = trimTrailingZeros(m[2] ?? '')
  if (frac.length > maxScale) return null
  return `${BigInt(m[1])}${frac ? '.' + frac : ''}`
}

/** A USD amount (decimal string) ÷ a count, exact to 6 decimals (half away from zero); null when the count is 0. */
export const usdPerUnit = (amount: string, count: number): string | null => (count > 0 ? fromScaled(divRound(toScaled(amount, 6), BigInt(count)), 6) : null)
