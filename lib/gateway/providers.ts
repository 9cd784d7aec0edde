import { inTransaction, pool } from '@/lib/db'
import { env } from '@/lib/env'
import { badRequest } from '@/lib/errors'
import { recordAudit } from '@/lib/audit'
import { open, seal, tryOpen } from '@/lib/notifications/secrets'
import { webhookTargetProblem } from '@/lib/notifications/ssrf'
import { DEFAULT_BASE_URL, type TFamily } from '@/lib/gateway/protocols'
import type { TGatewayProviderView, TPutGatewayProviders } from '@/lib/gateway/schema'

// An organization's upstreams for the gateway: per provider name, a base URL
// and an API key, the key sealed at rest like notification channels' secrets
// (lib/notifications/secrets.ts) and only ever read back masked. PUT replaces
// the whole list (rotation: send the new key). Base URLs follow the webhooks'
// private-address rule (lib/notifications/ssrf.ts), here and at connection.

export const UPSTREAMS = 'gateway upstreams'

type TRow = { id: string; provider: string; base_url: string; api_key: string; updated_at: Date }

/** What a reader sees of a key: enough to tell two apart, never enough to use one. */
export function maskKey(key: string | null): string {
  if (key === null) return '(cannot be decrypted)'
  return key.length >= 16 ? `${key.slice(0, 3)}…${key.slice(-4)}` : '…'
}

const sealCtx = (orgId: string, id: string) => ({ orgId, channelId: id, field: 'upstream_key' as const })
const view = (orgId: string, r: TRow): TGatewayProviderView => ({
  provider: r.provider,
  base_url: r.base_url,
  api_key: maskKey(tryOpen(r.api_key, sealCtx(orgId, r.id))),
  updated_at: r.updated_at.toISOString(),
})

async function rows(orgId: string): Promise<TRow[]> {
  const r = await pool().query<TRow>('SELECT id::text, provider, base_url, api_key, updated_at FROM gateway_providers WHERE org_id = $1 ORDER BY provider', [
    orgId,
  ])
  return r.rows
}

export async function listGatewayProviders(orgId: string): Promise<TGatewayProviderView[]> {
  return (await rows(orgId)).map((r) => view(orgId, r))
}

/** Replace the organization's upstreams; answers the new list, masked. */
export async function putGatewayProviders(
  orgId: string,
  input: TPutGatewayProviders,
  allowPrivate = env().ALLOW_PRIVATE_UPSTREAMS,
): Promise<TGatewayProviderView[]> {
  const problems: string[] = []
  await Promise.all(
    input.providers.map(async (p, i) => {
      const why = await webhookTargetProblem(p.base_url, allowPrivate, UPSTREAMS)
      if (why) problems.push(`providers.${i}.base_url: ${why}`)
    }),
  )
  if (problems.length) throw badRequest('Invalid request body', { errors: problems.sort() })
  const after = await inTransaction(async (client) => {
    const before = (
      await client.query<TRow>(
        'SELECT id::text, provider, base_url, api_key, updated_at FROM gateway_providers WHERE org_id = $1 ORDER BY provider FOR UPDATE',
        [orgId],
      )
    ).rows
    const kept = new Map(before.map((r) => [r.provider, r]))
    const missing = input.providers.findIndex((p) => p.api_key === undefined && !kept.has(p.provider))
    if (missing >= 0) throw badRequest('Invalid request body', { errors: [`providers.${missing}.api_key: is required for a provider not configured yet`] })
    await client.query('DELETE FROM gateway_providers WHERE org_id = $1', [orgId])
    const made: TRow[] = []
    for (const p of input.providers) {
      const old = kept.get(p.provider)
      const id = old?.id ?? crypto.randomUUID()
      // a kept key is re-sealed only when it changes; the row keeps its id, so the sealed value still opens
      const stored = p.api_key !== undefined ? seal(p.api_key, sealCtx(orgId, id)) : old!.api_key
      const unchanged = old && p.api_key === undefined && old.base_url === p.base_url
      const r = await client.query<TRow>(
        `INSERT INTO gateway_providers (id, org_id, provider, base_url, api_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, now(), $6)
         RETURNING id::text, provider, base_url, api_key, updated_at`,
        [id, orgId, p.provider, p.base_url, stored, unchanged ? old.updated_at : new Date()],
      )
      made.push(r.rows[0])
    }
    made.sort((a, b) => a.provider.localeCompare(b.provider))
    const strip = (r: TRow) => {
      const v = view(orgId, r)
      return { provider: v.provider, base_url: v.base_url, api_key: v.api_key }
    }
    await recordAudit(client, orgId, {
      action: 'gateway_providers.update',
      target: { type: 'gateway_providers', id: orgId },
      before: before.map(strip),
      after: made.map(strip),
    })
    return made
  })
  cache.delete(orgId)
  return after.map((r) => view(orgId, r))
}

