import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ownerPool, useTestServices } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { sessionCookie, callRoute } from '@/lib/testing/session'
import { asOrg, closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin, findUserByEmail } from '@/lib/orgs'
import { signInWithPassword } from '@/lib/auth/accounts'
import { invitationInfo } from '@/lib/members/invitations'
import { addMember } from '@/lib/members'
import { emailOfLength } from '@/lib/testing/emails'
import { GET as getMembers } from '@/app/api/v1/members/route'
import { PATCH as patchMember, DELETE as deleteMember } from '@/app/api/v1/members/[id]/route'
import { GET as getInvitations, POST as postInvitation } from '@/app/api/v1/invitations/route'
import { DELETE as deleteInvitation } from '@/app/api/v1/invitations/[id]/route'
import { POST as acceptRoute } from '@/app/api/invitations/accept/route'
import { POST as postBudget } from '@/app/api/v1/budgets/route'

// Members and invitations through their routes, against the real PostgreSQL and Redis, with real
// next-auth session cookies (lib/testing/session.ts): who may do what, the invitation's expiry,
// single use and email binding, the last admin, and removal ending access on the very next request.

vi.mock('@/lib/auth/session', async (original) => ({
  ...(await original<typeof import('@/lib/auth/session')>()),
  sessionUser: async () => (await import('@/lib/testing/session')).sessionUserOfHandled(),
}))

type THandler = (req: Request, ctx?: { params?: Promise<Record<string, string>> }) => Promise<Response>
type TUser = { id: string; email: string }
const OWN = 'http://localhost'

let orgId = ''
let slug = ''
let admin: TUser
const people: Record<string, TUser> = {}

