import 'server-only'
import { createHash } from 'node:crypto'
import IORedis, { type Redis } from 'ioredis'
import { z } from 'zod'
import { asOrg, pool, prisma } from '@/lib/db'
import { env } from '@/lib/env'
import { conflict, notFound, tooManyRequests, unauthorized } from '@/lib/errors'
import { producerConnection } from '@/lib/queues'
import { FailureThrottle, KeyCache } from '@/lib/auth/key-cache'
import { generateKey, isWellFormedKey } from '@/lib/auth/key-format'
import { recordAudit } from '@/lib/audit'
import { KEY_SCOPES, ROTATION_DEFAULT_OVERLAP_MS, type TKeyScope, type TApiKeyView, type TCreateApiKey, type TRotateApiKey } from '@/lib/auth/keys-schema'

// API keys: shown once, stored as a sha256 hash (the key is 256 random bits,
// so a slow KDF adds nothing), identified by a visible prefix, scoped to one
// organization and to "ingest" (send events), "read" (metrics, prices),
// "write" (change configuration) and/or "gateway" (call models through lib/gateway). A key knows who made it, may expire, and is
// rotated with an overlap: a new key, the old one valid until a chosen time.
// The key format (lib/auth/key-format.ts) is recognisable by secret scanners.

export { generateKey }
export { KEY_SCOPES, ROTATION_DEFAULT_OVERLAP_MS, ROTATION_MAX_OVERLAP_MS, ZCreateApiKey, ZRotateApiKey } from '@/lib/auth/keys-schema'
export type { TApiKeyView, TCreateApiKey, TKeyScope, TRotateApiKey } from '@/lib/auth/keys-schema'

/** Who makes a key: a signed-in member, or a label for the CLI, a seed or the demo. */
export type TKeyCreator = { userId: string } | { label: string }

export const hashKey = (raw: string) => createHash('sha256').update(raw).digest('hex')

type TKeyRow = {
  id: string
  name: string
  prefix: string
  scopes: string[]
  defaultEnvironment: string | null
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
  createdByLabel: string | null
  expiresAt: Date | null
  replacedById: string | null
  createdBy: { id: string; email: string; name: string | null } | null
}
const withCreator = { createdBy: { select: { id: true, email: true, name: true } } } as const

function view(k: TKeyRow, now = Date.now()): TApiKeyView {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes.filter((x): x is TKeyScope => (KEY_SCOPES as readonly string[]).includes(x)),
    default_environment: k.defaultEnvironment,
    created_at: k.createdAt.toISOString(),
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
    created_by: k.createdBy ? { user_id: k.createdBy.id, email: k.createdBy.email, name: k.createdBy.name } : null,
    created_by_label: k.createdByLabel,
    expires_at: k.expiresAt?.toISOString() ?? null,
    replaced_by_id: k.replacedById,
    status: k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt.getTime() <= now ? 'expired' : 'active',
  }
}

const creatorData = (c: TKeyCreator | undefined) =>
  c && 'userId' in c ? { createdById: c.userId, createdByLabel: null } : { createdById: null, createdByLabel: c?.label ?? null }

export async function createApiKey(orgId: string, input: TCreateApiKey, creator?: TKeyCreator): Promise<{ key: string; api_key: TApiKeyView }> {
  const { raw, prefix } = generateKey()
  const api_key = await prisma().$transaction(async (tx) => {
    const k = await tx.apiKey.create({
      data: {
        orgId,
        name: input.name,
        prefix,
        hash: hashKey(raw),
        scopes: [...new Set(input.scopes)],
        defaultEnvironment: input.default_environment ?? null,
        expiresAt: input.expires_at ? new Date(input.expires_at) : null,
        ...creatorData(creator),
      },
      include: withCreator,
    })
    // the view carries the prefix, never the key or its hash
    await recordAudit(tx, orgId, { action: 'api_key.create', target: { type: 'api_key', id: k.id }, before: null, after: view(k) })
    return view(k)
  })
  return { key: raw, api_key }
}

