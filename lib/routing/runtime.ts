// Run time of routing (POST /api/v1/decide): the organization's published
// policies and defaults live in process memory. A publish, rollback or change
// of defaults increments a version key in Redis; each process compares it at
// most every VERSION_CHECK_MS and reloads from PostgreSQL only when it moved
// (and every RELOAD_MAX_MS as a safety net, e.g. after Redis lost the key).
// So a call reads no database, and a change reaches every process within ~1 s.
import 'server-only'
import { DEFAULT_ENVIRONMENT } from '@/lib/domain'
import { inTransaction, pool } from '@/lib/db'
import { recordAudit } from '@/lib/audit'
import { env } from '@/lib/env'
import { producerConnection } from '@/lib/queues'
import type { TDecideRequest } from '@/lib/decide/schema'
import { cheapestClearing, matchPolicy, routeWith, type TLivePolicy, type TLiveVersion } from '@/lib/routing/select'
import { fallbackChain, refKey, type TModelRef, type TPolicySpec, type TRoutingDefaults } from '@/lib/routing/schema'
import type { TEvidence } from '@/lib/routing/policies'
import { log } from '@/lib/log'

export type TRouteAnswer =
  | { found: true; provider: string; model: string; policy_id: string; policy_version: number; reason: string }
  /** a published first canary covers the step but not this call: the caller's default (the configured default, else null) */
  | { found: true; provider: string | null; model: string | null; policy_id: string; policy_version: null; reason: string }
  | { found: false; provider: string | null; model: string | null; reason: string }

export type TLiveRouting = { policies: TLivePolicy[]; defaults: Map<string, TModelRef> }

export const VERSION_CHECK_MS = 1000
export const RELOAD_MAX_MS = 60_000

type TEntry = {
  checkedAt: number
  loadedAt: number
  version: string | null
  live: TLiveRouting
  loading?: Promise<TLiveRouting> /** no copy loaded yet: callers wait for the first load */
  initial?: boolean
}

/**
 * Per-organization cache over two functions: the cheap version read (Redis)
 * and the load (PostgreSQL). Concurrent calls share one refresh; while a
 * refresh runs, calls get the copy they had.
 */
export class RoutingCache {
  private entries = new Map<string, TEntry>()
  constructor(
    private readVersion: (orgId: string) => Promise<string | null>,
    private load: (orgId: string) => Promise<TLiveRouting>,
    private clock: () => number = Date.now,
  ) {}

  forget(orgId: string): void {
    this.entries.delete(orgId)
  }

  /** The copy get would answer with at once (no check due, or one running); undefined: call get. */
  cached(orgId: string): TLiveRouting | undefined {
    const e = this.entries.get(orgId)
    if (!e || e.initial) return undefined
    return e.loading || this.clock() - e.checkedAt < VERSION_CHECK_MS ? e.live : undefined
  }

  async get(orgId: string): Promise<TLiveRouting> {
    const e = this.entries.get(orgId)
    const t = this.clock()
    // While the first load runs there is no copy to serve (an empty one would route every call as unpublished): wait for it.
    if (e?.initial && e.loading) return e.loading
    if (e && t - e.checkedAt < VERSION_CHECK_MS) return e.live
    if (e?.loading) return e.live
    if (!e) {
      // First call of this process for the organization: nothing to serve yet, so wait for the load.
      const fresh: TEntry = { checkedAt: t, loadedAt: t, version: null, live: { policies: [], defaults: new Map() }, initial: true }
      fresh.loading = this.refresh(orgId, fresh, true)
      this.entries.set(orgId, fresh)
      try {
        return await fresh.loading
      } catch (err) {
        if (this.entries.get(orgId) === fresh) this.entries.delete(orgId)
        throw err
      } finally {
        fresh.loading = undefined
        fresh.initial = false
      }
    }
    e.loading = this.refresh(orgId, e, false)
    try {
      return await e.loading
    } catch {
      // The database is away during a reload: keep answering with the copy in memory, try again after the next check interval.
      return e.live
    } finally {
      e.loading = undefined
    }
  }

