import { describe, expect, it } from 'vitest'
import { emailDomain, planSsoSignIn, type TSsoRule } from '@/lib/auth/sso-plan'
import { ZDomain, ZPutSsoDomains } from '@/lib/auth/sso-schema'

const ORG_A = '00000000-0000-4000-8000-00000000000a'
const ORG_B = '00000000-0000-4000-8000-00000000000b'
const rules: TSsoRule[] = [
  { orgId: ORG_A, domain: 'acme.com', role: 'engineer' },
  { orgId: ORG_B, domain: 'acme.com', role: 'viewer' },
  { orgId: ORG_B, domain: 'acme.io', role: 'finance' },
]
const plan = (email: string, o: Partial<Parameters<typeof planSsoSignIn>[0]> = {}) =>
  planSsoSignIn({ email, emailVerified: true, existingUserId: null, rules, ...o })

describe('emailDomain', () => {
  it('is the part after the last @, lower-cased, without a trailing dot', () => {
    expect(emailDomain('Ada@Acme.COM')).toBe('acme.com')
    expect(emailDomain('"a@b"@acme.com.')).toBe('acme.com')
    expect(emailDomain('no-at-sign')).toBeNull()
    expect(emailDomain('@acme.com')).toBeNull()
    expect(emailDomain('ada@')).toBeNull()
  })
})

describe('planSsoSignIn', () => {
  it("joins a new user to every organization that allows the domain, with each one's role", () => {
    expect(plan('ada@acme.com')).toEqual({
      kind: 'create',
      joins: [
        { orgId: ORG_A, role: 'engineer' },
        { orgId: ORG_B, role: 'viewer' },
      ],
    })
    expect(plan('Bob@ACME.io')).toEqual({ kind: 'create', joins: [{ orgId: ORG_B, role: 'finance' }] })
  })

  it('matches the exact domain only: no subdomain, no suffix, no look-alike', () => {
    for (const email of ['ada@eng.acme.com', 'ada@notacme.com', 'ada@acme.com.evil.io', 'ada@acme.co', 'acme.com@evil.io']) {
      expect(plan(email), email).toEqual({ kind: 'refuse', reason: 'no_account' })
    }
  })

  it('joins an organization once even if it lists the domain twice (first role wins)', () => {
    expect(plan('ada@acme.com', { rules: [...rules, { orgId: ORG_A, domain: 'ACME.com', role: 'admin' }] })).toEqual({
      kind: 'create',
      joins: [
        { orgId: ORG_A, role: 'engineer' },
        { orgId: ORG_B, role: 'viewer' },
      ],
    })
  })

  it('signs an existing user in as themselves, whatever the domain', () => {
    expect(plan('ada@elsewhere.org', { existingUserId: 'u1' })).toEqual({ kind: 'existing', userId: 'u1' })
  })

  it('refuses an email the provider did not verify, even for an existing user', () => {
    expect(plan('ada@acme.com', { emailVerified: false })).toEqual({ kind: 'refuse', reason: 'unverified' })
    expect(plan('ada@acme.com', { emailVerified: false, existingUserId: 'u1' })).toEqual({ kind: 'refuse', reason: 'unverified' })
  })

  it('refuses a new user when no organization allows any domain', () => {
    expect(plan('ada@acme.com', { rules: [] })).toEqual({ kind: 'refuse', reason: 'no_account' })
  })
})

describe('ZDomain', () => {
  it('lower-cases and trims a domain name', () => {
    expect(ZDomain.parse('  Acme.COM ')).toBe('acme.com')
    expect(ZDomain.parse('eu.corp-1.acme.io')).toBe('eu.corp-1.acme.io')
  })
  it('refuses what is not a plain domain', () => {
    for (const d of ['acme', '*.acme.com', 'https://acme.com', 'ada@acme.com', '-acme.com', 'acme..com', 'acme.123', '']) {
      expect(ZDomain.safeParse(d).success, d).toBe(false)
    }
  })
  it('refuses a list naming a domain twice', () => {
    expect(
      ZPutSsoDomains.safeParse({
        domains: [
          { domain: 'acme.com', role: 'viewer' },
          { domain: 'ACME.com', role: 'admin' },
        ],
      }).success,
    ).toBe(false)
  })
})
