import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import type { TSessionUser } from '@/lib/auth/session'
import { DELETE as deleteSlo, GET as getSlos, PUT as putSlos } from '@/app/api/v1/feature-slos/route'

// Cost SLOs as the API client and the page use them: set, correct, read back
// exactly, remove; field-by-field errors; who may write; no cross-tenant reach.

// The signed-in member, for the session cases (next-auth's cookie is not in play here).
let signedIn: TSessionUser | null = null
vi.mock('@/lib/auth/session', () => ({ sessionUser: async () => signedIn }))

let orgId = ''
let orgSlug = ''
let adminId = ''
let readKey = ''
let writeKey = ''
let otherWriteKey = ''
let viewerId = ''
let financeId = ''

// with the Origin our own pages send (a signed-in member's changes are checked against it: lib/http/origin.ts)
const H = (key: string | null, body?: unknown) =>
  ({
    headers: { origin: 'http://x', ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }) as RequestInit
const url = (q = '') => `http://x/api/v1/feature-slos${q}`
const put = (body: unknown, key: string | null = writeKey, q = '') => putSlos(new Request(url(q), { method: 'PUT', ...H(key, body) }))
const list = async (key: string | null = readKey, q = '') => (await getSlos(new Request(url(q), H(key)))).json()

async function member(email: string, role: string): Promise<string> {
  const u = await ownerPool().query<{ id: string }>(`INSERT INTO users (id, email, password_hash) VALUES (gen_random_uuid(), $1, 'x') RETURNING id`, [email])
  await ownerPool().query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)`, [orgId, u.rows[0].id, role])
  return u.rows[0].id
}

beforeAll(async () => {
  await useTestServices('slos')
  const a = await createOrgWithAdmin({ org_name: 'Slo Co', email: 'slo@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  orgId = a.org.id
  orgSlug = a.org.slug
  adminId = a.userId
  readKey = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  const other = await createOrgWithAdmin({ org_name: 'Other Co', email: 'other@example.com', password: 'password-123' })
  otherWriteKey = (await createTestApiKey(other.org.id, { name: 'w', scopes: ['write', 'read'] })).key
  viewerId = await member('viewer@example.com', 'viewer')
  financeId = await member('finance@example.com', 'finance')
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('feature SLOs API', () => {
  it('starts empty, sets targets exactly and reads them back', async () => {
    expect(await list()).toEqual({ slos: [] })
    const res = await put({
      slos: [
        { feature: 'ticket-triage', target_usd_per_action: '0.045' },
        { feature: 'meeting-notes', target_usd_per_action: 0.000000123 },
      ],
    })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body.slos).toEqual([
      expect.objectContaining({ feature: 'meeting-notes', target_usd_per_action: '0.000000123', unit: 'run', updated_by: null }),
      expect.objectContaining({ feature: 'ticket-triage', target_usd_per_action: '0.045', unit: 'run', updated_by: null }),
    ])
    expect(await list()).toEqual(body)
    const [row] = (
      await ownerPool().query(`SELECT target_usd_per_action::text AS t FROM feature_slos WHERE org_id = $1 AND feature = 'ticket-triage'`, [orgId])
    ).rows
    expect(row.t).toBe('0.045000000')
  })

  it('replaces a target (same feature) and records who set it', async () => {
    signedIn = { id: financeId, email: 'finance@example.com', name: null }
    const res = await put({ slos: [{ feature: 'ticket-triage', target_usd_per_action: '0.05' }] }, null, `?org=${orgSlug}`)
    expect(res.status).toBe(200)
    const slo = (await res.json()).slos.find((s: { feature: string }) => s.feature === 'ticket-triage')
    expect(slo).toEqual(expect.objectContaining({ target_usd_per_action: '0.05', updated_by: financeId }))
    signedIn = null
  })

  it('rejects bad input field by field', async () => {
    const res = await put({
      slos: [
        { feature: ' ', target_usd_per_action: '-1' },
        { feature: 'x', target_usd_per_action: '0.0000000001', colour: 1 },
        { feature: 'y', target_usd_per_action: '0' },
      ],
    })
    expect(res.status).toBe(400)
    expect((await res.json()).error.details.errors).toEqual(
      expect.arrayContaining([
        'slos.0.feature: must not be empty',
        'slos.0.target_usd_per_action: must be a positive USD amount with at most 9 decimal places, e.g. 0.05',
        'slos.1.colour: unknown field',
        'slos.1.target_usd_per_action: must be a positive USD amount with at most 9 decimal places, e.g. 0.05',
        'slos.2.target_usd_per_action: must be a positive USD amount with at most 9 decimal places, e.g. 0.05',
      ]),
    )
    const dup = await put({
      slos: [
        { feature: 'a', target_usd_per_action: '1' },
        { feature: 'a', target_usd_per_action: '2' },
      ],
    })
    expect((await dup.json()).error.details.errors).toEqual(['slos: each feature at most once'])
    expect((await put({ slos: [] })).status).toBe(400)
  })

  it('lets only write keys and members with slos.write change targets', async () => {
    expect((await put({ slos: [{ feature: 'f', target_usd_per_action: '1' }] }, readKey)).status).toBe(403)
    signedIn = { id: viewerId, email: 'viewer@example.com', name: null }
    expect((await put({ slos: [{ feature: 'f', target_usd_per_action: '1' }] }, null, `?org=${orgSlug}`)).status).toBe(403)
    // a viewer still reads them
    expect((await list(null, `?org=${orgSlug}`)).slos).toHaveLength(2)
    signedIn = { id: adminId, email: 'slo@example.com', name: null }
    expect((await put({ slos: [{ feature: 'f', target_usd_per_action: '1' }] }, null, `?org=${orgSlug}`)).status).toBe(200)
    signedIn = null
    expect((await putSlos(new Request(url(), { method: 'PUT', ...H(null, { slos: [] }) }))).status).toBe(401)
  })

  it('keeps each organization to its own targets', async () => {
    expect(await list(otherWriteKey)).toEqual({ slos: [] })
    const del = await deleteSlo(new Request(url('?feature=ticket-triage'), { method: 'DELETE', ...H(otherWriteKey) }))
    expect(del.status).toBe(404)
    expect((await list()).slos.map((s: { feature: string }) => s.feature)).toEqual(['f', 'meeting-notes', 'ticket-triage'])
  })

  it('removes a target; removing one that is not there is a 404', async () => {
    const res = await deleteSlo(new Request(url('?feature=f'), { method: 'DELETE', ...H(writeKey) }))
    expect(res.status).toBe(200)
    expect((await res.json()).slos.map((s: { feature: string }) => s.feature)).toEqual(['meeting-notes', 'ticket-triage'])
    const again = await deleteSlo(new Request(url('?feature=f'), { method: 'DELETE', ...H(writeKey) }))
    expect(again.status).toBe(404)
    const missing = await deleteSlo(new Request(url(), { method: 'DELETE', ...H(writeKey) }))
    expect(missing.status).toBe(400)
    expect((await deleteSlo(new Request(url('?feature=meeting-notes'), { method: 'DELETE', ...H(readKey) }))).status).toBe(403)
  })
})