export async function listApiKeys(orgId: string): Promise<TApiKeyView[]> {
  const keys = await prisma().apiKey.findMany({ where: { orgId }, orderBy: { createdAt: 'desc' }, include: withCreator })
  const now = Date.now()
  return keys.map((k) => view(k, now))
}

export async function revokeApiKey(orgId: string, keyId: string): Promise<void> {
  if (!z.uuid().safeParse(keyId).success) throw notFound('No API key with that id')
  const hash = await prisma().$transaction(async (tx) => {
    const before = await tx.apiKey.findFirst({ where: { orgId, id: keyId, revokedAt: null }, include: withCreator })
    const r = await tx.apiKey.updateMany({ where: { orgId, id: keyId, revokedAt: null }, data: { revokedAt: new Date() } })
    if (!before || r.count === 0) throw notFound('No active API key with that id in this organization')
    const after = await tx.apiKey.findFirstOrThrow({ where: { orgId, id: keyId }, include: withCreator })
    await recordAudit(tx, orgId, { action: 'api_key.revoke', target: { type: 'api_key', id: keyId }, before: view(before), after: view(after) })
    return after.hash
  })
  await announceInvalidation(hash)
}

/**
 * A new key with the old one's name, scopes and environment, shown once; the
 * old key keeps working until `overlap_until` (or its own earlier expiry), then
 * stops. A key is rotated once: later rotations start from its replacement.
 */
export async function rotateApiKey(
  orgId: string,
  keyId: string,
  input: TRotateApiKey,
  creator?: TKeyCreator,
): Promise<{ key: string; api_key: TApiKeyView; previous: TApiKeyView }> {
  if (!z.uuid().safeParse(keyId).success) throw notFound('No API key with that id')
  const now = new Date()
  const overlapUntil = input.overlap_until ? new Date(input.overlap_until) : new Date(now.getTime() + ROTATION_DEFAULT_OVERLAP_MS)
  const { raw, prefix } = generateKey()
  const { previous, fresh, oldHash } = await prisma().$transaction(async (tx) => {
    const old = await tx.apiKey.findFirst({ where: { orgId, id: keyId }, include: withCreator })
    if (!old) throw notFound('No API key with that id in this organization')
    if (old.revokedAt) throw conflict('This API key is revoked: create a new one instead')
    if (old.replacedById) throw conflict('This API key was already rotated: rotate its replacement')
    if (old.expiresAt && old.expiresAt <= now) throw conflict('This API key has expired: create a new one instead')
    const beforeView = view(old)
    const fresh = await tx.apiKey.create({
      data: {
        orgId,
        name: old.name,
        prefix,
        hash: hashKey(raw),
        scopes: old.scopes,
        defaultEnvironment: old.defaultEnvironment,
        expiresAt: input.expires_at ? new Date(input.expires_at) : null,
        ...creatorData(creator),
      },
      include: withCreator,
    })
    const end = old.expiresAt && old.expiresAt < overlapUntil ? old.expiresAt : overlapUntil
    // conditional, so two rotations of one key at once make one replacement
    const u = await tx.apiKey.updateMany({ where: { orgId, id: keyId, revokedAt: null, replacedById: null }, data: { replacedById: fresh.id, expiresAt: end } })
    if (u.count === 0) throw conflict('This API key was rotated or revoked meanwhile')
    const previous = await tx.apiKey.findFirstOrThrow({ where: { orgId, id: keyId }, include: withCreator })
    await recordAudit(tx, orgId, {
      action: 'api_key.rotate',
      target: { type: 'api_key', id: keyId },
      before: beforeView,
      after: { ...view(previous), replacement: view(fresh) },
    })
    return { previous, fresh, oldHash: old.hash }
  })
  await announceInvalidation(oldHash) // every process re-reads the old key and learns its end
  return { key: raw, api_key: view(fresh), previous: view(previous) }
}

