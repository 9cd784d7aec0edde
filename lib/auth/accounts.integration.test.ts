import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { encode } from 'next-auth/jwt'
import { useTestServices, flushPrefix, ownerPool } from '@/lib/testing/services'
import { closeDb } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { SOCKET_ADDRESS_HEADER } from '@/lib/http/client-address'

// Accounts and sessions against the real PostgreSQL and Redis, with a real SMTP
// server started here (smtp-server): sign-up and email verification, sign-in
// (no enumeration, throttles, the hash only after the cheap checks), password
// reset, sessions that end at once (sign out everywhere, password change and
// reset) and memberships re-read on every request.

// The request's cookies, as next/headers would give them to lib/auth/session.ts.
let cookieJar: Record<string, string> = {}
vi.mock('next/headers', () => ({
  cookies: async () => ({ getAll: () => Object.entries(cookieJar).map(([name, value]) => ({ name, value })) }),
  headers: async () => new Headers(),
}))
// The real argon2 functions, counted: the throttle must refuse before any hash.
const argon = vi.hoisted(() => ({ verifies: 0, hashes: 0 }))
vi.mock('@/lib/auth/passwords', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/auth/passwords')>()
  return {
    hashPassword: (p: string) => (argon.hashes++, real.hashPassword(p)),
    verifyPassword: (s: string, p: string) => (argon.verifies++, real.verifyPassword(s, p)),
    verifyNothing: (p: string) => (argon.verifies++, real.verifyNothing(p)),
  }
})

type TMail = { to: string[]; subject: string; body: string }
const mails: TMail[] = []
let server: SMTPServer
let prefix = ''

async function settled(): Promise<void> {
  const { settleAccountMail } = await import('@/lib/auth/account-mail')
  await settleAccountMail()
}
const mailsTo = (addr: string) => mails.filter((m) => m.to.includes(addr))
function linkToken(m: TMail, path: string): string {
  const match = new RegExp(`http://outlay\\.test${path}\\?token=([A-Za-z0-9_-]+)`).exec(m.body)
  if (!match) throw new Error(`no ${path} link in: ${m.body}`)
  return match[1]
}

