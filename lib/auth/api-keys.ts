import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { asOrg, pool, prisma } from '@/lib/db'
import { notFound } from '@/lib/errors'

// API keys: shown once, stored as a sha256 hash (the key is 256 random bits,
// so a slow KDF adds nothing), identified by a visible prefix, scoped to one
// organization and to "ingest" (send events), "read" (metrics, prices) and/or
// "write" (change configuration: prices; budgets and policies later).

export const KEY_SCOPES = ['ingest', 'read', 'write'] as const
export type TKeyScope = (typeof KEY_SCOPES)[number]

export const ZCreateApiKey = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
  scopes: z.array(z.enum(KEY_SCOPES, { error: 'must be "ingest", "read" or "write"' })).min(1, 'choose at least one scope'),
  default_environment: z.enum(['production', 'staging', 'development']).optional(),
})
export type TCreateApiKey = z.infer<typeof ZCreateApiKey>

export type TApiKeyView = {
  id: string; name: string; prefix: string; scopes: string[]; default_environment: string | null
  created_at: string; last_used_at: string | null; revoked_at: string | null
}

export const hashKey = (raw: string) => createHash('sha256').update(raw).digest('hex')

export function generateKey(): { raw: string; prefix: string } {
  const body = randomBytes(32).toString('base64url')
  const raw = `ol_${body}`
  return { raw, prefix: raw.slice(0, 11) }
}

function view(k: { id: string; name: string; prefix: string; scopes: string[]; defaultEnvironment: string | null; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }): TApiKeyView {
  return {
    id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, default_environment: k.defaultEnvironment,
    created_at: k.createdAt.toISOString(), last_used_at: k.lastUsedAt?.toISOString() ?? null, revoked_at: k.revokedAt?.toISOString() ?? null,
  }
}

export async function createApiKey(orgId: string, input: TCreateApiKey): Promise<{ key: string; api_key: TApiKeyView }> {
  const { raw, prefix } = generateKey()
  const k = await prisma().apiKey.create({
    data: { orgId, name: input.name, prefix, hash: hashKey(raw), scopes: [...new Set(input.scopes)], defaultEnvironment: input.default_environment ?? null },
  })
  return { key: raw, api_key: view(k) }
}

export async function listApiKeys(orgId: string): Promise<TApiKeyView[]> {
  const keys = await prisma().apiKey.findMany({ where: { orgId }, orderBy: { createdAt: 'desc' } })
  return keys.map(view)
}

export async function revokeApiKey(orgId: string, keyId: string): Promise<void> {
  if (!z.uuid().safeParse(keyId).success) throw notFound('No API key with that id')
  const r = await prisma().apiKey.updateMany({ where: { orgId, id: keyId, revokedAt: null }, data: { revokedAt: new Date() } })
  if (r.count === 0) throw notFound('No active API key with that id in this organization')
  keyCache.clear()
}

export type TKeyPrincipal = { keyId: string; orgId: string; scopes: string[]; defaultEnvironment: string | null; ingestRateLimit: number | null }

// The ingest path authenticates every request: a short cache keeps that off
// the database. A revoked key stops working within KEY_CACHE_MS (plus the one
// read that refreshes it: see verifyApiKey).
const KEY_CACHE_MS = 30_000
const keyCache = new Map<string, { at: number; principal: TKeyPrincipal | null }>()
const lastUsedWritten = new Map<string, number>()

export async function verifyApiKey(raw: string): Promise<TKeyPrincipal | null> {
  if (!raw.startsWith('ol_') || raw.length > 200) return null
  const h = hashKey(raw)
  const hit = keyCache.get(h)
  const age = hit ? Date.now() - hit.at : Infinity
  if (age < KEY_CACHE_MS) return hit!.principal
  // Stale but recent: answer from the cache and refresh once in the background, so a busy
  // key's expiry never stalls its callers (every request would otherwise wait on the same query).
  if (age < 2 * KEY_CACHE_MS) {
    void loadKey(h).catch(() => undefined)
    return hit!.principal
  }
  return loadKey(h)
}

const loading = new Map<string, Promise<TKeyPrincipal | null>>()

/** One database read per key at a time; concurrent callers share it. */
function loadKey(h: string): Promise<TKeyPrincipal | null> {
  let p = loading.get(h)
  if (!p) {
    p = readKey(h).finally(() => loading.delete(h))
    loading.set(h, p)
  }
  return p
}

async function readKey(h: string): Promise<TKeyPrincipal | null> {
  // cross-org: the key's organization is what this read finds out (a SECURITY DEFINER function, by the hash alone)
  const r = await pool().query<{ id: string; org_id: string; scopes: string[]; default_environment: string | null; revoked_at: Date | null; ingest_rate_limit: number | null }>(
    `SELECT k.id::text, k.org_id::text, k.scopes, k.default_environment, k.revoked_at, o.ingest_rate_limit
     FROM outlay_api_key_by_hash($1) k JOIN organizations o ON o.id = k.org_id`,
    [h],
  )
  const k = r.rows[0]
  const principal = k && !k.revoked_at ? { keyId: k.id, orgId: k.org_id, scopes: k.scopes, defaultEnvironment: k.default_environment, ingestRateLimit: k.ingest_rate_limit } : null
  keyCache.set(h, { at: Date.now(), principal })
  if (principal && Date.now() - (lastUsedWritten.get(principal.keyId) ?? 0) > 60_000) {
    lastUsedWritten.set(principal.keyId, Date.now())
    void asOrg(principal.orgId, () => prisma().apiKey.update({ where: { id: principal.keyId }, data: { lastUsedAt: new Date() } })).catch(() => undefined)
  }
  return principal
}
