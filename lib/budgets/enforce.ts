// Run-time enforcement of budgets (POST /api/v1/decide). Each evaluation
// (the alerts queue every 30 s; the ingest worker right after a batch moved
// the rollups, lib/budgets/gates-refresh.ts) publishes the organization's
// "gates" — the budgets at warning or exceeded, with their scope — to Redis,
// and announces them on a pub/sub channel; decide reads them from process
// memory, updated by that announcement at once (and re-read from Redis at most
// every GATE_CACHE_MS, for an announcement missed), and never touches the
// rollups per call.
// A throttled budget still lets `throttle_per_minute` calls through per
// minute (a fixed-window counter in Redis); a denying one refuses every call
// it covers until its period ends. Inference events are always recorded:
// enforcement acts on the caller, never on Outlay's books.
import 'server-only'
import { pool } from '@/lib/db'
import { env } from '@/lib/env'
import { enqueueAlertEvaluation, producerConnection, redisScript, subscriberConnection } from '@/lib/queues'
import type { TBudgetView } from '@/lib/budgets'
import { budgetScope, type TCutoffAction } from '@/lib/budgets/evaluate'
import type { ZStateChange } from '@/lib/budgets/schema'
import type { z } from 'zod'

export type TGateState = 'warning' | 'exceeded'

export type TBudgetGate = {
  id: string
  name: string
  environment: string | null
  workflow_id: string | null
  account_id: string | null
  feature: string | null
  traffic_sources: string[]
  state: TGateState
  hard_cutoff: boolean
  cutoff_action: TCutoffAction
  throttle_per_minute: number
  /** the end of a day or month period: past it the gate lapses (the next period starts clean); null for rolling windows */
  until: string | null
}

export type TCallScope = {
  environment: string
  workflow_id: string
  account_id: string | null
  feature: string | null
  traffic_source: string
}

export type TBudgetVerdict = {
  state: 'ok' | TGateState
  action: 'allow' | 'throttle' | 'deny'
  retry_after_s?: number
  /** the budget that decided a warning, throttle or deny */
  budget_id?: string
  budget_name?: string
}

/** The budgets that can change a call's verdict: those at warning or exceeded. */
export function gatesOf(budgets: TBudgetView[]): TBudgetGate[] {
  return budgets
    .filter((b) => b.status.state === 'warning' || b.status.state === 'exceeded')
    .map((b) => ({
      ...budgetScope(b),
      state: b.status.state as TGateState,
      hard_cutoff: b.hard_cutoff && b.metric === 'spend',
      cutoff_action: b.cutoff_action,
      throttle_per_minute: b.throttle_per_minute,
      until: b.period === 'rolling' ? null : b.status.window.end,
    }))
}

/** Whether a gate covers a call: every dimension the budget names matches, and the call's traffic source counts. */
export function covers(g: TBudgetGate, c: TCallScope, now: Date): boolean {
  if (g.until !== null && Date.parse(g.until) <= now.getTime()) return false
  return (
    (g.environment === null || g.environment === c.environment) &&
    (g.workflow_id === null || g.workflow_id === c.workflow_id) &&
    (g.account_id === null || g.account_id === c.account_id) &&
    (g.feature === null || g.feature === c.feature) &&
    g.traffic_sources.includes(c.traffic_source)
  )
}

/** A rolling window has no end to wait for: a denied caller retries after this, when an evaluation may have moved on. */
export const ROLLING_RETRY_S = 60

/** Seconds until a denying gate lets calls through again. */
export function denyRetryAfter(g: TBudgetGate, now: Date): number {
  return g.until === null ? ROLLING_RETRY_S : Math.max(1, Math.ceil((Date.parse(g.until) - now.getTime()) / 1000))
}

/**
 * The verdict for a call from the gates that cover it, before any throttle is counted: deny beats throttle beats
 * allow; the state is the worst covering budget's. `throttling`: the exceeded throttling gates covering the call,
 * each to be counted (verdictOf); when none is over its allowance, `verdict` stands.
 */
export function verdictBeforeThrottle(gates: TBudgetGate[], call: TCallScope, now: Date): { verdict: TBudgetVerdict; throttling: TBudgetGate[] } {
  const mine = gates.filter((g) => covers(g, call, now))
  if (mine.length === 0) return { verdict: { state: 'ok', action: 'allow' }, throttling: [] }
  const exceeded = mine.filter((g) => g.state === 'exceeded')
  const denying = exceeded.filter((g) => g.hard_cutoff && g.cutoff_action === 'deny')
  if (denying.length) {
    const g = denying.reduce((a, b) => (denyRetryAfter(b, now) > denyRetryAfter(a, now) ? b : a))
    return { verdict: { state: 'exceeded', action: 'deny', retry_after_s: denyRetryAfter(g, now), budget_id: g.id, budget_name: g.name }, throttling: [] }
  }
  const worst = exceeded[0] ?? mine[0]
  return {
    verdict: { state: worst.state, action: 'allow', budget_id: worst.id, budget_name: worst.name },
    throttling: exceeded.filter((g) => g.hard_cutoff && g.cutoff_action === 'throttle'),
  }
}