let address = '198.51.100.1'
function post(path: string, body: unknown, from = address): Request {
  return new Request(`http://outlay.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://outlay.test', [SOCKET_ADDRESS_HEADER]: from },
    body: JSON.stringify(body),
  })
}
async function call(route: { POST: (r: Request) => Promise<Response> }, path: string, body: unknown, from?: string) {
  const res = await route.POST(post(path, body, from))
  return { status: res.status, body: await res.json(), headers: res.headers }
}
const routes = {
  signup: () => import('@/app/api/auth/signup/route'),
  verify: () => import('@/app/api/auth/verify-email/route'),
  resend: () => import('@/app/api/auth/verify-email/resend/route'),
  resetRequest: () => import('@/app/api/auth/password-reset/route'),
  resetConfirm: () => import('@/app/api/auth/password-reset/confirm/route'),
  changePassword: () => import('@/app/api/account/password/route'),
  signOutEverywhere: () => import('@/app/api/account/sign-out-everywhere/route'),
}

/** Sign in as next-auth does (the provider's authorize, then the jwt callback) and answer the session cookie. */
async function signIn(email: string, password: string, from = address): Promise<{ ok: true; cookie: string } | { ok: false; error: string }> {
  const { authOptions } = await import('@/lib/auth/options')
  const opts = authOptions()
  const provider = opts.providers[0] as unknown as { options: { authorize: (c: unknown, r: unknown) => Promise<{ id: string } | null> } }
  let user
  try {
    user = await provider.options.authorize({ email, password }, { headers: { [SOCKET_ADDRESS_HEADER]: from } })
  } catch (e) {
    return { ok: false, error: (e as Error).message }
  }
  if (!user) return { ok: false, error: 'CredentialsSignin' }
  // next-auth's first token: name, email, picture and sub from the user
  const u = user as { id: string; email: string; name: string | null }
  const token = await opts.callbacks!.jwt!({ token: { name: u.name, email: u.email, picture: null, sub: u.id }, user: user as never, account: null } as never)
  return { ok: true, cookie: await encode({ token: token as never, secret: process.env.NEXTAUTH_SECRET! }) }
}
async function asSession<T>(cookie: string, fn: () => Promise<T>): Promise<T> {
  cookieJar = { 'next-auth.session-token': cookie }
  try {
    return await fn()
  } finally {
    cookieJar = {}
  }
}
async function sessionEmail(cookie: string): Promise<string | null> {
  const { sessionUser } = await import('@/lib/auth/session')
  return asSession(cookie, async () => (await sessionUser())?.email ?? null)
}

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      let data = ''
      stream.on('data', (c) => (data += c))
      stream.on('end', () => {
        const unfolded = data.replace(/\r\n[ \t]+/g, ' ')
        const subject = /^Subject: (.*)$/m.exec(unfolded)?.[1]?.trim() ?? ''
        // quoted-printable soft line breaks and "=3D" undone, so links read whole
        const body = unfolded
          .slice(unfolded.indexOf('\r\n\r\n') + 4)
          .replace(/=\r\n/g, '')
          .replace(/=3D/g, '=')
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, body })
        cb()
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.server.address() as AddressInfo).port
  prefix = (await useTestServices('accounts')).prefix
  Object.assign(process.env, { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Outlay <accounts@outlay.test>', NEXTAUTH_URL: 'http://outlay.test' })
})
beforeEach(async () => {
  // each test starts with no throttle counts and its own client address
  await flushPrefix(prefix)
  address = `198.51.100.${Math.floor(Math.random() * 250) + 1}`
})
afterAll(async () => {
  await settled()
  await new Promise<void>((r) => server.close(() => r()))
  await closeQueues()
  await closeDb()
})

describe('sign-up and email verification (SMTP configured)', () => {
  it('answers "check your email", emails a link, and the account signs in only once verified', async () => {
    const signup = await routes.signup()
    const r = await call(signup, '/api/auth/signup', { org_name: 'Verify Co', email: 'new@example.com', password: 'password-1234' })
    expect(r).toMatchObject({ status: 202, body: { status: 'verification_sent' } })
    await settled()
    const [mail] = mailsTo('new@example.com')
    expect(mail.subject).toBe('[Outlay] Verify your email')

    expect(await signIn('new@example.com', 'password-1234')).toEqual({ ok: false, error: 'unverified' })
    // a wrong password says nothing about verification
    expect(await signIn('new@example.com', 'wrong-password')).toEqual({ ok: false, error: 'CredentialsSignin' })

    const verify = await routes.verify()
    const token = linkToken(mail, '/verify-email')
    expect(await call(verify, '/api/auth/verify-email', { token })).toMatchObject({ status: 200, body: { status: 'ok' } })
    expect(await signIn('new@example.com', 'password-1234')).toMatchObject({ ok: true })
    // single use
    expect(await call(verify, '/api/auth/verify-email', { token })).toMatchObject({
      status: 400,
      body: { error: { details: { errors: ['token: is invalid, already used or expired'] } } },
    })
  })

  it('an unverified account can ask for a new link; the answer is the same for unknown and verified emails', async () => {
    const signup = await routes.signup()
    await call(signup, '/api/auth/signup', { org_name: 'Resend Co', email: 'resend@example.com', password: 'password-1234' })
    await settled()
    const resend = await routes.resend()
    const a = await call(resend, '/api/auth/verify-email/resend', { email: 'resend@example.com' })
    const b = await call(resend, '/api/auth/verify-email/resend', { email: 'nobody@example.com' })
    const c = await call(resend, '/api/auth/verify-email/resend', { email: 'new@example.com' }) // verified above
    expect([a, b, c].map((x) => [x.status, x.body])).toEqual(Array(3).fill([202, { status: 'accepted' }]))
    await settled()
    expect(mailsTo('resend@example.com').map((m) => m.subject)).toEqual(['[Outlay] Verify your email', '[Outlay] Verify your email'])
    expect(mailsTo('nobody@example.com')).toEqual([])
    expect(mailsTo('new@example.com')).toHaveLength(1) // only its first verification email
    // the newest link works
    const verify = await routes.verify()
    expect((await call(verify, '/api/auth/verify-email', { token: linkToken(mailsTo('resend@example.com')[1], '/verify-email') })).status).toBe(200)
  })

  it('signing up again with a taken email answers the same, makes nothing, and tells the owner', async () => {
    const signup = await routes.signup()
    const before = Number((await ownerPool().query('SELECT count(*) FROM users')).rows[0].count)
    const r = await call(signup, '/api/auth/signup', { org_name: 'Copycat', email: 'new@example.com', password: 'another-password' })
    expect(r).toMatchObject({ status: 202, body: { status: 'verification_sent' } })
    await settled()
    expect(Number((await ownerPool().query('SELECT count(*) FROM users')).rows[0].count)).toBe(before)
    expect(mailsTo('new@example.com').at(-1)!.subject).toBe('[Outlay] Someone tried to sign up with your email')
  })

  it('sign-up is throttled per email, with a message saying when to retry', async () => {
    const signup = await routes.signup()
    for (let i = 0; i < 3; i++)
      await call(signup, '/api/auth/signup', { org_name: 'Spam', email: 'spam@example.com', password: 'password-1234' }, `203.0.113.${i + 1}`)
    const hashes = argon.hashes
    const r = await call(signup, '/api/auth/signup', { org_name: 'Spam', email: 'spam@example.com', password: 'password-1234' }, '203.0.113.99')
    expect(r.status).toBe(429)
    expect(r.body.error.message).toMatch(/^Too many sign-up attempts\. Try again in \d+ (second|minute)s?\.$/)
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(argon.hashes).toBe(hashes) // refused before hashing
    await settled()
    expect(mailsTo('spam@example.com')).toHaveLength(3) // one verification, two "already registered"
  })
})

describe('sign-in', () => {
  it('answers alike for an unknown email and a wrong password, after the same argon2 work', async () => {
    const v0 = argon.verifies
    expect(await signIn('nobody@example.com', 'whatever-password')).toEqual({ ok: false, error: 'CredentialsSignin' })
    expect(argon.verifies).toBe(v0 + 1)
    expect(await signIn('new@example.com', 'whatever-password')).toEqual({ ok: false, error: 'CredentialsSignin' })
    expect(argon.verifies).toBe(v0 + 2)
  })

  it('locks an email after 5 failures, known or not, and refuses before hashing; another email is unaffected', async () => {
    for (const email of ['new@example.com', 'ghost@example.com']) {
      const results = []
      for (let i = 0; i < 6; i++) results.push(await signIn(email, `wrong-${i}`, `192.0.2.${i + 1}`))
      expect(results.slice(0, 5).every((r) => !r.ok && r.error === 'CredentialsSignin')).toBe(true)
      expect(results[5]).toMatchObject({ ok: false, error: expect.stringMatching(/^throttled:\d+$/) })
      const v = argon.verifies
      // even the right password waits: the lock is checked first
      expect(await signIn(email, 'password-1234', '192.0.2.50')).toMatchObject({ ok: false, error: expect.stringMatching(/^throttled:\d+$/) })
      expect(argon.verifies).toBe(v)
    }
    expect(await signIn('resend@example.com', 'password-1234')).toMatchObject({ ok: true })
  })

  it('locks a client address that sprays many emails, not other addresses; backoff doubles', async () => {
    const results = []
    for (let i = 0; i < 22; i++) results.push(await signIn(`spray-${i}@example.com`, 'password-1234'))
    expect(results.slice(0, 20).every((r) => !r.ok && r.error === 'CredentialsSignin')).toBe(true)
    const wait = (r: { ok: boolean; error?: string }) => Number((r as { error: string }).error.split(':')[1])
    expect(wait(results[20])).toBe(2)
    expect(await signIn('new@example.com', 'password-1234')).toMatchObject({ ok: false, error: expect.stringMatching(/^throttled:/) })
    expect(await signIn('new@example.com', 'password-1234', '192.0.2.200')).toMatchObject({ ok: true })
  })

  it('a success clears the email count', async () => {
    for (let i = 0; i < 4; i++) await signIn('new@example.com', 'wrong')
    expect(await signIn('new@example.com', 'password-1234')).toMatchObject({ ok: true })
    for (let i = 0; i < 4; i++) expect(await signIn('new@example.com', 'wrong')).toEqual({ ok: false, error: 'CredentialsSignin' })
  })
})

describe('throttle (Redis)', () => {
  it('backoff doubles per failure past the free ones, up to the cap; a lock refuses without counting', async () => {
    const { recordFailure, throttleWait, takeAttempt } = await import('@/lib/auth/throttle')
    const rule = { name: 'test:doubling', free: 2, baseMs: 1000, maxMs: 5000, forgetMs: 60_000 }
    const keys = [{ rule, id: 'someone' }]
    const locks = []
    for (let i = 0; i < 6; i++) locks.push(await recordFailure(keys))
    expect(locks).toEqual([0, 0, 1000, 2000, 4000, 5000])
    const wait = await throttleWait(keys)
    expect(wait).toBeGreaterThan(4000)
    expect(wait).toBeLessThanOrEqual(5000)
    const attempts = { name: 'test:attempts', free: 2, baseMs: 60_000, maxMs: 60_000, forgetMs: 60_000 }
    const k2 = [{ rule: attempts, id: 'someone' }]
    expect(await takeAttempt(k2)).toBe(0)
    expect(await takeAttempt(k2)).toBe(0) // the 2nd goes through and locks the next
    expect(await takeAttempt(k2)).toBeGreaterThan(59_000)
  })
})

describe('password reset', () => {
  it('answers the same whether or not the email exists; only an account gets a link', async () => {
    const route = await routes.resetRequest()
    const a = await call(route, '/api/auth/password-reset', { email: 'new@example.com' })
    const b = await call(route, '/api/auth/password-reset', { email: 'unknown@example.com' })
    expect([a.status, a.body]).toEqual([202, { status: 'accepted' }])
    expect([b.status, b.body]).toEqual([202, { status: 'accepted' }])
    await settled()
    expect(mailsTo('unknown@example.com')).toEqual([])
    expect(mailsTo('new@example.com').at(-1)!.subject).toBe('[Outlay] Reset your password')
  })

  it('a link sets the new password once, ends every session and spends the other links', async () => {
    const before = await signIn('new@example.com', 'password-1234')
    if (!before.ok) throw new Error(before.error)
    expect(await sessionEmail(before.cookie)).toBe('new@example.com')

    const route = await routes.resetRequest()
    await call(route, '/api/auth/password-reset', { email: 'new@example.com' })
    await call(route, '/api/auth/password-reset', { email: 'new@example.com' })
    await settled()
    const [older, newer] = mailsTo('new@example.com')
      .slice(-2)
      .map((m) => linkToken(m, '/reset-password'))
    const confirm = await routes.resetConfirm()
    expect(await call(confirm, '/api/auth/password-reset/confirm', { token: newer, password: 'short' })).toMatchObject({
      status: 400,
      body: { error: { details: { errors: ['password: must be at least 10 characters'] } } },
    })
    expect(await call(confirm, '/api/auth/password-reset/confirm', { token: newer, password: 'brand-new-password' })).toMatchObject({ status: 200 })

    expect(await sessionEmail(before.cookie)).toBeNull() // the session from before the reset is over
    expect(await signIn('new@example.com', 'password-1234')).toEqual({ ok: false, error: 'CredentialsSignin' })
    expect(await signIn('new@example.com', 'brand-new-password')).toMatchObject({ ok: true })
    expect((await call(confirm, '/api/auth/password-reset/confirm', { token: newer, password: 'another-password-1' })).status).toBe(400)
    expect((await call(confirm, '/api/auth/password-reset/confirm', { token: older, password: 'another-password-1' })).status).toBe(400)
    const stored = await ownerPool().query(`SELECT token_hash FROM user_tokens WHERE purpose = 'password_reset'`)
    expect(stored.rows.map((r) => r.token_hash)).not.toContain(newer) // only the hash is stored
  })

  it('a link expires after an hour', async () => {
    const route = await routes.resetRequest()
    await call(route, '/api/auth/password-reset', { email: 'resend@example.com' })
    await settled()
    const token = linkToken(mailsTo('resend@example.com').at(-1)!, '/reset-password')
    const row = await ownerPool().query(
      `SELECT extract(epoch FROM expires_at - created_at)::int AS s FROM user_tokens WHERE purpose = 'password_reset' ORDER BY created_at DESC LIMIT 1`,
    )
    expect(row.rows[0].s).toBe(3600)
    await ownerPool().query(`UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'password_reset' AND used_at IS NULL`)
    const confirm = await routes.resetConfirm()
    expect((await call(confirm, '/api/auth/password-reset/confirm', { token, password: 'brand-new-password' })).status).toBe(400)
  })

  it('guessing tokens from one address is throttled', async () => {
    const confirm = await routes.resetConfirm()
    const fake = 'A'.repeat(43)
    for (let i = 0; i < 20; i++)
      expect((await call(confirm, '/api/auth/password-reset/confirm', { token: fake, password: 'brand-new-password' })).status).toBe(400)
    expect((await call(confirm, '/api/auth/password-reset/confirm', { token: fake, password: 'brand-new-password' })).status).toBe(429)
  })
})

describe('sessions', () => {
  let orgSlug = ''
  let memberId = ''
  beforeAll(async () => {
    const { createOrgWithAdmin } = await import('@/lib/orgs')
    const owner = await createOrgWithAdmin({ org_name: 'Session Co', email: 'owner@example.com', password: 'owner-password-1' })
    orgSlug = owner.org.slug
    const member = await createOrgWithAdmin({ org_name: 'Member Home', email: 'member@example.com', password: 'member-password-1' })
    memberId = member.userId
    await ownerPool().query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'engineer')`, [owner.org.id, memberId])
  })
  async function get(cookie: string, path: string): Promise<number> {
    const mod = path.startsWith('/api/v1/keys') ? await import('@/app/api/v1/keys/route') : await import('@/app/api/v1/channels/route')
    return asSession(cookie, async () => (await mod.GET(new Request(`http://outlay.test${path}?org=${orgSlug}`))).status)
  }

  it('a changed role and a removed member take effect on the next request of the same session (API and pages)', async () => {
    const s = await signIn('member@example.com', 'member-password-1')
    if (!s.ok) throw new Error(s.error)
    const { pageAccess } = await import('@/lib/auth/session')
    const page = (permission: 'keys.manage' | 'metrics.read') =>
      asSession(s.cookie, async () => {
        const a = await pageAccess(orgSlug, permission)
        return a.ok ? a.membership.role : a.reason
      })
    expect(await get(s.cookie, '/api/v1/keys')).toBe(200) // engineers manage keys
    expect(await page('keys.manage')).toBe('engineer')
    await ownerPool().query(`UPDATE memberships SET role = 'viewer' WHERE user_id = $1 AND org_id = (SELECT id FROM organizations WHERE slug = $2)`, [
      memberId,
      orgSlug,
    ])
    expect(await get(s.cookie, '/api/v1/keys')).toBe(403)
    expect(await page('keys.manage')).toBe('forbidden')
    expect(await get(s.cookie, '/api/v1/channels')).toBe(200)
    expect(await page('metrics.read')).toBe('viewer')
    await ownerPool().query(`DELETE FROM memberships WHERE user_id = $1 AND org_id = (SELECT id FROM organizations WHERE slug = $2)`, [memberId, orgSlug])
    expect(await get(s.cookie, '/api/v1/channels')).toBe(403)
    expect(await page('metrics.read')).toBe('not_member')
  })

  it('"sign out everywhere" ends every session of the user, not other users\'', async () => {
    const a = await signIn('owner@example.com', 'owner-password-1')
    const b = await signIn('owner@example.com', 'owner-password-1', '192.0.2.77')
    const other = await signIn('member@example.com', 'member-password-1')
    if (!a.ok || !b.ok || !other.ok) throw new Error('sign-in failed')
    expect(await get(a.cookie, '/api/v1/channels')).toBe(200)
    const route = await routes.signOutEverywhere()
    // another site's page cannot make the browser do it (CSRF): its Origin is refused
    const forged = new Request('http://outlay.test/api/account/sign-out-everywhere', { method: 'POST', headers: { origin: 'https://evil.example' } })
    expect((await asSession(a.cookie, () => route.POST(forged))).status).toBe(403)
    expect(await sessionEmail(a.cookie)).toBe('owner@example.com')
    expect((await asSession(a.cookie, () => route.POST(post('/api/account/sign-out-everywhere', {})))).status).toBe(200)
    expect(await sessionEmail(a.cookie)).toBeNull()
    expect(await sessionEmail(b.cookie)).toBeNull()
    expect(await get(b.cookie, '/api/v1/channels')).toBe(401)
    expect(await sessionEmail(other.cookie)).toBe('member@example.com')
    expect((await route.POST(post('/api/account/sign-out-everywhere', {}))).status).toBe(401) // signed out
  })

  it('a password change needs the current password and ends every other session; the new password signs in', async () => {
    const mine = await signIn('owner@example.com', 'owner-password-1')
    const elsewhere = await signIn('owner@example.com', 'owner-password-1', '192.0.2.78')
    if (!mine.ok || !elsewhere.ok) throw new Error('sign-in failed')
    const route = await routes.changePassword()
    const change = (body: unknown) =>
      asSession(mine.cookie, async () => {
        const res = await route.POST(post('/api/account/password', body))
        return { status: res.status, body: await res.json() }
      })
    expect(await change({ current_password: 'not-my-password', new_password: 'owner-password-2' })).toMatchObject({
      status: 400,
      body: { error: { details: { errors: ['current_password: is not your current password'] } } },
    })
    expect(await change({ current_password: 'owner-password-1', new_password: 'owner-password-1' })).toMatchObject({
      status: 400,
      body: { error: { details: { errors: ['new_password: must differ from the current password'] } } },
    })
    expect(await sessionEmail(elsewhere.cookie)).toBe('owner@example.com')
    expect(await change({ current_password: 'owner-password-1', new_password: 'owner-password-2' })).toMatchObject({ status: 200 })
    expect(await sessionEmail(elsewhere.cookie)).toBeNull()
    expect(await signIn('owner@example.com', 'owner-password-1')).toEqual({ ok: false, error: 'CredentialsSignin' })
    const again = await signIn('owner@example.com', 'owner-password-2')
    expect(again.ok && (await sessionEmail(again.cookie))).toBe('owner@example.com')
  })

  it('a JWT signed with another secret or naming a deleted user is no session', async () => {
    const forged = await encode({ token: { uid: memberId, sv: 0 }, secret: 'another-secret-0123456789-abcdefgh' })
    expect(await sessionEmail(forged)).toBeNull()
    const s = await signIn('member@example.com', 'member-password-1')
    if (!s.ok) throw new Error(s.error)
    await ownerPool().query('DELETE FROM memberships WHERE user_id = $1', [memberId])
    await ownerPool().query('DELETE FROM users WHERE id = $1', [memberId])
    expect(await sessionEmail(s.cookie)).toBeNull()
  })
})