async function call(handler: THandler, path: string, opts: { as?: TUser | null; method?: string; body?: unknown; params?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { origin: OWN }
  if (opts.as) headers.cookie = await sessionCookie(opts.as)
  const req = apiRequest(path, { method: opts.method, body: opts.body, headers })
  const res = await callRoute(handler, req, opts.params)
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}
const q = () => `?org=${slug}`
const invite = (as: TUser, body: unknown) => call(postInvitation, `/api/v1/invitations${q()}`, { as, body })
const accept = (body: unknown, as: TUser | null = null) => call(acceptRoute, '/api/invitations/accept', { as, body })
const tokenOf = (url: string) => url.split('/invite/')[1]
const roleOf = async (userId: string) =>
  (await ownerPool().query<{ role: string }>('SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2', [orgId, userId])).rows[0]?.role ?? null

async function person(role: string, email: string): Promise<TUser> {
  const r = await addMember(orgId, { email, role: role as never, password: 'password-123' })
  return { id: r.member.user_id, email }
}

beforeAll(async () => {
  await useTestServices('members')
  const a = await createOrgWithAdmin({ org_name: 'Team Co', email: 'admin@team.example', password: 'password-123', name: 'Ada' })
  orgId = a.org.id
  slug = a.org.slug
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  admin = { id: a.userId, email: 'admin@team.example' }
  for (const role of ['engineer', 'finance', 'customer_success', 'viewer']) people[role] = await person(role, `${role}@team.example`)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('GET /api/v1/members', () => {
  it('lists every member with their role and join date, for any member', async () => {
    for (const u of [admin, ...Object.values(people)]) {
      const r = await call(getMembers, `/api/v1/members${q()}`, { as: u })
      expect(r.status).toBe(200)
      expect(r.body.members.map((m: { email: string }) => m.email).sort()).toEqual([
        'admin@team.example',
        'customer_success@team.example',
        'engineer@team.example',
        'finance@team.example',
        'viewer@team.example',
      ])
    }
    const r = await call(getMembers, `/api/v1/members${q()}`, { as: admin })
    expect(r.body.members[0]).toEqual({
      user_id: admin.id,
      email: admin.email,
      name: 'Ada',
      role: 'admin',
      joined_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
  })

  it('answers 401 signed out and 403 to someone of another organization', async () => {
    expect((await call(getMembers, `/api/v1/members${q()}`)).status).toBe(401)
    const other = await createOrgWithAdmin({ org_name: 'Else Co', email: 'else@else.example', password: 'password-123' })
    expect((await call(getMembers, `/api/v1/members${q()}`, { as: { id: other.userId, email: 'else@else.example' } })).status).toBe(403)
  })
})

describe('invitations: who may manage them', () => {
  it('an admin invites: 201 {id, email, role, url, expires_at} with a 7-day single-use link', async () => {
    const r = await invite(admin, { email: ' New.Person@Team.example ', role: 'finance' })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      email: 'new.person@team.example',
      role: 'finance',
      url: expect.stringMatching(/^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{43}$/),
      emailed: false,
    })
    const days = (Date.parse(r.body.expires_at) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(6.99)
    expect(days).toBeLessThanOrEqual(7)
    // only the token's hash is stored
    const stored = await ownerPool().query<{ token_hash: string }>('SELECT token_hash FROM invitations WHERE id = $1', [r.body.id])
    expect(stored.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(stored.rows[0].token_hash).not.toContain(tokenOf(r.body.url))
    const list = await call(getInvitations, `/api/v1/invitations${q()}`, { as: admin })
    expect(list.status).toBe(200)
    expect(list.body.invitations).toContainEqual(
      expect.objectContaining({ id: r.body.id, email: 'new.person@team.example', role: 'finance', status: 'pending', invited_by: 'Ada' }),
    )
  })

  it('every other role is refused listing, inviting and revoking (403)', async () => {
    const made = await invite(admin, { email: 'refused@team.example', role: 'viewer' })
    for (const u of Object.values(people)) {
      expect((await call(getInvitations, `/api/v1/invitations${q()}`, { as: u })).status).toBe(403)
      expect((await invite(u, { email: 'sneaky@team.example', role: 'admin' })).status).toBe(403)
      expect(
        (await call(deleteInvitation, `/api/v1/invitations/${made.body.id}${q()}`, { as: u, method: 'DELETE', params: { id: made.body.id } })).status,
      ).toBe(403)
    }
    expect((await invitationInfo(tokenOf(made.body.url)))?.state).toBe('valid')
  })

  it('field errors for a bad email or role; 409 for someone already a member', async () => {
    const r = await invite(admin, { email: 'not-an-email', role: 'owner' })
    expect(r.status).toBe(400)
    expect(r.body.error.details.errors).toEqual(['email: must be a valid email address', expect.stringMatching(/^role: must be one of admin, engineer/)])
    // mail cannot reach an address over 254 characters: refused, naming the field and why, and nothing is stored
    const long = await invite(admin, { email: emailOfLength(312), role: 'viewer' })
    expect(long.status).toBe(400)
    expect(long.body.error.details.errors).toEqual(['email: must be at most 254 characters (the longest address mail can be delivered to)'])
    const stored = await ownerPool().query('SELECT 1 FROM invitations WHERE org_id = $1 AND length(email) > 254', [orgId])
    expect(stored.rowCount).toBe(0)
    expect((await invite(admin, { email: emailOfLength(254), role: 'viewer' })).status).toBe(201)
    const dup = await invite(admin, { email: 'viewer@team.example', role: 'finance' })
    expect(dup.status).toBe(409)
    expect(dup.body.error.message).toBe('viewer@team.example is already a member of this organization')
  })

  it('a revoked invitation no longer works, and a second invitation to one email replaces the first', async () => {
    const first = await invite(admin, { email: 'twice@team.example', role: 'viewer' })
    const second = await invite(admin, { email: 'twice@team.example', role: 'engineer' })
    expect(await invitationInfo(tokenOf(first.body.url))).toBeNull()
    const del = await call(deleteInvitation, `/api/v1/invitations/${second.body.id}${q()}`, { as: admin, method: 'DELETE', params: { id: second.body.id } })
    expect(del.status).toBe(204)
    expect((await accept({ token: tokenOf(second.body.url), name: 'Twice', password: 'password-123' })).status).toBe(410)
    expect(
      (await call(deleteInvitation, `/api/v1/invitations/${second.body.id}${q()}`, { as: admin, method: 'DELETE', params: { id: second.body.id } })).status,
    ).toBe(404)
  })
})

describe('accepting an invitation', () => {
  it('signs a new person up (verified, able to sign in) into the organization with the role, once', async () => {
    const r = await invite(admin, { email: 'fresh@team.example', role: 'customer_success' })
    const token = tokenOf(r.body.url)
    expect(await invitationInfo(token)).toMatchObject({
      org: { slug },
      email: 'fresh@team.example',
      role: 'customer_success',
      state: 'valid',
      account_exists: false,
    })
    const missing = await accept({ token })
    expect(missing.status).toBe(400)
    expect(missing.body.error.details.errors).toEqual(['name: is required', 'password: is required'])
    const ok = await accept({ token, name: 'Fresh', password: 'password-123' })
    expect(ok).toEqual({ status: 201, body: { org_slug: slug, role: 'customer_success', created_account: true } })
    const user = await findUserByEmail('fresh@team.example')
    expect(user?.emailVerifiedAt).not.toBeNull()
    expect(await roleOf(user!.id)).toBe('customer_success')
    expect(await signInWithPassword({ email: 'fresh@team.example', password: 'password-123' }, 'test')).toMatchObject({ ok: true })
    // single use
    expect((await accept({ token, name: 'Again', password: 'password-123' })).status).toBe(410)
    expect((await accept({ token }, { id: user!.id, email: 'fresh@team.example' })).status).toBe(410)
    expect((await invitationInfo(token))?.state).toBe('used')
    expect((await call(getInvitations, `/api/v1/invitations${q()}`, { as: admin })).body.invitations.map((i: { email: string }) => i.email)).not.toContain(
      'fresh@team.example',
    )
  })

  it('an expired invitation cannot be used', async () => {
    const r = await invite(admin, { email: 'late@team.example', role: 'viewer' })
    await ownerPool().query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [r.body.id])
    expect((await invitationInfo(tokenOf(r.body.url)))?.state).toBe('expired')
    const a = await accept({ token: tokenOf(r.body.url), name: 'Late', password: 'password-123' })
    expect(a.status).toBe(410)
    expect(a.body.error.message).toMatch(/invalid, already used, revoked or expired/)
    expect(await findUserByEmail('late@team.example')).toBeNull()
    expect((await call(getInvitations, `/api/v1/invitations${q()}`, { as: admin })).body.invitations).toContainEqual(
      expect.objectContaining({ id: r.body.id, status: 'expired' }),
    )
  })

  it('an existing account signs in first, with the invited email; someone signed in as another email is refused', async () => {
    const other = await createOrgWithAdmin({ org_name: 'Home Co', email: 'existing@team.example', password: 'password-123' })
    const existing = { id: other.userId, email: 'existing@team.example' }
    const r = await invite(admin, { email: 'existing@team.example', role: 'engineer' })
    const token = tokenOf(r.body.url)
    expect((await invitationInfo(token))?.account_exists).toBe(true)
    const signedOut = await accept({ token, name: 'Someone', password: 'password-123' })
    expect(signedOut.status).toBe(409)
    expect(signedOut.body.error.code).toBe('sign_in_required')
    const wrong = await accept({ token }, people.viewer)
    expect(wrong.status).toBe(403)
    expect(wrong.body.error.message).toBe(
      'This invitation is for existing@team.example, and you are signed in as viewer@team.example. Sign out and open the link again, or ask an admin to invite viewer@team.example.',
    )
    expect(await roleOf(people.viewer.id)).toBe('viewer')
    // still usable by its person
    const ok = await accept({ token }, existing)
    expect(ok).toEqual({ status: 201, body: { org_slug: slug, role: 'engineer', created_account: false } })
    expect(await roleOf(existing.id)).toBe('engineer')
    // one person, two organizations
    expect((await call(getMembers, `/api/v1/members?org=${other.org.slug}`, { as: existing })).status).toBe(200)
    expect((await call(getMembers, `/api/v1/members${q()}`, { as: existing })).status).toBe(200)
  })

  it('is refused from another site (Origin) and for a malformed token', async () => {
    const r = await invite(admin, { email: 'csrf@team.example', role: 'viewer' })
    const req = apiRequest('/api/invitations/accept', {
      body: { token: tokenOf(r.body.url), name: 'X', password: 'password-123' },
      headers: { origin: 'https://evil.example' },
    })
    expect((await callRoute(acceptRoute, req)).status).toBe(403)
    expect((await accept({ token: 'short' })).status).toBe(400)
  })
})

describe('roles and removal', () => {
  it('an admin changes a role; other roles cannot (403); an unknown member is 404', async () => {
    const p = await person('viewer', 'promote@team.example')
    const r = await call(patchMember, `/api/v1/members/${p.id}${q()}`, { as: admin, method: 'PATCH', body: { role: 'finance' }, params: { id: p.id } })
    expect(r).toMatchObject({ status: 200, body: { member: { user_id: p.id, role: 'finance' } } })
    expect(await roleOf(p.id)).toBe('finance')
    // recorded in the audit log, in the same transaction, with the admin as actor
    const [entry] = (
      await ownerPool().query(
        `SELECT actor_type, actor_id::text, actor_label, before, after FROM audit_log WHERE org_id = $1 AND action = 'member.role_change' AND target_id = $2`,
        [orgId, p.id],
      )
    ).rows
    expect(entry).toMatchObject({ actor_type: 'user', actor_id: admin.id, actor_label: admin.email, before: { role: 'viewer' }, after: { role: 'finance' } })
    for (const u of Object.values(people)) {
      expect((await call(patchMember, `/api/v1/members/${p.id}${q()}`, { as: u, method: 'PATCH', body: { role: 'admin' }, params: { id: p.id } })).status).toBe(
        403,
      )
    }
    expect(await roleOf(p.id)).toBe('finance')
    const ghost = crypto.randomUUID()
    expect(
      (await call(patchMember, `/api/v1/members/${ghost}${q()}`, { as: admin, method: 'PATCH', body: { role: 'viewer' }, params: { id: ghost } })).status,
    ).toBe(404)
    expect(
      (await call(patchMember, `/api/v1/members/${p.id}${q()}`, { as: admin, method: 'PATCH', body: { role: 'owner' }, params: { id: p.id } })).status,
    ).toBe(400)
  })

  it('a role change applies to the next request of an open session', async () => {
    const p = await person('engineer', 'demoted@team.example')
    const budgets = () => call(postBudget, `/api/v1/budgets${q()}`, { as: p, method: 'POST', body: {} })
    expect((await budgets()).status).toBe(400) // past the permission check: the empty body is invalid
    await call(patchMember, `/api/v1/members/${p.id}${q()}`, { as: admin, method: 'PATCH', body: { role: 'viewer' }, params: { id: p.id } })
    expect((await budgets()).status).toBe(403)
  })

  it('the last admin can be neither demoted nor removed, and cannot leave (409)', async () => {
    const demote = await call(patchMember, `/api/v1/members/${admin.id}${q()}`, {
      as: admin,
      method: 'PATCH',
      body: { role: 'engineer' },
      params: { id: admin.id },
    })
    expect(demote.status).toBe(409)
    expect(demote.body.error.message).toBe('You are the last admin of this organization: make another member admin first')
    const leave = await call(deleteMember, `/api/v1/members/${admin.id}${q()}`, { as: admin, method: 'DELETE', params: { id: admin.id } })
    expect(leave.status).toBe(409)
    expect(await roleOf(admin.id)).toBe('admin')
  })

  it('two admins demoting each other at once: exactly one succeeds, one admin remains', async () => {
    const second = await person('admin', 'second-admin@team.example')
    const [a, b] = await Promise.all([
      call(patchMember, `/api/v1/members/${second.id}${q()}`, { as: admin, method: 'PATCH', body: { role: 'viewer' }, params: { id: second.id } }),
      call(patchMember, `/api/v1/members/${admin.id}${q()}`, { as: second, method: 'PATCH', body: { role: 'viewer' }, params: { id: admin.id } }),
    ])
    // the loser is refused either by the last-admin rule (409) or, when the winner's demotion committed before
    // the loser's request read its own role, as no longer an admin (403)
    const [ok, refused] = [a.status, b.status].sort()
    expect(ok).toBe(200)
    expect([403, 409]).toContain(refused)
    const admins = await ownerPool().query(`SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'admin'`, [orgId])
    expect(admins.rowCount).toBe(1)
    // back to one known admin for the next tests
    const winner = a.status === 200 ? admin : second
    if (winner !== admin) {
      await asOrg(orgId, () => addMember(orgId, { email: admin.email, role: 'admin' }))
      await call(patchMember, `/api/v1/members/${second.id}${q()}`, { as: admin, method: 'PATCH', body: { role: 'viewer' }, params: { id: second.id } })
    }
    expect(await roleOf(admin.id)).toBe('admin')
  })

  it("removal ends access at once: the removed member's open session is refused on its next request", async () => {
    const p = await person('finance', 'removed@team.example')
    expect((await call(getMembers, `/api/v1/members${q()}`, { as: p })).status).toBe(200)
    // a non-admin cannot remove someone else
    expect((await call(deleteMember, `/api/v1/members/${p.id}${q()}`, { as: people.viewer, method: 'DELETE', params: { id: p.id } })).status).toBe(403)
    const del = await call(deleteMember, `/api/v1/members/${p.id}${q()}`, { as: admin, method: 'DELETE', params: { id: p.id } })
    expect(del.status).toBe(204)
    const after = await call(getMembers, `/api/v1/members${q()}`, { as: p })
    expect(after.status).toBe(403)
    expect(after.body.error.message).toBe('You are not a member of this organization')
    expect((await call(deleteMember, `/api/v1/members/${p.id}${q()}`, { as: admin, method: 'DELETE', params: { id: p.id } })).status).toBe(404)
  })

  it('any member can leave', async () => {
    const p = await person('viewer', 'leaver@team.example')
    const r = await call(deleteMember, `/api/v1/members/${p.id}${q()}`, { as: p, method: 'DELETE', params: { id: p.id } })
    expect(r.status).toBe(204)
    expect(await roleOf(p.id)).toBeNull()
    expect((await call(getMembers, `/api/v1/members${q()}`, { as: p })).status).toBe(403)
  })
})
