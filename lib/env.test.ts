import { describe, expect, it } from 'vitest'
import { loadEnv, NEXTAUTH_SECRET_PLACEHOLDER, oidcConfig } from '@/lib/env'

describe('loadEnv', () => {
  const good = { DATABASE_URL: 'postgresql://u@h:5432/db', NEXTAUTH_SECRET: 'a-secret-of-enough-length' }

  it('applies defaults', () => {
    const e = loadEnv(good)
    expect(e).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'outlay',
      WORKER_CONCURRENCY: 2,
      RECONCILE_AFTER_SECONDS: 30,
      INGEST_MAX_BACKLOG_SECONDS: 4,
      INGEST_MIN_BACKLOG_EVENTS: 5000,
      INGEST_MAX_PENDING_EVENTS: 30000,
      PG_MAX_PARALLEL_WORKERS: 0,
    })
  })

  it('names every missing or wrong variable', () => {
    expect(() => loadEnv({ REDIS_URL: 'http://nope', WORKER_CONCURRENCY: 'many' })).toThrow(
      /DATABASE_URL: .*\n.*REDIS_URL: must be a redis:\/\/ URL\n.*NEXTAUTH_SECRET: .*\n.*WORKER_CONCURRENCY: /s,
    )
    expect(() => loadEnv({ ...good, DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/)
  })

  it("keeps the gateway's event flush within the contract's second", () => {
    expect(loadEnv(good).GATEWAY_EVENT_FLUSH_MS).toBe(100)
    expect(loadEnv({ ...good, GATEWAY_EVENT_FLUSH_MS: '400' }).GATEWAY_EVENT_FLUSH_MS).toBe(400)
    expect(() => loadEnv({ ...good, GATEWAY_EVENT_FLUSH_MS: '5000' })).toThrow(/GATEWAY_EVENT_FLUSH_MS: /)
  })

  it('takes single sign-on as the three OIDC variables together, or none', () => {
    expect(oidcConfig(loadEnv(good))).toBeNull()
    const sso = { OIDC_ISSUER: 'https://login.example.com/', OIDC_CLIENT_ID: 'outlay', OIDC_CLIENT_SECRET: 's3cret' }
    expect(oidcConfig(loadEnv({ ...good, ...sso }))).toEqual({ issuer: 'https://login.example.com', clientId: 'outlay', clientSecret: 's3cret', name: 'SSO' })
    expect(oidcConfig(loadEnv({ ...good, ...sso, OIDC_NAME: 'Okta' }))?.name).toBe('Okta')
    expect(() => loadEnv({ ...good, OIDC_ISSUER: sso.OIDC_ISSUER })).toThrow(/OIDC_CLIENT_ID: is required when .*\n.*OIDC_CLIENT_SECRET: is required when/)
    expect(() => loadEnv({ ...good, ...sso, OIDC_ISSUER: 'login.example.com' })).toThrow(/OIDC_ISSUER: /)
  })

  describe('in production', () => {
    const prod = { ...good, NODE_ENV: 'production', NEXTAUTH_SECRET: 'x'.repeat(32), NEXTAUTH_URL: 'https://outlay.example.com' }

    it('starts with a long secret and a URL', () => {
      expect(loadEnv(prod)).toMatchObject({ NODE_ENV: 'production', NEXTAUTH_URL: 'https://outlay.example.com' })
    })

    it('refuses the .env.example placeholder secret, naming the variable', () => {
      expect(NEXTAUTH_SECRET_PLACEHOLDER.length).toBeGreaterThanOrEqual(32) // so the length rule alone would not catch it
      expect(() => loadEnv({ ...prod, NEXTAUTH_SECRET: NEXTAUTH_SECRET_PLACEHOLDER })).toThrow(/NEXTAUTH_SECRET: is the \.env\.example placeholder/)
    })

    it('refuses a secret shorter than 32 characters', () => {
      expect(() => loadEnv({ ...prod, NEXTAUTH_SECRET: 'x'.repeat(31) })).toThrow(/NEXTAUTH_SECRET: must be at least 32 characters in production/)
    })

    it('refuses a missing NEXTAUTH_URL', () => {
      const { NEXTAUTH_URL: _, ...rest } = prod
      expect(() => loadEnv(rest)).toThrow(/NEXTAUTH_URL: is required in production/)
    })

    it('names both when both are wrong', () => {
      expect(() => loadEnv({ ...good, NODE_ENV: 'production' })).toThrow(/NEXTAUTH_SECRET: must be at least 32.*\n.*NEXTAUTH_URL: is required/s)
    })

    it('development keeps the lenient rules', () => {
      expect(loadEnv({ ...good, NEXTAUTH_SECRET: NEXTAUTH_SECRET_PLACEHOLDER })).toMatchObject({ NODE_ENV: 'development' })
      expect(loadEnv(good).NEXTAUTH_URL).toBeUndefined()
    })
  })

  it('EMAIL_VERIFICATION: auto unless off', () => {
    expect(loadEnv(good).EMAIL_VERIFICATION).toBe('auto')
    expect(loadEnv({ ...good, EMAIL_VERIFICATION: 'off' }).EMAIL_VERIFICATION).toBe('off')
    expect(() => loadEnv({ ...good, EMAIL_VERIFICATION: 'no' })).toThrow(/EMAIL_VERIFICATION: must be auto or off/)
  })

  it('TRUST_PROXY: false by default, true is one proxy, or a count', () => {
    expect(loadEnv(good).TRUST_PROXY).toBe(0)
    expect(loadEnv({ ...good, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(1)
    expect(loadEnv({ ...good, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2)
    expect(() => loadEnv({ ...good, TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY: must be true, false or a number/)
  })

  it('the CLI profile needs no NEXTAUTH_SECRET (nor the production rules about sessions), and names it if a command ever reads it', () => {
    const cli = { DATABASE_URL: 'postgresql://u@h:5432/db', NODE_ENV: 'production' }
    expect(() => loadEnv(cli)).toThrow(/NEXTAUTH_SECRET/)
    const e = loadEnv(cli, 'cli')
    expect(e.DATABASE_URL).toBe('postgresql://u@h:5432/db')
    expect(() => e.NEXTAUTH_SECRET).toThrow('NEXTAUTH_SECRET: is not set, and this command needs it')
    expect(loadEnv({ ...cli, NEXTAUTH_SECRET: 'a-secret-of-enough-length' }, 'cli').NEXTAUTH_SECRET).toBe('a-secret-of-enough-length')
    expect(() => loadEnv({ ...cli, NEXTAUTH_SECRET: 'short' }, 'cli')).toThrow(/NEXTAUTH_SECRET: must be at least 16/)
  })
})
