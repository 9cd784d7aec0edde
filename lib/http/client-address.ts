import type { IncomingMessage } from 'node:http'
import { env } from '@/lib/env'

// The client's address, for per-address throttles. The socket's peer, or —
// only with TRUST_PROXY, behind a proxy that appends to X-Forwarded-For — the
// last X-Forwarded-For entry (the one our proxy wrote; earlier ones are the
// client's to choose). Next.js route handlers don't see the socket, so
// server.ts hands its address to them in CLIENT_ADDRESS_HEADER, replacing any
// header of that name a client sent.

export const CLIENT_ADDRESS_HEADER = 'x-outlay-client-address'

function lastForwarded(xff: string | null | undefined): string | null {
  if (!xff) return null
  const last = xff.slice(xff.lastIndexOf(',') + 1).trim()
  return last ? normalize(last) : null
}

/** "::ffff:10.0.0.1" and "10.0.0.1" are one client. */
const normalize = (a: string) => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a).slice(0, 64)

export function clientAddressOf(req: IncomingMessage): string {
  if (env().TRUST_PROXY) {
    const xff = req.headers['x-forwarded-for']
    const fwd = lastForwarded(Array.isArray(xff) ? xff.join(',') : xff)
    if (fwd) return fwd
  }
  return req.socket.remoteAddress ? normalize(req.socket.remoteAddress) : 'unknown'
}

/** In a route handler: as clientAddressOf, from the header server.ts set ("unknown" under `next dev`, which has no server.ts). */
export function clientAddressFromHeaders(headers: Headers): string {
  if (env().TRUST_PROXY) {
    const fwd = lastForwarded(headers.get('x-forwarded-for'))
    if (fwd) return fwd
  }
  return headers.get(CLIENT_ADDRESS_HEADER) ?? 'unknown'
}
