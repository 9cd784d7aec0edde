import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { asOrg, closeDb, prisma, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import {
  authenticateApiKey,
  closeApiKeys,
  createApiKey,
  hashKey,
  keyInvalidationsReady,
  listApiKeys,
  listenForInvalidations,
  newKeyCache,
  revokeApiKey,
  rotateApiKey,
  verifyApiKey,
  ZRotateApiKey,
} from '@/lib/auth/api-keys'
import { generateKey } from '@/lib/auth/key-format'
import { eventsWithKey } from '@/lib/ingest/http'
import { GET as getMetrics } from '@/app/api/v1/metrics/route'
import { SOCKET_ADDRESS_HEADER } from '@/lib/http/client-address'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { fastRouteFor, serveFast } from '@/lib/http/fast'
import { FAST_ROUTES } from '@/lib/http/fast-routes'

// API keys against the real PostgreSQL and Redis: creator, expiry, rotation
// with an overlap, revocation reaching another process's cache over Redis,
// and the throttle on invalid keys.

let orgId = ''
let userId = ''
const FAILURES_PER_MINUTE = 5

beforeAll(async () => {
  process.env.API_KEY_FAILURES_PER_MINUTE = String(FAILURES_PER_MINUTE)
  await useTestServices('api_keys')
  const a = await createOrgWithAdmin({ org_name: 'Keys Co', email: 'keys@example.com', password: 'password-123' })
  orgId = a.org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  userId = a.userId
  await keyInvalidationsReady()
})
afterAll(async () => {
  vi.useRealTimers()
  closeApiKeys()
  await closeQueues()
  await closeDb()
})

const events = (key: string, client: string) =>
  eventsWithKey(
    `Bearer ${key}`,
    'application/json',
    new TextEncoder().encode('{"events":[{"id":"e1","workflow_id":"w","step":"s","provider":"openai","model":"gpt-4o-mini","tokens_in":5}]}'),
    client,
  )

describe('what a key carries', () => {
  it('has its creator (a member, or a label for the CLI), a name, an expiry and a last-used time', async () => {
    const expires = new Date(Date.now() + 7 * 24 * 3600_000).toISOString()
    const made = await createApiKey(orgId, { name: 'by a member', scopes: ['ingest'], expires_at: expires }, { userId })
    expect(made.key).toMatch(/^outlay_sk_[0-9A-Za-z]{49}$/)
    await createApiKey(orgId, { name: 'by the cli', scopes: ['read'] }, { label: 'cli' })
    expect(await verifyApiKey(made.key)).toMatchObject({ orgId, scopes: ['ingest'] })
    const list = await listApiKeys(orgId)
    const member = list.find((k) => k.name === 'by a member')!
    expect(member).toMatchObject({
      created_by: { user_id: userId, email: 'keys@example.com' },
      created_by_label: null,
      expires_at: new Date(expires).toISOString(),
      status: 'active',
    })
    // the lookup above wrote it, off the request's path
    await expect.poll(async () => (await listApiKeys(orgId)).find((k) => k.name === 'by a member')!.last_used_at).not.toBeNull()
    expect(list.find((k) => k.name === 'by the cli')).toMatchObject({ created_by: null, created_by_label: 'cli', expires_at: null, last_used_at: null })
  })

  it('an expired key answers 401 "API key expired on …"', async () => {
    const { key, api_key } = await createApiKey(orgId, { name: 'short-lived', scopes: ['ingest'] })
    const past = new Date(Date.now() - 60_000)
    await prisma().apiKey.update({ where: { id: api_key.id }, data: { expiresAt: past } })
    const res = await events(key, '198.51.100.1')
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ error: { code: 'unauthorized', message: `API key expired on ${past.toISOString()}` } })
    expect((await listApiKeys(orgId)).find((k) => k.id === api_key.id)!.status).toBe('expired')
  })

  it('keys made before the outlay_sk_ format keep working', async () => {
    const raw = `ol_${'A'.repeat(43)}`
    await prisma().apiKey.create({ data: { orgId, name: 'legacy', prefix: raw.slice(0, 11), hash: hashKey(raw), scopes: ['ingest'] } })
    expect((await events(raw, '198.51.100.1')).status).toBe(202)
  })
})

