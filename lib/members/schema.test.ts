import { describe, expect, it } from 'vitest'
import { ZCreateInvitation } from '@/lib/members/schema'
import { ZSignUp } from '@/lib/orgs/schema'
import { emailOfLength } from '@/lib/testing/emails'

// POST /api/v1/invitations' body and a sign-up's: each is mailed, so its address must be one mail can reach.

describe('ZCreateInvitation', () => {
  it('refuses an address over 254 characters with the field and the reason', () => {
    const r = ZCreateInvitation.safeParse({ email: emailOfLength(312), role: 'viewer' })
    expect(r.success).toBe(false)
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['email', 'must be at most 254 characters (the longest address mail can be delivered to)'],
    ])
    expect(ZCreateInvitation.safeParse({ email: emailOfLength(255), role: 'viewer' }).success).toBe(false)
  })
  it('takes one of 254 characters, trimmed and lower-cased first', () => {
    const e = emailOfLength(254)
    expect(ZCreateInvitation.parse({ email: ` ${e.toUpperCase()} `, role: 'viewer' })).toEqual({ email: e, role: 'viewer' })
  })
})

describe('ZSignUp', () => {
  // a sign-up is mailed its verification link: the same bound as an invitation
  it('refuses an address over 254 characters with the field and the reason, and takes one of 254', () => {
    const base = { password: 'password-123', org_name: 'Acme' }
    const r = ZSignUp.safeParse({ ...base, email: emailOfLength(300) })
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['email', 'must be at most 254 characters (the longest address mail can be delivered to)'],
    ])
    expect(ZSignUp.safeParse({ ...base, email: emailOfLength(254) }).success).toBe(true)
  })
})