  private async refresh(orgId: string, e: TEntry, initial: boolean): Promise<TLiveRouting> {
    const t = this.clock()
    let version: string | null
    try {
      version = await this.readVersion(orgId)
    } catch {
      // Redis away: keep serving the last copy, reloading on the safety-net interval only.
      e.checkedAt = t
      if (!initial && t - e.loadedAt < RELOAD_MAX_MS) return e.live
      version = e.version
    }
    e.checkedAt = t
    if (!initial && version === e.version && t - e.loadedAt < RELOAD_MAX_MS) return e.live
    // The version was read before the load: a publish committed after the load moves it again.
    e.live = await this.load(orgId)
    e.version = version
    e.loadedAt = t
    return e.live
  }
}

// ---------------------------------------------------------------- the process's cache

const versionKey = (orgId: string) => `${env().QUEUE_PREFIX}:routing-version:${orgId}`

type TPublishedRow = {
  id: string
  workflow_id: string
  step: string
  environment: string
  account_id: string
  c_version: number
  c_spec: TPolicySpec
  c_evidence: TEvidence
  b_version: number | null
  b_spec: TPolicySpec | null
  b_evidence: TEvidence | null
}

const live = (version: number, spec: TPolicySpec, evidence: TEvidence): TLiveVersion => ({
  version,
  chosen: evidence.chosen!,
  selection_reason: evidence.reason,
  cascade: spec.cascade,
  fallback: spec.fallback,
  canary: spec.canary,
  fallbacks: fallbackChain(spec),
  max_tokens_cap: spec.max_tokens_cap ?? null,
  cache_ttl_s: spec.cache_ttl_s ?? null,
  cheapest_clearing: cheapestClearing(evidence.candidates ?? []),
})

/** Every published policy of an organization (with the version a canary splits with) and its defaults. */
export async function loadLiveRouting(orgId: string): Promise<TLiveRouting> {
  const [p, d] = await Promise.all([
    pool().query<TPublishedRow>(
      `SELECT p.id::text, p.workflow_id, p.step, p.environment, p.account_id,
              c.version AS c_version, c.spec AS c_spec, c.evidence AS c_evidence,
              b.version AS b_version, b.spec AS b_spec, b.evidence AS b_evidence
       FROM routing_policies p
       JOIN routing_policy_versions c ON c.org_id = p.org_id AND c.policy_id = p.id AND c.version = p.published_version
       LEFT JOIN routing_policy_versions b ON b.org_id = p.org_id AND b.policy_id = p.id AND b.version = c.base_version AND b.status = 'published'
       WHERE p.org_id = $1 AND p.published_version IS NOT NULL`,
      [orgId],
    ),
    pool().query<{ workflow_id: string; provider: string; model: string }>(`SELECT workflow_id, provider, model FROM routing_defaults WHERE org_id = $1`, [
      orgId,
    ]),
  ])
  const policies: TLivePolicy[] = p.rows
    .filter((r) => r.c_evidence?.chosen)
    .map((r) => ({
      id: r.id,
      workflow_id: r.workflow_id,
      step: r.step,
      environment: r.environment,
      account_id: r.account_id,
      current: live(r.c_version, r.c_spec, r.c_evidence),
      base: r.b_version !== null && r.b_spec && r.b_evidence?.chosen ? live(r.b_version, r.b_spec, r.b_evidence) : null,
    }))
  return { policies, defaults: new Map(d.rows.map((r) => [r.workflow_id, { provider: r.provider, model: r.model }])) }
}

const g = globalThis as unknown as { __outlayRouting?: RoutingCache }
const cache = () => (g.__outlayRouting ??= new RoutingCache((orgId) => producerConnection().get(versionKey(orgId)), loadLiveRouting))

/** The organization's published policies and defaults from process memory (the gateway's plan reads them as decide does). */
export const liveRouting = (orgId: string): Promise<TLiveRouting> => cache().get(orgId)

/** liveRouting when it would answer at once from memory (no check due); undefined: call liveRouting. */
export const liveRoutingNow = (orgId: string): TLiveRouting | undefined => cache().cached(orgId)