describe('rotation', () => {
  it('makes a new key with the same name, scopes and environment; the old one works until the overlap ends, then stops', async () => {
    const old = await createApiKey(orgId, { name: 'rotating', scopes: ['ingest', 'read'], default_environment: 'staging' }, { userId })
    expect((await events(old.key, '198.51.100.2')).status).toBe(202) // cached in this process
    const overlapUntil = new Date(Date.now() + 2 * 3600_000)
    const r = await rotateApiKey(orgId, old.api_key.id, { overlap_until: overlapUntil.toISOString() }, { userId })
    expect(r.key).not.toBe(old.key)
    expect(r.api_key).toMatchObject({ name: 'rotating', scopes: ['ingest', 'read'], default_environment: 'staging', status: 'active', expires_at: null })
    expect(r.previous).toMatchObject({ id: old.api_key.id, replaced_by_id: r.api_key.id, expires_at: overlapUntil.toISOString(), status: 'active' })
    expect((await events(old.key, '198.51.100.2')).status).toBe(202)
    expect((await events(r.key, '198.51.100.2')).status).toBe(202)

    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(overlapUntil.getTime() + 1000)
    try {
      const res = await events(old.key, '198.51.100.2')
      expect(res.status).toBe(401)
      expect(res.body).toMatchObject({ error: { message: `API key expired on ${overlapUntil.toISOString()} (it was replaced by rotation)` } })
      expect((await events(r.key, '198.51.100.2')).status).toBe(202)
    } finally {
      vi.useRealTimers()
    }
    await expect(rotateApiKey(orgId, old.api_key.id, {})).rejects.toMatchObject({ httpStatus: 409 })
  })

  it('defaults the overlap to 24 hours and refuses one past 30 days or in the past', async () => {
    const old = await createApiKey(orgId, { name: 'default overlap', scopes: ['ingest'] })
    const before = Date.now()
    const r = await rotateApiKey(orgId, old.api_key.id, {})
    const end = Date.parse(r.previous.expires_at!)
    expect(end).toBeGreaterThanOrEqual(before + 24 * 3600_000)
    expect(end).toBeLessThanOrEqual(Date.now() + 24 * 3600_000)
    const tooLong = ZRotateApiKey.safeParse({ overlap_until: new Date(Date.now() + 31 * 24 * 3600_000).toISOString() })
    expect(tooLong.success ? null : tooLong.error.issues[0].message).toBe('the overlap may last at most 30 days')
    const past = ZRotateApiKey.safeParse({ overlap_until: new Date(Date.now() - 1000).toISOString() })
    expect(past.success ? null : past.error.issues[0].message).toBe('the overlap end must be in the future')
  })

  it('an old key from another organization cannot be rotated', async () => {
    const b = await createOrgWithAdmin({ org_name: 'Other Co', email: 'other-keys@example.com', password: 'password-123' })
    const theirs = await asOrg(b.org.id, () => createApiKey(b.org.id, { name: 'theirs', scopes: ['ingest'] }))
    await expect(rotateApiKey(orgId, theirs.api_key.id, {})).rejects.toMatchObject({ httpStatus: 404 })
    expect((await asOrg(b.org.id, () => listApiKeys(b.org.id))).map((k) => k.name)).toEqual(['theirs'])
  })
})