/**
 * The verdict for a call from the gates that cover it (verdictBeforeThrottle). `overLimit` counts the call against
 * a throttled budget's minute and answers whether it is over.
 */
export async function verdictOf(
  gates: TBudgetGate[],
  call: TCallScope,
  now: Date,
  overLimit: (g: TBudgetGate, now: Date) => Promise<boolean>,
): Promise<TBudgetVerdict> {
  const { verdict, throttling } = verdictBeforeThrottle(gates, call, now)
  for (const g of throttling) {
    if (await overLimit(g, now)) {
      return { state: 'exceeded', action: 'throttle', retry_after_s: Math.max(1, 60 - now.getUTCSeconds()), budget_id: g.id, budget_name: g.name }
    }
  }
  return verdict
}

// ---------------------------------------------------------------- Redis side

const gatesKey = (orgId: string) => `${env().QUEUE_PREFIX}:budget-gates:${orgId}`
const gatesAtKey = (orgId: string) => `${env().QUEUE_PREFIX}:budget-gates-at:${orgId}`
const gatesChannel = () => `${env().QUEUE_PREFIX}:budget-gates`
// One command per throttled call (a MULTI of INCR and PEXPIRE cost several times the objects on this hot path).
const countThrottled = redisScript(`local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], 120000) end
return n`)
const throttleKey = (budgetId: string, minute: number) => `${env().QUEUE_PREFIX}:budget-throttle:${budgetId}:${minute}`

/** How stale a process's copy of an organization's gates may get when an announcement was missed (Redis reconnecting). */
export const GATE_CACHE_MS = 1000

/** `seq` moves on every announcement received, so a read from Redis that an announcement overtook is not kept. */
type TCached = { at: number; gates: TBudgetGate[]; loading?: Promise<TBudgetGate[]>; seq?: number }
const g = globalThis as unknown as { __outlayGates?: Map<string, TCached>; __outlayGatesSubscribedOn?: object }
const cache = () => (g.__outlayGates ??= new Map())

// Store the gates unless a measurement taken later was stored already (two evaluations of one organization can
// finish out of order: the scheduled one and the ingest worker's), then announce them. KEYS: gates, measured-at.
// ARGV: gates JSON, measured-at (ms), channel, announcement. Answers 1 when stored.
const PUBLISH_GATES_LUA = `
local at = tonumber(redis.call('GET', KEYS[2]) or '0')
if at > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`

type TGatesAnnouncement = { org_id: string; gates: TBudgetGate[] }

/**
 * Publish an organization's gates for every decide process: stored in Redis
 * and announced on the gates channel, which every process serving decide
 * listens to. `measuredAt` (wall-clock ms at which the measurement started)
 * keeps a slower, older measurement from overwriting a newer one; false when
 * that happened.
 */
export async function publishGates(orgId: string, gates: TBudgetGate[], measuredAt: number = Date.now()): Promise<boolean> {
  const announcement: TGatesAnnouncement = { org_id: orgId, gates }
  const stored = await producerConnection().eval(
    PUBLISH_GATES_LUA,
    2,
    gatesKey(orgId),
    gatesAtKey(orgId),
    JSON.stringify(gates),
    String(measuredAt),
    gatesChannel(),
    JSON.stringify(announcement),
  )
  cache().delete(orgId)
  return Number(stored) === 1
}

/** An announcement from publishGates: replace the copy in memory of an organization this process serves. */
function onGatesAnnounced(channel: string, message: string): void {
  if (channel !== gatesChannel()) return
  let a: TGatesAnnouncement
  try {
    a = JSON.parse(message) as TGatesAnnouncement
  } catch {
    return
  }
  const c = cache().get(a.org_id)
  if (!c) return // not served here: its first call loads it
  c.gates = a.gates
  c.at = Date.now()
  c.seq = (c.seq ?? 0) + 1
}

/** Listen to the gates channel (once per process and subscriber connection; from the first decide on). */
function listenForGates(): void {
  let sub
  try {
    sub = subscriberConnection()
  } catch {
    return // no Redis configured: the periodic read alone
  }
  if (g.__outlayGatesSubscribedOn === sub) return
  g.__outlayGatesSubscribedOn = sub
  sub.on('message', onGatesAnnounced)
  sub.subscribe(gatesChannel()).catch(() => {
    // Redis away: ioredis subscribes again when it reconnects (autoResubscribe) only for a subscription it made, so retry on the next call.
    if (g.__outlayGatesSubscribedOn === sub) g.__outlayGatesSubscribedOn = undefined
    sub.off('message', onGatesAnnounced)
  })
}

async function loadGates(orgId: string): Promise<TBudgetGate[]> {
  const raw = await producerConnection().get(gatesKey(orgId))
  return raw ? (JSON.parse(raw) as TBudgetGate[]) : []
}

/**
 * The organization's gates from process memory, refreshed from Redis at most
 * every GATE_CACHE_MS (one load at a time). While Redis is away the last copy
 * serves; with none, no gate (calls are allowed: enforcement fails open).
 */
