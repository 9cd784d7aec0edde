import type { IncomingMessage } from 'node:http'
import { env } from '@/lib/env'

// The address a request came from, for per-client throttles.
// - TRUST_PROXY=false (default): the TCP peer. server.ts copies the socket's
//   address into SOCKET_ADDRESS_HEADER on every request, overwriting whatever a
//   client sent under that name (Next.js route handlers cannot see the socket).
// - TRUST_PROXY=true or N: X-Forwarded-For, read from the right: the entry N
//   places from the end is the one our outermost trusted proxy wrote; entries
//   further left come from the client and are not believed.
// Without either (e.g. `next dev`, which does not run server.ts) the address is
// "unknown": every such request shares one bucket.

export const SOCKET_ADDRESS_HEADER = 'x-outlay-socket-address'

type THeaders = Headers | Record<string, string | string[] | undefined>

function header(h: THeaders, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined
  const v = h[name]
  return Array.isArray(v) ? v.join(',') : v
}

/** The X-Forwarded-For entry our outermost trusted proxy wrote, when TRUST_PROXY says there is one. */
function forwarded(h: THeaders, trustProxy: number): string | null {
  if (trustProxy <= 0) return null
  const hops = (header(h, 'x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const entry = hops[hops.length - trustProxy]
  return entry ? normalize(entry) : null
}

/** In a route handler: from the headers (the socket's address is the one server.ts wrote). */
export function clientAddress(h: THeaders, trustProxy: number = env().TRUST_PROXY): string {
  const socket = header(h, SOCKET_ADDRESS_HEADER)?.trim()
  return forwarded(h, trustProxy) ?? (socket ? normalize(socket) : 'unknown')
}

/** On server.ts's fast path, where the socket is at hand. */
export function clientAddressOf(req: IncomingMessage, trustProxy: number = env().TRUST_PROXY): string {
  const socket = req.socket.remoteAddress
  return forwarded(req.headers, trustProxy) ?? (socket ? normalize(socket) : 'unknown')
}

/** "::ffff:10.0.0.1" and "10.0.0.1" are one client; bounded so a header can't make a huge key. */
const normalize = (a: string) =>
  a
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
    .slice(0, 64)
    .toLowerCase()