describe('revocation across processes', () => {
  it('a revocation published in one process reaches another process’s cache within a second', async () => {
    const { key, api_key } = await createApiKey(orgId, { name: 'revoked everywhere', scopes: ['ingest'] })
    const h = hashKey(key)
    // a second, independent cache (as in another web process) that would trust the key for an hour without the message
    const other = newKeyCache({ ttlMs: 3600_000 })
    const listening = listenForInvalidations(other)
    try {
      await listening.ready
      expect(await other.get(h)).toMatchObject({ keyId: api_key.id })
      expect((await events(key, '198.51.100.3')).status).toBe(202)
      const heard = new Promise<void>((resolve) => listening.connection.on('message', (_c: string, m: string) => m === h && resolve()))
      await revokeApiKey(orgId, api_key.id)
      expect((await events(key, '198.51.100.3')).status).toBe(401) // this process: at once
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), 1000)
      })
      expect(await Promise.race([heard.then(() => 'heard' as const), late])).toBe('heard')
      clearTimeout(timer)
      expect(other.peek(h)).toBeNull()
      expect(await other.get(h)).toBeNull()
    } finally {
      listening.close()
    }
  })

  it('a process that missed the message forgets its cache when it reconnects, and drops the key at its TTL anyway', async () => {
    const { key, api_key } = await createApiKey(orgId, { name: 'missed', scopes: ['ingest'] })
    const h = hashKey(key)
    let t = Date.now()
    const deaf = newKeyCache({ ttlMs: 30_000, now: () => t }) // hears nothing
    expect(await deaf.get(h)).not.toBeNull()
    await revokeApiKey(orgId, api_key.id)
    expect(await deaf.get(h)).not.toBeNull()
    t += 30_000
    expect(await deaf.get(h)).toBeNull()

    const k2 = await createApiKey(orgId, { name: 'reconnect', scopes: ['ingest'] })
    const cache = newKeyCache({ ttlMs: 3600_000 })
    const listening = listenForInvalidations(cache)
    try {
      await listening.ready
      expect(await cache.get(hashKey(k2.key))).not.toBeNull()
      const back = new Promise<void>((resolve) => listening.connection.once('ready', () => resolve()))
      listening.connection.disconnect(true) // drops the connection and reconnects, as after a network blip
      await back
      expect(cache.peek(hashKey(k2.key))).toBeNull()
    } finally {
      listening.close()
    }
  })
})

describe('throttle on invalid keys', () => {
  it('after too many invalid keys from one address: 429 with Retry-After, without a lookup; other addresses and cached keys go on', async () => {
    const good = await createApiKey(orgId, { name: 'good', scopes: ['ingest', 'read'] })
    const unseen = await createApiKey(orgId, { name: 'never sent before', scopes: ['ingest'] })
    const attacker = '203.0.113.9'
    expect((await events(good.key, attacker)).status).toBe(202) // cached before the attack
    for (let i = 0; i < FAILURES_PER_MINUTE; i++) {
      const res = await events(i % 2 ? generateKey().raw : `ol_guess-${i}`, attacker)
      expect(res.status).toBe(401)
    }
    const limited = await events(generateKey().raw, attacker)
    expect(limited.status).toBe(429)
    const wait = Number(limited.headers?.['Retry-After'])
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(60)
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited' } })
    // a valid key this process has not looked up yet is refused too: proof that nothing was read
    expect((await events(unseen.key, attacker)).status).toBe(429)
    expect((await events(good.key, attacker)).status).toBe(202)
    expect((await events(generateKey().raw, '203.0.113.10')).status).toBe(401)

    // the Next.js routes (withOrg) throttle the same address, given by server.ts
    const viaRoute = await getMetrics(
      new Request('http://localhost/api/v1/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z', {
        headers: { authorization: `Bearer ${generateKey().raw}`, [SOCKET_ADDRESS_HEADER]: attacker },
      }),
    )
    expect(viaRoute.status).toBe(429)
    expect(Number(viaRoute.headers.get('retry-after'))).toBeGreaterThan(0)
    const otherClient = await getMetrics(apiRequest('/api/v1/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z', { key: generateKey().raw }))
    expect(otherClient.status).toBe(401)
  })
})

it('authenticateApiKey refuses a malformed token without a lookup', async () => {
  await expect(authenticateApiKey('outlay_sk_short', '192.0.2.1')).rejects.toMatchObject({ httpStatus: 401 })
})

it('the fast path counts by the socket address: a client over HTTP is throttled after too many invalid keys', async () => {
  const server = http.createServer((req, res) => {
    const route = fastRouteFor(req, FAST_ROUTES)
    if (route) return serveFast(req, res, route)
    res.writeHead(404).end()
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/decide`
    const call = () => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${generateKey().raw}`, 'content-type': 'application/json' }, body: '{}' })
    for (let i = 0; i < FAILURES_PER_MINUTE; i++) expect((await call()).status).toBe(401)
    const limited = await call()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  } finally {
    await new Promise((ok) => server.close(ok))
  }
})