/** After a publish, rollback or defaults change: every process reloads within VERSION_CHECK_MS. */
export async function announceRoutingChange(orgId: string): Promise<void> {
  cache().forget(orgId)
  try {
    await producerConnection().incr(versionKey(orgId))
  } catch (e) {
    // Committed already; other processes pick it up on their RELOAD_MAX_MS reload.
    log({ component: 'routing' }).error({ err: e }, 'could not announce a policy change through Redis')
  }
}

/** routeCall from the copy in this process's memory, when no check of it is due; undefined: routeCall. */
export function routeCallNow(orgId: string, req: TDecideRequest): TRouteAnswer | undefined {
  const live = cache().cached(orgId)
  return live && routeWithLive(live, req)
}

/** The model for one call: the most specific published policy covering the step, else the configured default. */
export async function routeCall(orgId: string, req: TDecideRequest, _now: Date = new Date()): Promise<TRouteAnswer> {
  return routeWithLive(await cache().get(orgId), req)
}

function routeWithLive({ policies, defaults }: TLiveRouting, req: TDecideRequest): TRouteAnswer {
  const environment = req.environment ?? DEFAULT_ENVIRONMENT
  const p = matchPolicy(policies, { workflow_id: req.workflow_id, step: req.step, environment, account_id: req.account_id })
  let r: ReturnType<typeof routeWith> | null = null
  if (p) {
    r = routeWith(p, req)
    if (r.version !== null) return { found: true, provider: r.provider, model: r.model, policy_id: p.id, policy_version: r.version, reason: r.reason }
  }
  const wf = defaults.get(req.workflow_id)
  const d = wf ?? defaults.get('')
  const where = wf ? `the default of workflow "${req.workflow_id}"` : d ? 'the organization default' : 'no default configured (PUT /api/v1/routing-defaults)'
  if (p && r) {
    // Outside a first canary: the policy does not act; the caller keeps its own model (decide names the configured default, if any).
    return {
      found: true,
      provider: d?.provider ?? null,
      model: d?.model ?? null,
      policy_id: p.id,
      policy_version: null,
      reason: `default: ${r.reason}; ${where}${d ? `: ${refKey(d)}` : ': use your own model'}`,
    }
  }
  return {
    found: false,
    provider: d?.provider ?? null,
    model: d?.model ?? null,
    reason: `no_policy: no published routing policy covers workflow "${req.workflow_id}", step "${req.step}" (${environment}); ${where}${d ? `: ${refKey(d)}` : ''}`,
  }
}

// ---------------------------------------------------------------- defaults

export async function listRoutingDefaults(orgId: string): Promise<TRoutingDefaults['defaults']> {
  const r = await pool().query<{ workflow_id: string; provider: string; model: string }>(
    `SELECT workflow_id, provider, model FROM routing_defaults WHERE org_id = $1 ORDER BY workflow_id`,
    [orgId],
  )
  return r.rows.map((x) => ({ workflow_id: x.workflow_id || null, provider: x.provider, model: x.model }))
}

export async function putRoutingDefaults(orgId: string, body: TRoutingDefaults): Promise<TRoutingDefaults['defaults']> {
  await inTransaction(async (c) => {
    const read = async () =>
      (
        await c.query<{ workflow_id: string; provider: string; model: string }>(
          `SELECT workflow_id, provider, model FROM routing_defaults WHERE org_id = $1 ORDER BY workflow_id`,
          [orgId],
        )
      ).rows.map((x) => ({ workflow_id: x.workflow_id || null, provider: x.provider, model: x.model }))
    const before = await read()
    await c.query(`DELETE FROM routing_defaults WHERE org_id = $1`, [orgId])
    for (const d of body.defaults) {
      await c.query(`INSERT INTO routing_defaults (org_id, workflow_id, provider, model) VALUES ($1, $2, $3, $4)`, [
        orgId,
        d.workflow_id ?? '',
        d.provider,
        d.model,
      ])
    }
    await recordAudit(c, orgId, {
      action: 'routing_defaults.set',
      target: { type: 'routing_defaults', id: null },
      before: { defaults: before },
      after: { defaults: await read() },
    })
  })
  await announceRoutingChange(orgId)
  return listRoutingDefaults(orgId)
}