export async function gatesFor(orgId: string): Promise<TBudgetGate[]> {
  const fresh = cachedGates(orgId)
  if (fresh) return fresh
  const c = cache().get(orgId)
  // A stale copy serves while one re-read runs; before the first read there is no copy: wait for it (serving the
  // empty list would let every call through until the read ends, right after a start or a budget's creation).
  if (c?.loading) return c.at === 0 ? c.loading.then(() => c.gates).catch(() => c.gates) : c.gates
  listenForGates()
  const entry: TCached = { at: c?.at ?? 0, gates: c?.gates ?? [], seq: c?.seq ?? 0 }
  const seq = entry.seq
  entry.loading = loadGates(orgId)
  cache().set(orgId, entry)
  try {
    const loaded = await entry.loading
    // an announcement received meanwhile is newer than what this read found
    if (entry.seq === seq) entry.gates = loaded
    entry.at = Date.now()
  } catch {
    entry.at = Date.now() - GATE_CACHE_MS / 2 // retry soon, not on every call
  } finally {
    entry.loading = undefined
  }
  return entry.gates
}

/** The organization's gates when the copy in memory is fresh (gatesFor would answer with it at once); undefined: call gatesFor. */
export function cachedGates(orgId: string): TBudgetGate[] | undefined {
  const c = cache().get(orgId)
  return c && Date.now() - c.at < GATE_CACHE_MS ? c.gates : undefined
}

/** Count a call against a throttled budget's current minute; over its allowance → true. Redis away → false (fail open). */
export async function overThrottleLimit(gate: TBudgetGate, now: Date): Promise<boolean> {
  const minute = Math.floor(now.getTime() / 60_000)
  try {
    const count = Number(await countThrottled([throttleKey(gate.id, minute)], []))
    return count > gate.throttle_per_minute
  } catch {
    return false
  }
}

/** budgetVerdict from this process's memory: fresh gates and no throttled budget to count in Redis; undefined: call budgetVerdict. */
export function budgetVerdictNow(orgId: string, call: TCallScope, now: Date): TBudgetVerdict | undefined {
  const gates = cachedGates(orgId)
  if (!gates) return undefined
  const { verdict, throttling } = verdictBeforeThrottle(gates, call, now)
  return throttling.length ? undefined : verdict
}

/** The budget part of a decide answer. */
export async function budgetVerdict(orgId: string, call: TCallScope, now = new Date()): Promise<TBudgetVerdict> {
  return verdictOf(await gatesFor(orgId), call, now, overThrottleLimit)
}

// ---------------------------------------------------------------- evaluation side

/** Record each budget's state when it changed since the last evaluation (the budget page's history), in one statement. */
export async function recordStates(orgId: string, budgets: TBudgetView[], now: Date): Promise<number> {
  if (budgets.length === 0) return 0
  const r = await pool().query(
    `WITH cur AS (SELECT * FROM unnest($2::uuid[], $3::text[], $4::numeric[]) AS c(id, state, actual)),
          prev AS (SELECT b.id, b.state FROM budgets b JOIN cur ON cur.id = b.id WHERE b.org_id = $1 FOR UPDATE OF b),
          upd AS (UPDATE budgets b SET state = cur.state, state_since = $5 FROM cur JOIN prev ON prev.id = cur.id
                  WHERE b.id = cur.id AND prev.state IS DISTINCT FROM cur.state
                  RETURNING b.id, prev.state AS from_state, cur.state AS to_state, cur.actual)
     INSERT INTO budget_state_changes (org_id, budget_id, from_state, to_state, actual_usd, at)
     SELECT $1, id, from_state, to_state, actual, $5 FROM upd`,
    [orgId, budgets.map((b) => b.id), budgets.map((b) => b.status.state), budgets.map((b) => b.status.actual_usd), now],
  )
  return r.rowCount ?? 0
}

/**
 * After an evaluation measured the budgets: keep the state history and publish the gates decide reads.
 * `measuredAt`: the wall-clock time (ms) at which the measurement started reading the rollups (`now` may be an
 * evaluation's injected clock); a measurement started later wins over one that finishes later.
 */
export async function refreshEnforcement(orgId: string, budgets: TBudgetView[], now: Date, measuredAt?: number): Promise<void> {
  await recordStates(orgId, budgets, now)
  await publishGates(orgId, gatesOf(budgets), measuredAt)
}

/** A budget was created, changed or deleted: evaluate its organization now so decide follows within seconds (best effort; the scheduler catches up within 30 s). */
export function reevaluateSoon(orgId: string): void {
  void enqueueAlertEvaluation(orgId, 0).catch(() => undefined)
}

export type TStateChange = z.infer<typeof ZStateChange>

export async function stateHistory(orgId: string, budgetId: string, limit = 50): Promise<TStateChange[]> {
  const r = await pool().query(
    `SELECT from_state, to_state, actual_usd::text, at FROM budget_state_changes WHERE org_id = $1 AND budget_id = $2 ORDER BY at DESC, id DESC LIMIT $3`,
    [orgId, budgetId, limit],
  )
  return r.rows.map((x) => ({ from_state: x.from_state, to_state: x.to_state, actual_usd: x.actual_usd, at: x.at.toISOString() }))
}
