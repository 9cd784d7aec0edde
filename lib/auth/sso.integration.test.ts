import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ownerPool, useTestServices } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { sessionCookie } from '@/lib/testing/session'
import { asOrg, closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { addMember } from '@/lib/members'
import { replaceSsoDomains, signInWithOidc } from '@/lib/auth/sso'
import { GET as getDomains, PUT as putDomains } from '@/app/api/v1/sso/domains/route'

// Allowed SSO domains through their route, and the SSO sign-in decision against the real PostgreSQL with
// row-level security: a new user joins every organization allowing their domain (found across organizations
// by the SECURITY DEFINER function), an existing one signs in as themselves, others are refused.

const current = vi.hoisted(() => ({ req: null as Request | null }))
vi.mock('@/lib/auth/session', async (original) => ({
  ...(await original<typeof import('@/lib/auth/session')>()),
  sessionUser: async () => (await import('@/lib/testing/session')).sessionUserOf(current.req),
}))

type THandler = (req: Request, ctx?: { params?: Promise<Record<string, string>> }) => Promise<Response>
type TUser = { id: string; email: string }

let orgA = { id: '', slug: '' }
let orgB = { id: '', slug: '' }
let admin: TUser
let engineer: TUser

async function call(handler: THandler, path: string, opts: { as: TUser; method?: string; body?: unknown }) {
  const req = apiRequest(path, { method: opts.method, body: opts.body, headers: { origin: 'http://localhost', cookie: await sessionCookie(opts.as) } })
  current.req = req
  const res = await handler(req, { params: Promise.resolve({}) })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}
const memberships = async (email: string) =>
  (
    await ownerPool().query<{ org_id: string; role: string }>(
      'SELECT m.org_id::text, m.role::text FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1 ORDER BY m.role',
      [email],
    )
  ).rows

beforeAll(async () => {
  await useTestServices('sso')
  const a = await createOrgWithAdmin({ org_name: 'Acme', email: 'admin@acme.example', password: 'password-123', name: 'Ada' })
  orgA = { id: a.org.id, slug: a.org.slug }
  setTestDefaultOrg(orgA.id)
  admin = { id: a.userId, email: 'admin@acme.example' }
  const e = await addMember(orgA.id, { email: 'eng@acme.example', role: 'engineer', password: 'password-123' })
  engineer = { id: e.member.user_id, email: 'eng@acme.example' }
  const b = await createOrgWithAdmin({ org_name: 'Acme Labs', email: 'admin@labs.example', password: 'password-123' })
  orgB = { id: b.org.id, slug: b.org.slug }
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('GET/PUT /api/v1/sso/domains', () => {
  it('lets an admin replace the list (normalized), records it in the audit log, and shows it back', async () => {
    const put = await call(putDomains, `/api/v1/sso/domains?org=${orgA.slug}`, {
      as: admin,
      method: 'PUT',
      body: { domains: [{ domain: ' Acme.EXAMPLE ', role: 'finance' }] },
    })
    expect(put.status).toBe(200)
    expect(put.body).toEqual({ domains: [{ domain: 'acme.example', role: 'finance' }], sso_configured: false })
    expect((await call(getDomains, `/api/v1/sso/domains?org=${orgA.slug}`, { as: admin })).body.domains).toEqual([{ domain: 'acme.example', role: 'finance' }])
    const audit = await ownerPool().query(`SELECT before, after FROM audit_log WHERE org_id = $1 AND action = 'sso_domains.update'`, [orgA.id])
    expect(audit.rows).toEqual([{ before: { domains: [] }, after: { domains: [{ domain: 'acme.example', role: 'finance' }] } }])
  })

  it('refuses a wrong domain or role, naming the field, and a member who does not manage members', async () => {
    const bad = await call(putDomains, `/api/v1/sso/domains?org=${orgA.slug}`, {
      as: admin,
      method: 'PUT',
      body: { domains: [{ domain: '*.acme.example', role: 'owner' }] },
    })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body.error)).toMatch(/domains\.0\.domain: must be a domain name/)
    expect(JSON.stringify(bad.body.error)).toMatch(/domains\.0\.role/)
    expect((await call(putDomains, `/api/v1/sso/domains?org=${orgA.slug}`, { as: engineer, method: 'PUT', body: { domains: [] } })).status).toBe(403)
    expect((await call(getDomains, `/api/v1/sso/domains?org=${orgA.slug}`, { as: engineer })).status).toBe(403)
  })

  it("keeps each organization's list to itself", async () => {
    await asOrg(orgB.id, () =>
      replaceSsoDomains(orgB.id, {
        domains: [
          { domain: 'acme.example', role: 'viewer' },
          { domain: 'labs.example', role: 'engineer' },
        ],
      }),
    )
    expect((await call(getDomains, `/api/v1/sso/domains?org=${orgA.slug}`, { as: admin })).body.domains).toEqual([{ domain: 'acme.example', role: 'finance' }])
  })
})

describe('signInWithOidc', () => {
  it('makes a new verified user who joins every organization allowing the domain, with each role', async () => {
    const r = await signInWithOidc({ sub: 's-1', email: 'Grace@ACME.example', email_verified: true, name: 'Grace' })
    expect(r).toMatchObject({ ok: true, createdUser: true, user: { email: 'grace@acme.example', name: 'Grace', sessionVersion: 0 } })
    expect(await memberships('grace@acme.example')).toEqual([
      { org_id: orgA.id, role: 'finance' },
      { org_id: orgB.id, role: 'viewer' },
    ])
    const u = await ownerPool().query('SELECT email_verified_at IS NOT NULL AS verified FROM users WHERE email = $1', ['grace@acme.example'])
    expect(u.rows[0].verified).toBe(true)
    const audit = await ownerPool().query(`SELECT org_id::text, actor_label FROM audit_log WHERE action = 'member.add' AND target_id = $1 ORDER BY org_id`, [
      r.ok ? r.user.id : '',
    ])
    expect(audit.rows.map((x) => x.org_id).sort()).toEqual([orgA.id, orgB.id].sort())
    expect(audit.rows[0].actor_label).toBe('grace@acme.example (SSO)')
  })

  it('signs the same person in again as that user, memberships unchanged', async () => {
    const r = await signInWithOidc({ sub: 's-1', email: 'grace@acme.example', email_verified: 'true' })
    expect(r).toMatchObject({ ok: true, createdUser: false, user: { email: 'grace@acme.example' } })
    expect(await memberships('grace@acme.example')).toHaveLength(2)
  })

  it('signs an existing user in whatever their domain, and joins them nowhere new', async () => {
    const r = await signInWithOidc({ sub: 's-2', email: 'admin@labs.example', email_verified: true })
    expect(r).toMatchObject({ ok: true, createdUser: false })
    expect(await memberships('admin@labs.example')).toEqual([{ org_id: orgB.id, role: 'admin' }])
  })

  it('refuses an unverified email, and an email of no allowed domain, making no account', async () => {
    expect(await signInWithOidc({ sub: 's-3', email: 'new@acme.example', email_verified: false })).toEqual({ ok: false, reason: 'unverified' })
    expect(await signInWithOidc({ sub: 's-3', email: 'new@acme.example' })).toEqual({ ok: false, reason: 'unverified' })
    expect(await signInWithOidc({ sub: 's-4', email: 'eve@sub.acme.example', email_verified: true })).toEqual({ ok: false, reason: 'no_account' })
    expect(await signInWithOidc({ sub: 's-5', email_verified: true })).toEqual({ ok: false, reason: 'no_account' })
    const n = await ownerPool().query(`SELECT count(*)::int AS n FROM users WHERE email IN ('new@acme.example', 'eve@sub.acme.example')`)
    expect(n.rows[0].n).toBe(0)
  })
})
