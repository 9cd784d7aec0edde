import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { sessionCookie, callRoute } from '@/lib/testing/session'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin, findUserByEmail } from '@/lib/orgs'
import { listApiKeys } from '@/lib/auth/api-keys'
import { GET as getKeys, POST as postKey } from '@/app/api/v1/keys/route'
import { DELETE as deleteKey } from '@/app/api/v1/keys/[id]/route'
import { POST as postSamples } from '@/app/api/v1/gpu/samples/route'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as signUp } from '@/app/api/auth/signup/route'

// CSRF: a change made with the session cookie must come from Outlay's own
// pages (lib/http/origin.ts) — through withOrg for every /api/v1 route, and in
// sign-up; API-key calls are not affected. The session is a real next-auth JWT
// in the request's Cookie header (lib/testing/session.ts).

vi.mock('@/lib/auth/session', async (original) => ({
  ...(await original<typeof import('@/lib/auth/session')>()),
  sessionUser: async () => (await import('@/lib/testing/session')).sessionUserOfHandled(),
}))

const call = callRoute

const OWN = 'http://localhost' // the origin of apiRequest's URLs
let cookie = ''
let orgId = ''
let slug = ''
let ingestKey = ''

beforeAll(async () => {
  await useTestServices('origin')
  const a = await createOrgWithAdmin({ org_name: 'Origin Co', email: 'origin@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  orgId = a.org.id
  slug = a.org.slug
  cookie = await sessionCookie({ id: a.userId, email: 'origin@example.com' })
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const createKey = (headers: Record<string, string>) =>
  call(postKey, apiRequest(`/api/v1/keys?org=${slug}`, { body: { name: 'from the browser', scopes: ['read'] }, headers: { cookie, ...headers } }))
const keyNames = async () => (await listApiKeys(orgId)).map((k) => k.name)

describe('session changes through withOrg', () => {
  it('go through from our own origin (Origin, or Sec-Fetch-Site: same-origin without one)', async () => {
    expect((await createKey({ origin: OWN })).status).toBe(201)
    expect((await createKey({ 'sec-fetch-site': 'same-origin' })).status).toBe(201)
  })

  it.each([
    ['another site', { origin: 'https://evil.example' }],
    ['an opaque origin', { origin: 'null' }],
    ['no Origin', {}],
    ['a cross-site fetch without Origin', { 'sec-fetch-site': 'cross-site' }],
  ])('are refused from %s with 403 before anything changes', async (_name, headers) => {
    const before = await keyNames()
    const res = await createKey(headers as Record<string, string>)
    expect(res.status).toBe(403)
    const { error } = await res.json()
    expect(error.code).toBe('cross_origin_request')
    expect(error.message).toMatch(/must come from Outlay's own pages/)
    expect(await keyNames()).toEqual(before)
  })

  it('covers DELETE too', async () => {
    const victim = (await createTestApiKey(orgId, { name: 'keep me', scopes: ['read'] })).api_key
    const del = (headers: Record<string, string>) =>
      call(deleteKey, apiRequest(`/api/v1/keys/${victim.id}?org=${slug}`, { method: 'DELETE', headers: { cookie, ...headers } }), { id: victim.id })
    expect((await del({ origin: 'https://evil.example' })).status).toBe(403)
    expect((await listApiKeys(orgId)).find((k) => k.id === victim.id)).toMatchObject({ revoked_at: null })
    expect((await del({ origin: OWN })).status).toBe(204)
  })

  it('covers the CSV upload', async () => {
    const csv = 'timestamp, index, utilization.gpu [%], memory.used [MiB]\n2026/12/06 10:00:00.000, 0, 50 %, 1 MiB\n'
    const upload = (headers: Record<string, string>) =>
      call(postSamples, apiRequest(`/api/v1/gpu/samples?org=${slug}&pool=missing`, { body: csv, contentType: 'text/csv', headers: { cookie, ...headers } }))
    const refused = await upload({ origin: 'https://evil.example' })
    expect(refused.status).toBe(403)
    expect((await refused.json()).error.code).toBe('cross_origin_request')
    // from our own page the upload reaches the handler, which finds no such pool
    expect((await upload({ origin: OWN })).status).toBe(404)
  })

  it('answers a slug PostgreSQL cannot hold as any unknown one (403), without the lookup that failed with a 500', async () => {
    const res = await call(getKeys, apiRequest('/api/v1/keys?org=%00', { headers: { cookie } }))
    expect(res.status).toBe(403)
    expect((await res.json()).error.message).toBe('You are not a member of this organization')
  })

  it('leaves reads alone, whatever the origin', async () => {
    const res = await call(getKeys, apiRequest(`/api/v1/keys?org=${slug}`, { headers: { cookie, origin: 'https://evil.example' } }))
    expect(res.status).toBe(200)
  })

  it('still answers 401, not 403, to a request with no session at all', async () => {
    const res = await call(
      postKey,
      apiRequest(`/api/v1/keys?org=${slug}`, { body: { name: 'x', scopes: ['read'] }, headers: { origin: 'https://evil.example' } }),
    )
    expect(res.status).toBe(401)
  })
})

describe('API-key calls', () => {
  it('are not checked: a service sends no Origin, and a foreign one changes nothing', async () => {
    const events = { events: [{ id: 'o1', workflow_id: 'w', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1, tokens_out: 1 }] }
    expect((await call(postEvents, apiRequest('/api/v1/events', { key: ingestKey, body: events }))).status).toBe(202)
    expect(
      (
        await call(
          postEvents,
          apiRequest('/api/v1/events', { key: ingestKey, body: { events: [{ ...events.events[0], id: 'o2' }] }, headers: { origin: 'https://evil.example' } }),
        )
      ).status,
    ).toBe(202)
  })
})

describe('POST /api/auth/signup', () => {
  const body = (email: string) => ({ org_name: 'Signup Co', email, password: 'password-123' })

  it('creates the account from our own sign-up page', async () => {
    const res = await call(signUp, apiRequest('/api/auth/signup', { body: body('new@example.com'), headers: { origin: OWN } }))
    expect(res.status).toBe(201)
  })

  it('refuses another site, or no Origin, and creates nothing', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, {}] as Record<string, string>[]) {
      const res = await call(signUp, apiRequest('/api/auth/signup', { body: body('forced@example.com'), headers }))
      expect(res.status).toBe(403)
      expect((await res.json()).error.code).toBe('cross_origin_request')
    }
    expect(await findUserByEmail('forced@example.com')).toBeNull()
  })
})
