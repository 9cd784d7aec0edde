// Test data: email addresses of a given length (the 254-character limit of addresses Outlay mails).

/** A syntactically valid address of exactly `n` characters (n ≥ 76): a 64-character local part, then labels of up to 63 characters before example.com. */
export function emailOfLength(n: number): string {
  const local = 'a'.repeat(64)
  let domain = 'example.com'
  while (local.length + 1 + domain.length < n) {
    const room = n - (local.length + 1 + domain.length) - 1 // the label's dot
    domain = `${'b'.repeat(Math.min(63, Math.max(1, room)))}.${domain}`
  }
  const e = `${local}@${domain}`
  if (e.length !== n) throw new Error(`built ${e.length} characters, not ${n}`)
  return e
}