// ---------------------------------------------------------------------------
// Authentication on every API-key request. Each process keeps a bounded cache
// of keys (valid ones for API_KEY_CACHE_MS, unknown tokens for a few seconds),
// so the ingest path reads the database about once per key per half-TTL, not
// per request. Expiry (chosen, or a rotation's end) is checked from the cached
// row, with no read. A revocation or rotation is published on Redis and every
// process drops the key at once; one that missed the message (reconnecting)
// forgets its whole cache when it is back, and at worst drops the key at the TTL.

export type TKeyPrincipal = {
  keyId: string
  orgId: string
  scopes: string[]
  defaultEnvironment: string | null
  ingestRateLimit: number | null
  /** epoch ms; null: never */
  expiresAt: number | null
  /** whether the key was rotated (its expiry is the overlap's end) */
  rotated: boolean
}

const MISS_CACHE_MS = 5_000
const FAILURE_WINDOW_MS = 60_000
const LAST_USED_EVERY_MS = 60_000

/** The Redis channel, under the queue prefix so test runs and deployments sharing a Redis never hear each other. */
export const keyInvalidationChannel = (prefix = env().QUEUE_PREFIX) => `${prefix}:api-keys:invalidate`

/** A cache of key principals reading from the database. */
export function newKeyCache(opts: { ttlMs?: number; max?: number; now?: () => number } = {}): KeyCache<TKeyPrincipal> {
  return new KeyCache<TKeyPrincipal>({
    max: opts.max ?? env().API_KEY_CACHE_MAX,
    ttlMs: opts.ttlMs ?? env().API_KEY_CACHE_MS,
    missTtlMs: MISS_CACHE_MS,
    load: readKey,
    now: opts.now,
  })
}

export type TKeyInvalidations = { connection: Redis; ready: Promise<void>; close: () => void }

/**
 * Listen for invalidations on a connection of its own (a subscribed connection
 * can do nothing else) and apply them to `cache`. After a reconnect the
 * messages sent meanwhile are lost, so the whole cache is forgotten then.
 */
export function listenForInvalidations(
  cache: Pick<KeyCache<unknown>, 'invalidate' | 'clear'>,
  opts: { redisUrl?: string; channel?: string } = {},
): TKeyInvalidations {
  const channel = opts.channel ?? keyInvalidationChannel()
  const connection = new IORedis(opts.redisUrl ?? env().REDIS_URL, { maxRetriesPerRequest: null })
  connection.on('error', () => undefined) // reported by health checks; the TTL covers the time it is away
  let readyBefore = false
  connection.on('ready', () => {
    if (readyBefore) cache.clear()
    readyBefore = true
  })
  connection.on('message', (ch: string, hash: string) => {
    if (ch === channel) cache.invalidate(hash)
  })
  const ready = connection.subscribe(channel).then(() => undefined)
  ready.catch(() => undefined)
  return { connection, ready, close: () => connection.disconnect() }
}

async function announceInvalidation(hash: string): Promise<void> {
  g.__outlayKeys?.cache.invalidate(hash)
  // The change is committed; if Redis is away, other processes drop the key at their TTL.
  await producerConnection()
    .publish(keyInvalidationChannel(), hash)
    .catch(() => undefined)
}

type TKeys = { cache: KeyCache<TKeyPrincipal>; throttle: FailureThrottle; invalidations: TKeyInvalidations }
const g = globalThis as unknown as { __outlayKeys?: TKeys }

function keys(): TKeys {
  if (!g.__outlayKeys) {
    const cache = newKeyCache()
    g.__outlayKeys = {
      cache,
      throttle: new FailureThrottle({ limit: env().API_KEY_FAILURES_PER_MINUTE, windowMs: FAILURE_WINDOW_MS, maxClients: 50_000 }),
      invalidations: listenForInvalidations(cache),
    }
  }
  return g.__outlayKeys
}

/** Wait until this process hears invalidations (tests; the web process just starts listening at its first key). */
export const keyInvalidationsReady = (): Promise<void> => keys().invalidations.ready

export function closeApiKeys(): void {
  g.__outlayKeys?.invalidations.close()
  g.__outlayKeys = undefined
}

