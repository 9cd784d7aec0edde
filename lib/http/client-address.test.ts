import { afterEach, describe, expect, it, vi } from 'vitest'
import type { IncomingMessage } from 'node:http'

// The address the invalid-key throttle counts by: X-Forwarded-For only with TRUST_PROXY.
async function load(trustProxy: boolean) {
  vi.resetModules()
  vi.stubEnv('DATABASE_URL', 'postgresql://127.0.0.1/outlay')
  vi.stubEnv('NEXTAUTH_SECRET', 'unit-test-secret-0123456789')
  vi.stubEnv('TRUST_PROXY', String(trustProxy))
  return import('@/lib/http/client-address')
}
const incoming = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage

afterEach(() => vi.unstubAllEnvs())

describe('client address', () => {
  it('without TRUST_PROXY: the socket, never a header the client wrote', async () => {
    const m = await load(false)
    expect(m.clientAddressOf(incoming('::ffff:192.0.2.7', '203.0.113.1'))).toBe('192.0.2.7')
    expect(m.clientAddressFromHeaders(new Headers({ 'x-forwarded-for': '203.0.113.1', [m.CLIENT_ADDRESS_HEADER]: '192.0.2.7' }))).toBe('192.0.2.7')
    expect(m.clientAddressFromHeaders(new Headers({ 'x-forwarded-for': '203.0.113.1' }))).toBe('unknown')
  })

  it('with TRUST_PROXY: the last X-Forwarded-For entry (the one our proxy appended), else the socket', async () => {
    const m = await load(true)
    expect(m.clientAddressOf(incoming('10.0.0.2', 'spoofed, 203.0.113.1'))).toBe('203.0.113.1')
    expect(m.clientAddressOf(incoming('10.0.0.2'))).toBe('10.0.0.2')
    expect(m.clientAddressFromHeaders(new Headers({ 'x-forwarded-for': '1.1.1.1,  198.51.100.4 ' }))).toBe('198.51.100.4')
  })
})
