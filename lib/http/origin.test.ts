import { describe, expect, it } from 'vitest'
import { AppError } from '@/lib/errors'
import { assertSameOrigin, crossOriginReason, isMutation, ownOrigins } from '@/lib/http/origin'

const req = (headers: Record<string, string>, url = 'http://127.0.0.1:3000/api/v1/keys?org=acme') => new Request(url, { method: 'POST', headers })

describe('crossOriginReason', () => {
  it('accepts the Origin of the host the request was sent to', () => {
    expect(crossOriginReason(req({ host: 'outlay.example.com', origin: 'http://outlay.example.com' }), undefined)).toBeNull()
    expect(crossOriginReason(req({ origin: 'http://127.0.0.1:3000' }), undefined)).toBeNull()
  })

  it('accepts the public address behind a TLS proxy (forwarded scheme and host, or NEXTAUTH_URL)', () => {
    const behindProxy = { host: '10.0.0.5:3000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'outlay.example.com', origin: 'https://outlay.example.com' }
    expect(crossOriginReason(req(behindProxy), undefined)).toBeNull()
    expect(crossOriginReason(req({ host: '10.0.0.5:3000', origin: 'https://outlay.example.com' }), 'https://outlay.example.com/')).toBeNull()
  })

  it.each([
    ['another site', { origin: 'https://evil.example' }],
    ['the same host on another scheme', { host: 'outlay.example.com', origin: 'https://outlay.example.com' }],
    ['the same host on another port', { origin: 'http://127.0.0.1:4000' }],
    ['a look-alike host', { host: 'outlay.example.com', origin: 'http://outlay.example.com.evil.example' }],
    ['an opaque origin (sandboxed frame, data: URL)', { origin: 'null' }],
    ['an unparsable Origin', { origin: 'not a url' }],
    ['no Origin at all', {}],
    ['no Origin, and the browser says cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['no Origin, and the browser says same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
  ])('refuses %s', (_name, headers) => {
    expect(crossOriginReason(req(headers as Record<string, string>), 'http://127.0.0.1:3000')).toEqual(expect.any(String))
  })

  it('accepts a request without Origin that the browser marks same-origin', () => {
    expect(crossOriginReason(req({ 'sec-fetch-site': 'same-origin' }), undefined)).toBeNull()
  })

  it('does not let Sec-Fetch-Site excuse a foreign Origin', () => {
    expect(crossOriginReason(req({ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }), undefined)).toEqual(expect.any(String))
  })
})

describe('assertSameOrigin', () => {
  it('throws a 403 that names the origin it refused', () => {
    let err: unknown
    try {
      assertSameOrigin(req({ origin: 'https://evil.example' }), undefined)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).httpStatus).toBe(403)
    expect((err as AppError).code).toBe('cross_origin_request')
    expect((err as AppError).message).toContain('"https://evil.example"')
    expect((err as AppError).message).toContain('http://127.0.0.1:3000')
  })
})

describe('ownOrigins', () => {
  it('is the Host with the URL scheme, plus NEXTAUTH_URL', () => {
    expect([...ownOrigins(req({ host: 'a.example:8080' }), 'https://b.example/base')]).toEqual(['http://a.example:8080', 'https://b.example'])
  })
})

describe('isMutation', () => {
  it('is every method but GET, HEAD and OPTIONS', () => {
    expect(['GET', 'HEAD', 'OPTIONS', 'get'].map(isMutation)).toEqual([false, false, false, false])
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(isMutation)).toEqual([true, true, true, true])
  })
})
