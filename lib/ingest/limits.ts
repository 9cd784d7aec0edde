import 'server-only'
import { env } from '@/lib/env'
import { tooManyRequests } from '@/lib/errors'
import { producerConnection, redisAvailable } from '@/lib/queues'
import { pendingEventsByOrg, queueLag } from '@/lib/ingest/process'
import { recordThrottle } from '@/lib/observability/metrics'
import { log } from '@/lib/log'

// Back-pressure for the ingest API: a per-organization token bucket in Redis
// (events per second, burst of two seconds' worth) and a bound on the backlog
// of events no worker has counted yet, measured in seconds of the workers' pace, shared fairly among the
// organizations that have events waiting (backlogShare). Either answers 429 with Retry-After
// instead of slowing down or falling over. Redis being away fails open: the
// batch is still durable in PostgreSQL.

// Redis' own clock, so several web processes share one bucket consistently.
const TOKEN_BUCKET = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
local wait = 0
if tokens >= cost then tokens = tokens - cost else wait = math.ceil((cost - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait`

/** Milliseconds to wait before `cost` events fit the organization's bucket (0: admitted, and taken). */
export async function takeTokens(orgId: string, eventsPerSecond: number, cost: number): Promise<number> {
  const burst = Math.max(eventsPerSecond * 2, cost)
  const key = `${env().QUEUE_PREFIX}:ratelimit:${orgId}`
  return Number(await producerConnection().eval(TOKEN_BUCKET, 1, key, eventsPerSecond, burst, cost))
}

type TLag = { pending: number; perSecond: number; byOrg: Map<string, number> }
let lagCache: { at: number; lag: Promise<TLag> } | null = null

/** The backlog (in all, and per organization) and the workers' pace; read at most twice a second per web process (concurrent requests share the read). */
function currentLag(): Promise<TLag> {
  if (!lagCache || Date.now() - lagCache.at > 500) {
    lagCache = {
      at: Date.now(),
      lag: Promise.all([queueLag(), pendingEventsByOrg()]).then(([l, byOrg]) => ({ pending: l.pending_events, perSecond: l.processed_events_per_s, byOrg })),
    }
  }
  return lagCache.lag
}

export type TBacklogLimits = { maxSeconds: number; minEvents: number; maxEvents: number }

/**
 * The most events that may wait: `maxSeconds` of the workers' recent pace,
 * within [minEvents, maxEvents]. On a machine that counts 5,000 events/s the
 * default 4-second bound is 20,000 events; at 16,000/s the cap of 30,000 holds.
 */
export function backlogBound(perSecond: number, l: TBacklogLimits): number {
  return Math.min(l.maxEvents, Math.max(l.minEvents, Math.floor(perSecond * l.maxSeconds)))
}

/**
 * Every batch's check: the backlog first (nothing is taken from the bucket for a refused batch), then the
 * organization's rate, charged for every item submitted, valid or not.
 */
export async function enforceIngestLimits(orgId: string, orgRateLimit: number | null | undefined, cost: number): Promise<void> {
  await enforceBacklog(orgId)
  await enforceRate(orgId, orgRateLimit, cost)
}

/**
 * Each organization's share of the backlog bound: the bound divided among the organizations that have
 * events waiting, the asking one included. While the backlog is past its bound, only an organization
 * holding more than its share is refused: one that floods is held back, the others are still admitted —
 * before, a single flooding tenant made every tenant's batches 429. Below the bound anyone is admitted
 * (a lone organization may use all of it). The total stays within about twice the bound: past it, each
 * organization adds at most its share (plus the batches of the half second the counts are cached).
 */
export function backlogShare(bound: number, byOrg: ReadonlyMap<string, number>, orgId: string): number {
  const active = byOrg.size + (byOrg.has(orgId) ? 0 : 1)
  return Math.floor(bound / active)
}

export async function enforceBacklog(orgId: string): Promise<void> {
  // The queue's lag bound: a backlog in events (a batch holds 1 to 1,000) measured against the workers' pace,
  // so that under overload callers wait (429, Retry-After 1 s) instead of events waiting.
  const { pending, perSecond, byOrg } = await currentLag()
  const bound = backlogBound(perSecond, {
    maxSeconds: env().INGEST_MAX_BACKLOG_SECONDS,
    minEvents: env().INGEST_MIN_BACKLOG_EVENTS,
    maxEvents: env().INGEST_MAX_PENDING_EVENTS,
  })
  if (pending <= bound) return
  const own = byOrg.get(orgId) ?? 0
  const share = backlogShare(bound, byOrg, orgId)
  if (own <= share) return
  recordThrottle('backlog')
  const work = perSecond > 0 ? `, about ${(pending / perSecond).toFixed(1)} s of work at ${Math.round(perSecond)} events/s` : ''
  const others = byOrg.size - (byOrg.has(orgId) ? 1 : 0)
  const shared = others > 0 ? `; this organization has ${own} of them, past its share of ${share} while ${others + 1} organizations have events waiting` : ''
  throw tooManyRequests(`Outlay is catching up on a backlog (${pending} events waiting${work}${shared}): retry after 1 s`, 1)
}

/**
 * The organization's token bucket. Items that are refused cost validation too: a batch of nothing but
 * rejected events is charged like any other (else a sender of garbage is never throttled).
 */
export async function enforceRate(orgId: string, orgRateLimit: number | null | undefined, cost: number): Promise<void> {
  const rate = orgRateLimit ?? env().INGEST_RATE_LIMIT
  let waitMs = 0
  try {
    if (await redisAvailable()) waitMs = await takeTokens(orgId, rate, cost)
  } catch (e) {
    log({ component: 'ingest' }).warn({ err: e }, 'rate limiter unavailable, admitting')
  }
  if (waitMs > 0) recordThrottle('rate_limit')
  if (waitMs > 0)
    throw tooManyRequests(`This organization's ingest limit is ${rate} events per second: retry after ${Math.ceil(waitMs / 1000)} s`, Math.ceil(waitMs / 1000))
}
