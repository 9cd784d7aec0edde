import { describe, expect, it } from 'vitest'
import { clientAddress, clientAddressOf, SOCKET_ADDRESS_HEADER } from '@/lib/http/client-address'
import type { IncomingMessage } from 'node:http'

describe('clientAddress', () => {
  const h = (o: Record<string, string>) => new Headers(o)

  it('without TRUST_PROXY: the socket address server.ts stamped, never X-Forwarded-For', () => {
    expect(clientAddress(h({ [SOCKET_ADDRESS_HEADER]: '203.0.113.9', 'x-forwarded-for': '1.2.3.4' }), 0)).toBe('203.0.113.9')
    expect(clientAddress(h({ 'x-forwarded-for': '1.2.3.4' }), 0)).toBe('unknown')
  })

  it('with one trusted proxy: the rightmost X-Forwarded-For entry (what the proxy saw), not the forgeable left ones', () => {
    expect(clientAddress(h({ 'x-forwarded-for': '6.6.6.6, 198.51.100.7', [SOCKET_ADDRESS_HEADER]: '10.0.0.2' }), 1)).toBe('198.51.100.7')
  })

  it('with two trusted proxies: the second entry from the right', () => {
    expect(clientAddress(h({ 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.5' }), 2)).toBe('198.51.100.7')
  })

  it('falls back to the socket when the header has fewer hops than trusted proxies', () => {
    expect(clientAddress(h({ [SOCKET_ADDRESS_HEADER]: '::ffff:10.0.0.2' }), 1)).toBe('10.0.0.2')
  })

  it('reads next-auth style plain header objects too', () => {
    expect(clientAddress({ [SOCKET_ADDRESS_HEADER]: '2001:DB8::1' }, 0)).toBe('2001:db8::1')
  })
})

describe('on the fast path (the socket at hand)', () => {
  const incoming = (remoteAddress: string, xff?: string) =>
    ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage
  it('without TRUST_PROXY: the socket, never a header the client wrote', () => {
    expect(clientAddressOf(incoming('::ffff:192.0.2.7', '203.0.113.1'), 0)).toBe('192.0.2.7')
  })
  it('with TRUST_PROXY: the entry our proxy appended, else the socket', () => {
    expect(clientAddressOf(incoming('10.0.0.2', 'spoofed, 203.0.113.1'), 1)).toBe('203.0.113.1')
    expect(clientAddressOf(incoming('10.0.0.2'), 1)).toBe('10.0.0.2')
  })
})
