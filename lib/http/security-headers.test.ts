import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_CSP, HSTS, apiHeaderRules, apiSecurityHeaders, newNonce, pageCsp, pageSecurityHeaders, servedOverHttps } from '@/lib/http/security-headers'
import { serveFast, type TFastRoute } from '@/lib/http/fast'

const directives = (csp: string) =>
  Object.fromEntries(
    csp.split(/;\s*/).map((d) => {
      const [name, ...values] = d.split(' ')
      return [name, values]
    }),
  )

describe('pageCsp', () => {
  it('runs only scripts with this request’s nonce, never inline ones, and may not be framed', () => {
    const d = directives(pageCsp('abc123==', { dev: false, https: false }))
    expect(d['script-src']).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"])
    expect(d['script-src']).not.toContain("'unsafe-inline'")
    expect(d['frame-ancestors']).toEqual(["'none'"])
    expect(d['object-src']).toEqual(["'none'"])
    expect(d['default-src']).toEqual(["'self'"])
    expect(d['form-action']).toEqual(["'self'"])
    expect(d['base-uri']).toEqual(["'self'"])
  })

  it('keeps inline styles (recharts, style attributes) with no nonce in style-src, which would void unsafe-inline', () => {
    expect(directives(pageCsp('n', { dev: false, https: false }))['style-src']).toEqual(["'self'", "'unsafe-inline'"])
  })

  it("allows 'unsafe-eval' only in development", () => {
    expect(pageCsp('n', { dev: false, https: false })).not.toContain('unsafe-eval')
    expect(directives(pageCsp('n', { dev: true, https: false }))['script-src']).toContain("'unsafe-eval'")
  })

  it('upgrades insecure requests only over https', () => {
    expect(pageCsp('n', { dev: false, https: false })).not.toContain('upgrade-insecure-requests')
    expect(pageCsp('n', { dev: false, https: true })).toContain('upgrade-insecure-requests')
  })
})

describe('header sets', () => {
  it('pages and API answers carry nosniff, DENY framing, a referrer policy and a permissions policy', () => {
    for (const h of [pageSecurityHeaders('n', { dev: false, https: false }), apiSecurityHeaders({ https: false })]) {
      expect(h['X-Content-Type-Options']).toBe('nosniff')
      expect(h['X-Frame-Options']).toBe('DENY')
      expect(h['Referrer-Policy']).toBe('strict-origin-when-cross-origin')
      expect(h['Permissions-Policy']).toContain('camera=()')
      expect(h['Permissions-Policy']).toContain('geolocation=()')
    }
    expect(apiSecurityHeaders({ https: false })['Content-Security-Policy']).toBe(API_CSP)
    expect(API_CSP).toContain("default-src 'none'")
    expect(API_CSP).toContain("frame-ancestors 'none'")
  })

  it('sends HSTS over https only', () => {
    expect(pageSecurityHeaders('n', { dev: false, https: false })['Strict-Transport-Security']).toBeUndefined()
    expect(apiSecurityHeaders({ https: false })['Strict-Transport-Security']).toBeUndefined()
    expect(pageSecurityHeaders('n', { dev: false, https: true })['Strict-Transport-Security']).toMatch(/^max-age=\d{8,}; includeSubDomains$/)
    expect(apiSecurityHeaders({ https: true })['Strict-Transport-Security']).toMatch(/^max-age=\d{8,}/)
  })
})

describe('apiHeaderRules (next.config.ts headers())', () => {
  it('puts the API set on every /api answer, and HSTS when the TLS proxy forwarded https', () => {
    const [all, tls] = apiHeaderRules()
    expect(all.source).toBe('/api/:path*')
    expect(Object.fromEntries(all.headers.map((h) => [h.key, h.value]))).toEqual(apiSecurityHeaders({ https: false }))
    expect(tls.source).toBe('/api/:path*')
    expect(tls.headers).toEqual([{ key: 'Strict-Transport-Security', value: HSTS }])
    // Next.js anchors the value (new RegExp(`^${value}$`)): it agrees with servedOverHttps on what the proxy may send.
    const matches = new RegExp(`^${tls.has![0].value}$`)
    expect(tls.has![0].key).toBe('x-forwarded-proto')
    for (const v of ['https', 'https, http', 'https,http', 'http', 'http, https', 'httpsx', '']) expect(matches.test(v), v).toBe(servedOverHttps(v, undefined))
  })
})

describe('servedOverHttps', () => {
  it('is true when NEXTAUTH_URL is https or the proxy forwarded https', () => {
    expect(servedOverHttps(null, 'https://outlay.example.com')).toBe(true)
    expect(servedOverHttps('https', undefined)).toBe(true)
    expect(servedOverHttps('HTTPS, http', 'http://localhost:3000')).toBe(true)
    expect(servedOverHttps('http, https', undefined)).toBe(false)
    expect(servedOverHttps(undefined, 'http://localhost:3000')).toBe(false)
    expect(servedOverHttps(null, undefined)).toBe(false)
  })
})

describe('newNonce', () => {
  it('is 128 random bits in base64, different every time', () => {
    const seen = new Set(Array.from({ length: 1000 }, newNonce))
    expect(seen.size).toBe(1000)
    for (const n of seen) expect(Buffer.from(n, 'base64')).toHaveLength(16)
  })
})

// server.ts answers the hot API-key POSTs before Next.js (and so before proxy.ts): its answers carry the API set too.
describe('the fast path (serveFast)', () => {
  let server: http.Server
  let base = ''
  const route: TFastRoute = { maxBytes: 64, answer: async () => ({ status: 202, body: { ok: true }, headers: { 'Retry-After': '1' } }) }
  beforeAll(async () => {
    process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/unused'
    process.env.NEXTAUTH_SECRET ??= 'unit-test-secret-0123456789'
    server = http.createServer((req, res) => serveFast(req, res, route))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const expectApiHeaders = (h: Headers) => {
    for (const [k, v] of Object.entries(apiSecurityHeaders({ https: false }))) expect(h.get(k), k).toBe(v)
  }

  it('puts the API security headers on an answer, beside its own', async () => {
    const res = await fetch(`${base}/api/v1/events`, { method: 'POST', body: '{}' })
    expect(res.status).toBe(202)
    expectApiHeaders(res.headers)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(res.headers.get('strict-transport-security')).toBeNull()
  })

  it('and on its own refusals, with HSTS when the proxy forwarded https', async () => {
    const res = await fetch(`${base}/api/v1/events`, { method: 'POST', body: 'x'.repeat(100), headers: { 'x-forwarded-proto': 'https' } })
    expect(res.status).toBe(413)
    expectApiHeaders(res.headers)
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=/)
  })
})
