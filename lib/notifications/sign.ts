import 'server-only'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// Webhook signatures (README "Webhooks"): header
//   Outlay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The timestamp is signed with the body so a captured request cannot be
// replayed later than the receiver's tolerance.

export const SIGNATURE_HEADER = 'Outlay-Signature'

export const generateSecret = () => `whsec_${randomBytes(32).toString('base64url')}`

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

export function signatureHeader(secret: string, body: string, now = new Date()): string {
  const t = Math.floor(now.getTime() / 1000)
  return `t=${t},v1=${signature(secret, t, body)}`
}

/** What a receiver does: parse the header, recompute, compare in constant time, and refuse old timestamps. */
export function verifySignature(secret: string, header: string | null, body: string, opts: { toleranceS?: number; now?: Date } = {}): boolean {
  if (!header) return false
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]))
  const t = Number(parts.t)
  if (!Number.isInteger(t) || !parts.v1 || !/^[0-9a-f]{64}$/.test(parts.v1)) return false
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000)
  if (Math.abs(now - t) > (opts.toleranceS ?? 300)) return false
  return timingSafeEqual(Buffer.from(signature(secret, t, body), 'hex'), Buffer.from(parts.v1, 'hex'))
}