function expiredMessage(p: TKeyPrincipal): string | null {
  if (p.expiresAt === null || Date.now() < p.expiresAt) return null
  return `API key expired on ${new Date(p.expiresAt).toISOString()}${p.rotated ? ' (it was replaced by rotation)' : ''}`
}

/**
 * The principal of a presented key, for a request from `client` (an address):
 * 401 unknown, malformed, revoked or expired; 429 with Retry-After once the
 * address made API_KEY_FAILURES_PER_MINUTE failed lookups this minute — then
 * only keys already in the cache pass, and nothing reaches the database.
 */
export async function authenticateApiKey(raw: string, client: string): Promise<TKeyPrincipal> {
  const { cache, throttle } = keys()
  // a token of the wrong shape or checksum is refused before hashing, and never read
  const h = isWellFormedKey(raw) ? hashKey(raw) : null
  const wait = throttle.retryAfter(client)
  const principal = wait > 0 ? (h ? cache.peek(h) : null) : h ? await cache.get(h) : null
  if (!principal) {
    if (wait > 0) throw tooManyRequests(`Too many invalid API keys from this address; try again in ${wait} s`, wait)
    throttle.fail(client)
    throw unauthorized('Invalid or revoked API key')
  }
  const expired = expiredMessage(principal)
  if (expired) throw unauthorized(expired)
  return principal
}

/**
 * authenticateApiKey answered from this process's memory: the principal of a
 * cached, valid, unexpired key (which authenticateApiKey lets through even from
 * a throttled address); undefined when the answer needs a read or is a refusal
 * (authenticateApiKey then gives it, with its throttle).
 */
export function cachedApiKey(raw: string): TKeyPrincipal | undefined {
  if (!isWellFormedKey(raw)) return undefined
  const p = keys().cache.cached(hashKey(raw))
  return p && !expiredMessage(p) ? p : undefined
}

/** The principal of a valid, unexpired key, else null (no throttle: for tools and tests). */
export async function verifyApiKey(raw: string): Promise<TKeyPrincipal | null> {
  if (!isWellFormedKey(raw)) return null
  const p = await keys().cache.get(hashKey(raw))
  return p && !expiredMessage(p) ? p : null
}

const lastUsedWritten = new Map<string, number>()

async function readKey(h: string): Promise<TKeyPrincipal | null> {
  // cross-org: the organization is what this lookup finds out, by the key's hash alone (a SECURITY DEFINER function)
  const r = await pool().query<{
    id: string
    org_id: string
    scopes: string[]
    default_environment: string | null
    revoked_at: Date | null
    expires_at: Date | null
    replaced_by_id: string | null
    ingest_rate_limit: number | null
  }>(
    `SELECT k.id::text, k.org_id::text, k.scopes, k.default_environment, k.revoked_at, k.expires_at, k.replaced_by_id::text, o.ingest_rate_limit
     FROM outlay_api_key_by_hash($1) k JOIN organizations o ON o.id = k.org_id`,
    [h],
  )
  const k = r.rows[0]
  if (!k || k.revoked_at) return null
  const principal: TKeyPrincipal = {
    keyId: k.id,
    orgId: k.org_id,
    scopes: k.scopes,
    defaultEnvironment: k.default_environment,
    ingestRateLimit: k.ingest_rate_limit,
    expiresAt: k.expires_at?.getTime() ?? null,
    rotated: k.replaced_by_id !== null,
  }
  // last_used_at: written when a process (re)reads a key in use, at most once a minute per key, off the request's path
  const now = Date.now()
  if (!expiredMessage(principal) && now - (lastUsedWritten.get(k.id) ?? 0) > LAST_USED_EVERY_MS) {
    if (lastUsedWritten.size >= 100_000) lastUsedWritten.clear()
    lastUsedWritten.set(k.id, now)
    // one statement (no Prisma transaction around it): fire-and-forget must not hold a connection at shutdown
    void asOrg(k.org_id, () => pool().query('UPDATE api_keys SET last_used_at = $3 WHERE org_id = $1 AND id = $2', [k.org_id, k.id, new Date(now)])).catch(
      () => undefined,
    )
  }
  return principal
}