// ─── the pipeline's read ──────────────────────────────────────────────────────

export type TUpstream = { provider: string; baseUrl: string; apiKey: string }

// Read on every gateway call: a process keeps an organization's list, its keys opened, a few seconds (a change made
// through another process reaches this one within UPSTREAM_CACHE_MS and one re-read). Past that age the list is
// read again once, however many calls arrive meanwhile; they use the list they have until the re-read lands.
const UPSTREAM_CACHE_MS = 5_000
type TCached = { at: number; rows: TRow[]; keys: Map<string, string>; reading: Promise<TCached> | null }
const cache = new Map<string, TCached>()

function readUpstreams(orgId: string, stale: TCached | undefined): Promise<TCached> {
  if (stale?.reading) return stale.reading
  const reading = rows(orgId).then(
    (r) => {
      const fresh: TCached = { at: Date.now(), rows: r, keys: new Map(), reading: null }
      // a PUT in this process meanwhile deleted the entry: keep what it set (a later read), not this one
      if (cache.get(orgId) === stale) cache.set(orgId, fresh)
      return fresh
    },
    (e: unknown) => {
      if (stale) stale.reading = null
      throw e
    },
  )
  if (stale) stale.reading = reading
  return reading
}

/** The organization's upstreams when this process holds its list (past UPSTREAM_CACHE_MS one re-read starts); undefined: none yet. */
function upstreamsNow(orgId: string): TCached | undefined {
  const hit = cache.get(orgId)
  if (hit && Date.now() - hit.at > UPSTREAM_CACHE_MS) void readUpstreams(orgId, hit).catch(() => undefined)
  return hit
}

/** A row's key, opened once per cached list (an AES-GCM open per call cost 3% of the gateway's CPU). */
function keyOf(orgId: string, c: TCached, r: TRow): string {
  let k = c.keys.get(r.id)
  if (k === undefined) {
    k = open(r.api_key, sealCtx(orgId, r.id))
    c.keys.set(r.id, k)
  }
  return k
}

/**
 * Where a call of this API family goes: the provider the request names (x-outlay-provider), else the one named
 * after the family ("openai", "anthropic"), else the organization's only provider of that family; the key of the
 * request (x-outlay-upstream-key) replaces the stored one. Null when nothing is configured and no key was sent.
 */
export async function upstreamFor(orgId: string, family: TFamily, named: string | null, requestKey: string | null): Promise<TUpstream | null> {
  return pick(orgId, upstreamsNow(orgId) ?? (await readUpstreams(orgId, undefined)), family, named, requestKey)
}

/** upstreamFor from the list this process holds, without a promise; undefined when the list must be read first (call upstreamFor). */
export function upstreamForNow(orgId: string, family: TFamily, named: string | null, requestKey: string | null): TUpstream | null | undefined {
  const hit = upstreamsNow(orgId)
  return hit && pick(orgId, hit, family, named, requestKey)
}

function pick(orgId: string, hit: TCached, family: TFamily, named: string | null, requestKey: string | null): TUpstream | null {
  const ofFamily = hit.rows.filter((r) => (r.provider === 'anthropic') === (family === 'anthropic'))
  const row =
    named !== null
      ? hit.rows.find((r) => r.provider === named)
      : (hit.rows.find((r) => r.provider === family) ?? (ofFamily.length === 1 ? ofFamily[0] : undefined))
  if (named !== null && !row) throw badRequest(`No gateway provider named "${named}" is configured (x-outlay-provider)`)
  if (!row) return requestKey ? { provider: family, baseUrl: DEFAULT_BASE_URL[family], apiKey: requestKey } : null
  return { provider: row.provider, baseUrl: row.base_url, apiKey: requestKey ?? keyOf(orgId, hit, row) }
}
