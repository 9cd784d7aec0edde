import { describe, expect, it } from 'vitest'
import { createHmac } from 'node:crypto'
import { generateSecret, signatureHeader, verifySignature } from './sign'

describe('webhook signatures', () => {
  const secret = 'whsec_test'
  const body = '{"type":"test"}'
  const at = new Date('2026-11-25T18:00:00Z')
  it('sign "<t>.<body>" with HMAC-SHA256, as docs/alerts.md tells receivers to check', () => {
    const t = Math.floor(at.getTime() / 1000)
    expect(signatureHeader(secret, body, at)).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`)
  })
  it('verify: the same body within the tolerance, nothing else', () => {
    const h = signatureHeader(secret, body, at)
    expect(verifySignature(secret, h, body, { now: at })).toBe(true)
    expect(verifySignature(secret, h, body + ' ', { now: at })).toBe(false)
    expect(verifySignature('whsec_other', h, body, { now: at })).toBe(false)
    expect(verifySignature(secret, h, body, { now: new Date(at.getTime() + 301_000) })).toBe(false)
    expect(verifySignature(secret, null, body, { now: at })).toBe(false)
    expect(verifySignature(secret, 't=1,v1=zz', body, { now: at })).toBe(false)
  })
  it('secrets are random and prefixed', () => {
    const a = generateSecret()
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    expect(generateSecret()).not.toBe(a)
  })
})
