import { beforeAll, describe, expect, it } from 'vitest'

// A fixed key, set before lib/env is first read.
beforeAll(() => {
  Object.assign(process.env, {
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
    NEXTAUTH_SECRET: 'unit-test-secret-0123456789',
    CHANNEL_SECRETS_KEY: 'ab'.repeat(32),
  })
})

describe('channel secrets at rest', async () => {
  const { isSealed, open, redactUrl, seal } = await import('./secrets')
  const ctx = { orgId: 'org-1', channelId: 'ch-1', field: 'secret' as const }

  it('seals with AES-256-GCM: a fresh IV each time, and opens back', () => {
    const a = seal('whsec_abc', ctx)
    const b = seal('whsec_abc', ctx)
    expect(a).toMatch(/^enc:v1:[\w-]{16}\.[\w-]{22}\.[\w-]+$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain('whsec_abc')
    expect(open(a, ctx)).toBe('whsec_abc')
    expect(isSealed(a)).toBe(true)
  })

  it('does not open in another organization, channel or column, nor once tampered with', () => {
    const a = seal('whsec_abc', ctx)
    expect(() => open(a, { ...ctx, orgId: 'org-2' })).toThrow()
    expect(() => open(a, { ...ctx, channelId: 'ch-2' })).toThrow()
    expect(() => open(a, { ...ctx, field: 'url' })).toThrow()
    const [iv, tag, ct] = a.slice('enc:v1:'.length).split('.')
    const flipped = Buffer.from(ct, 'base64url')
    flipped[0] ^= 1
    expect(() => open(`enc:v1:${iv}.${tag}.${flipped.toString('base64url')}`, ctx)).toThrow()
  })

  it('reads values stored before encryption as they are', () => {
    expect(isSealed('https://hooks.example.com/x')).toBe(false)
    expect(open('https://hooks.example.com/x', { ...ctx, field: 'url' })).toBe('https://hooks.example.com/x')
  })

  it('redacts a URL to its scheme and host: no path, query or credentials', () => {
    expect(redactUrl('https://user:pa55@hooks.example.com:8443/services/T0/B1/xyz?token=abc')).toBe('https://hooks.example.com:8443/…')
  })
})
