import 'server-only'
// The gateway's real-time side of budgets (issue 18): the rollups tell spend
// seconds after the fact, so concurrent gateway calls could all pass a budget
// that is one call from its amount. Each budget the gateway acts on (a hard
// cutoff or a brown-out, on spend) has a ledger in Redis for its current
// window: `spent` (what was measured, plus what the gateway settled since) and
// `held` (the maximum cost of the calls in flight). A call is admitted only
// while spent + held is below the amount, and reserves its maximum cost in the
// same atomic step (a Lua script); after the call, settle() swaps the
// reservation for the actual cost. So concurrent callers overshoot by at most
// one call's maximum. Runs (run_id) have the same ledger for the per-run cap.
//
// Each budget evaluation (lib/budgets/alerts.ts, every 30 s and after rollups
// move) publishes the ledgered budgets and re-bases each ledger on the
// measured spend: a day or month window keeps max(ledger, measured) (the
// ledger never counts a call twice, and the measurement catches up with
// spend that did not go through the gateway); a rolling window (spend leaves
// it as days pass) becomes measured + what the gateway settled since the last
// evaluation, an over-count of at most one evaluation interval of gateway
// spend until the next evaluation corrects it. Redis away: calls pass (fail
// open, like decide's gates).
import { createHash } from 'node:crypto'
import { pool } from '@/lib/db'
import { log } from '@/lib/log'
import { env } from '@/lib/env'
import { producerConnection, redisScript } from '@/lib/queues'
import { toScaled } from '@/lib/cost/money'
import { budgetScope, budgetWindow, type TBudgetPeriod, type TCutoffAction } from '@/lib/budgets/evaluate'
import type { TBudgetView } from '@/lib/budgets'
import type { TCallScope } from '@/lib/budgets/enforce'

export type TLedgerBudget = {
  id: string
  name: string
  environment: string | null
  workflow_id: string | null
  account_id: string | null
  feature: string | null
  traffic_sources: string[]
  period: TBudgetPeriod
  rolling_days: number | null
  /** the amount, micro-dollars (decimal string: JSON has no bigint) */
  amount_micros: string
  /** the lowest warning threshold below 100 (percent), or null */
  warn_pct: number | null
  /** spend ledger: a hard cutoff on spend */
  hard_cutoff: boolean
  cutoff_action: TCutoffAction
  throttle_per_minute: number
  brownout_pct: number | null
  run_cap_micros: string | null
  run_cap_p95_multiple: number | null
}

export type TLedgerConfig = {
  budgets: TLedgerBudget[]
  /** workflow → p95 cost per run over the last RUN_P95_DAYS days, micro-dollars; only when a budget caps runs by a multiple */
  run_p95_micros: Record<string, string>
}

const prefix = () => env().QUEUE_PREFIX
const configKey = (orgId: string) => `${prefix()}:budget-ledgers:${orgId}`
const p95Key = (orgId: string) => `${prefix()}:run-p95:${orgId}`
/** A budget's ledger for one window: a day or month has its own key (a new period starts at zero), a rolling window one key. */
export const ledgerKey = (budgetId: string, windowKey: string) => `${prefix()}:budget-ledger:${budgetId}:${windowKey}`
export const runKey = (orgId: string, runId: string) => `${prefix()}:run-ledger:${orgId}:${createHash('sha1').update(runId).digest('base64url')}`

export const RUN_P95_DAYS = 7
const RUN_P95_REFRESH_S = 600
/** A run's ledger lives this long after its last call: a run is one execution, not a day's traffic. */
export const RUN_TTL_S = 86_400

export function windowKey(b: Pick<TLedgerBudget, 'period' | 'rolling_days'>, now: Date): string {
  if (b.period === 'rolling') return 'rolling'
  return b.period === 'day' ? `d${now.toISOString().slice(0, 10)}` : `m${now.toISOString().slice(0, 7)}`
}

/** Seconds until the window's period ends (a day or month), or null for a rolling window. */
export function secondsToWindowEnd(b: Pick<TLedgerBudget, 'period' | 'rolling_days'>, now: Date): number | null {
  if (b.period === 'rolling') return null
  return Math.max(1, Math.ceil((budgetWindow(b, now).end.getTime() - now.getTime()) / 1000))
}

const micros = (usd: string) => toScaled(usd, 6)

/** Which budgets get a ledger: spend budgets with a hard cutoff or a brown-out; any budget with a run cap. */
export function ledgerBudgets(budgets: TBudgetView[]): TLedgerBudget[] {
  return budgets
    .filter((b) => (b.metric === 'spend' && (b.hard_cutoff || b.brownout_pct != null)) || b.run_cap_usd != null || b.run_cap_p95_multiple != null)
    .map((b) => ({
      ...budgetScope(b),
      period: b.period,
      rolling_days: b.rolling_days,
      amount_micros: micros(b.amount_usd).toString(),
      warn_pct: b.thresholds.filter((t) => t < 100).sort((x, y) => x - y)[0] ?? null,
      hard_cutoff: b.hard_cutoff && b.metric === 'spend',
      cutoff_action: b.cutoff_action,
      throttle_per_minute: b.throttle_per_minute,
      brownout_pct: b.metric === 'spend' ? (b.brownout_pct ?? null) : null,
      run_cap_micros: b.run_cap_usd == null ? null : micros(b.run_cap_usd).toString(),
      run_cap_p95_multiple: b.run_cap_p95_multiple ?? null,
    }))
}

/** Whether a ledgered budget's spend ledger counts (a hard cutoff or a brown-out on spend). */
export const spendLedgered = (b: TLedgerBudget) => b.hard_cutoff || b.brownout_pct != null

/** Whether a budget covers a call (every dimension it names matches; the call's traffic source counts). */
export function ledgerCovers(b: TLedgerBudget, c: TCallScope): boolean {
  return (
    (b.environment === null || b.environment === c.environment) &&
    (b.workflow_id === null || b.workflow_id === c.workflow_id) &&
    (b.account_id === null || b.account_id === c.account_id) &&
    (b.feature === null || b.feature === c.feature) &&
    b.traffic_sources.includes(c.traffic_source)
  )
}

/** The cap for one run (micro-dollars) from the budgets covering it: the lowest of the fixed caps and multiples of the workflow's p95; null: none. */
export function runCapFor(budgets: TLedgerBudget[], workflowId: string, p95: Record<string, string>): { micros: bigint; budget: TLedgerBudget } | null {
  let best: { micros: bigint; budget: TLedgerBudget } | null = null
  for (const b of budgets) {
    const caps: bigint[] = []
    if (b.run_cap_micros !== null) caps.push(BigInt(b.run_cap_micros))
    const p = p95[workflowId]
    // Multiply in thousandths: the multiple has at most 3 decimals (numeric(8,3)).
    if (b.run_cap_p95_multiple !== null && p !== undefined) caps.push((BigInt(p) * BigInt(Math.round(b.run_cap_p95_multiple * 1000))) / 1000n)
    for (const c of caps) if (!best || c < best.micros) best = { micros: c, budget: b }
  }
  return best
}

// ---------------------------------------------------------------- evaluation side

/** Each workflow's p95 cost per run over the last RUN_P95_DAYS days, micro-dollars (runs with a run_id and a priced cost). */
export async function runP95(orgId: string, now: Date): Promise<Record<string, string>> {
  const r = await pool().query<{ workflow_id: string; p95: string }>(
    `SELECT workflow_id, round(percentile_cont(0.95) WITHIN GROUP (ORDER BY c) * 1000000)::bigint::text AS p95
     FROM (SELECT workflow_id, run_id, sum(cost_usd) AS c FROM inference_events
           WHERE org_id = $1 AND run_id IS NOT NULL AND cost_usd IS NOT NULL AND timestamp >= $2 AND timestamp < $3
           GROUP BY workflow_id, run_id) runs
     GROUP BY workflow_id`,
    [orgId, new Date(now.getTime() - RUN_P95_DAYS * 86_400_000), now],
  )
  return Object.fromEntries(r.rows.map((x) => [x.workflow_id, x.p95]))
}

// KEYS: the ledger; ARGV: measured micros, 1 = rolling window, ttl seconds.
const REBASE = `
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local measured = tonumber(ARGV[1])
if ARGV[2] == '1' then
  local gen = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0')
  redis.call('HSET', KEYS[1], 'spent', measured + gen, 'gen', 0)
elseif measured > spent then
  redis.call('HSET', KEYS[1], 'spent', measured)
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`

/**
 * After an evaluation measured the budgets: publish the ledgered budgets and
 * re-base each spend ledger of the current window on its measured spend.
 */
export async function publishLedgers(orgId: string, budgets: TBudgetView[], now: Date): Promise<void> {
  const ledgered = ledgerBudgets(budgets)
  const redis = producerConnection()
  let p95: Record<string, string> = {}
  if (ledgered.some((b) => b.run_cap_p95_multiple !== null)) {
    const cached = await redis.get(p95Key(orgId))
    if (cached) p95 = JSON.parse(cached) as Record<string, string>
    else {
      p95 = await runP95(orgId, now)
      await redis.set(p95Key(orgId), JSON.stringify(p95), 'EX', RUN_P95_REFRESH_S)
    }
  }
  const m = redis.multi()
  for (const b of ledgered) {
    if (!spendLedgered(b)) continue
    const view = budgets.find((x) => x.id === b.id)!
    const measured = micros(view.status.actual_usd ?? '0')
    const ttl = (secondsToWindowEnd(b, now) ?? 86_400) + 86_400
    m.eval(REBASE, 1, ledgerKey(b.id, windowKey(b, now)), measured.toString(), b.period === 'rolling' ? '1' : '0', String(ttl))
  }
  const config: TLedgerConfig = { budgets: ledgered, run_p95_micros: p95 }
  m.set(configKey(orgId), JSON.stringify(config))
  await m.exec()
  forgetLedgerConfig(orgId)
}

// ---------------------------------------------------------------- gateway side

/** How stale a process's copy of an organization's ledgered budgets may get (as decide's gates). */
export const LEDGER_CONFIG_MS = 1000
type TCached = { at: number; config: TLedgerConfig; loading?: Promise<TLedgerConfig>; initial?: boolean }
const g = globalThis as unknown as { __outlayLedgers?: Map<string, TCached> }
const cache = () => (g.__outlayLedgers ??= new Map())
const EMPTY: TLedgerConfig = { budgets: [], run_p95_micros: {} }

export function forgetLedgerConfig(orgId: string): void {
  cache().delete(orgId)
}

/** ledgerConfig when the copy in memory is fresh (it would answer at once); undefined: call ledgerConfig. */
export function ledgerConfigNow(orgId: string): TLedgerConfig | undefined {
  const c = cache().get(orgId)
  return c && Date.now() - c.at < LEDGER_CONFIG_MS ? c.config : undefined
}

/** The organization's ledgered budgets from process memory, refreshed from Redis at most every LEDGER_CONFIG_MS; Redis away: the last copy (none: no ledger). */
export async function ledgerConfig(orgId: string): Promise<TLedgerConfig> {
  const fresh = ledgerConfigNow(orgId)
  if (fresh) return fresh
  const c = cache().get(orgId)
  // No copy yet (first call, or right after a publish): wait for the load rather than serve no ledger at all.
  if (c?.loading) return c.initial ? c.loading.catch(() => c.config) : c.config
  const entry: TCached = { at: c?.at ?? 0, config: c?.config ?? EMPTY, initial: !c }
  entry.loading = producerConnection()
    .get(configKey(orgId))
    .then((raw) => (raw ? (JSON.parse(raw) as TLedgerConfig) : EMPTY))
  cache().set(orgId, entry)
  try {
    entry.config = await entry.loading
    entry.at = Date.now()
  } catch {
    entry.at = Date.now() - LEDGER_CONFIG_MS / 2
  } finally {
    entry.loading = undefined
    entry.initial = false
  }
  return entry.config
}

// Lua: a ledger's used amount but one process's lease: spent + held + every live lease of another process
// (fields L:<process> = amount, T:<process> = expiry in ms); a lease past its expiry (its process stopped renewing
// it: it died or lost Redis) is dropped. `me` = '' counts every lease.
const OTHERS = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function others(key, me, now)
  local f = redis.call('HGETALL', key)
  local used = 0
  local amt, exp = {}, {}
  for i = 1, #f, 2 do
    local k, v = f[i], f[i + 1]
    if k == 'spent' or k == 'held' then used = used + tonumber(v)
    elseif string.sub(k, 1, 2) == 'L:' then amt[string.sub(k, 3)] = tonumber(v)
    elseif string.sub(k, 1, 2) == 'T:' then exp[string.sub(k, 3)] = tonumber(v) end
  end
  for p, a in pairs(amt) do
    if p ~= me then
      if (exp[p] or 0) >= now then used = used + a else redis.call('HDEL', key, 'L:' .. p, 'T:' .. p) end
    end
  end
  return used
end
`

// KEYS: n budget ledgers, then the run ledger when ARGV[2] = 1.
// ARGV: amount, has-run, n, run cap, run ttl, then per budget: amount, deny (1: refuse when exhausted), ttl.
// Refuses (nothing reserved) when a denying budget or the run has no room left; else reserves on every
// ledger and answers each budget's spent + held (+ the processes' leases) before the reservation (the run's last).
const RESERVE = `${OTHERS}
local amount = tonumber(ARGV[1])
local hasRun = ARGV[2] == '1'
local n = tonumber(ARGV[3])
local now = nowMs()
local used = {}
for i = 1, n do
  used[i] = others(KEYS[i], '', now)
  if ARGV[5 + 3 * (i - 1) + 2] == '1' and used[i] >= tonumber(ARGV[5 + 3 * (i - 1) + 1]) then
    return {'budget', i, tostring(used[i])}
  end
end
local runUsed = 0
if hasRun then
  local h = redis.call('HMGET', KEYS[n + 1], 'spent', 'held')
  runUsed = tonumber(h[1] or '0') + tonumber(h[2] or '0')
  if runUsed >= tonumber(ARGV[4]) then return {'run', 0, tostring(runUsed)} end
end
for i = 1, n do
  redis.call('HINCRBY', KEYS[i], 'held', amount)
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[5 + 3 * (i - 1) + 3]))
  used[i] = tostring(used[i])
end
if hasRun then
  redis.call('HINCRBY', KEYS[n + 1], 'held', amount)
  redis.call('EXPIRE', KEYS[n + 1], tonumber(ARGV[5]))
end
used[n + 1] = tostring(runUsed)
return {'ok', 0, used}`

// KEYS: as RESERVE; ARGV: reserved, actual, n, then per budget 1 = rolling (count the settle in `gen` too).
const SETTLE = `
local reserved = tonumber(ARGV[1])
local actual = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HINCRBY', KEYS[i], 'held', -reserved)
    redis.call('HINCRBY', KEYS[i], 'spent', actual)
    if i <= n and ARGV[3 + i] == '1' then redis.call('HINCRBY', KEYS[i], 'gen', actual) end
  end
end
return 1`

// One process's leases on n budget ledgers (KEYS), in one atomic step.
// ARGV: process, lease ttl (ms), need (the call's maximum; 0: no call, only a flush), then per ledger 7 values:
// flush (settled spend to move from the lease into spent), in use (reserved by calls in flight), amount,
// deny (1: refuse when exhausted), rolling (1: count the flush in gen too), keep (the lease to keep when need = 0;
// 0 releases it), key ttl (s).
// Every flush is applied. With need > 0: refused when a denying ledger has used (spent + held + the other processes'
// leases + this process's calls in flight) >= its amount; each lease is then just what is in use. Else each lease
// becomes in use + need + a margin of up to `chunk` calls' worth that stays within a denying budget's room.
// Answers {refused ledger (0: none), lease, used, lease, used, …}, used being before this call.
const LEASE = `${OTHERS}
local me = ARGV[1]
local ttl = tonumber(ARGV[2])
local need = tonumber(ARGV[3])
local chunk = tonumber(ARGV[4])
local now = nowMs()
local n = #KEYS
local refused = 0
local used = {}
for i = 1, n do
  local o = 4 + (i - 1) * 7
  local flush = tonumber(ARGV[o + 1])
  if flush ~= 0 then
    redis.call('HINCRBY', KEYS[i], 'spent', flush)
    if ARGV[o + 5] == '1' then redis.call('HINCRBY', KEYS[i], 'gen', flush) end
  end
  used[i] = others(KEYS[i], me, now) + tonumber(ARGV[o + 2])
  if need > 0 and refused == 0 and ARGV[o + 4] == '1' and used[i] >= tonumber(ARGV[o + 3]) then refused = i end
end
local out = {refused}
for i = 1, n do
  local o = 4 + (i - 1) * 7
  local inUse = tonumber(ARGV[o + 2])
  local lease
  if need == 0 then lease = math.max(tonumber(ARGV[o + 6]), inUse)
  elseif refused > 0 then lease = inUse
  else
    local margin = chunk
    if ARGV[o + 4] == '1' then margin = math.max(0, math.min(chunk, tonumber(ARGV[o + 3]) - used[i] - need)) end
    lease = inUse + need + margin
  end
  if lease > 0 then
    redis.call('HSET', KEYS[i], 'L:' .. me, lease, 'T:' .. me, now + ttl)
  else
    redis.call('HDEL', KEYS[i], 'L:' .. me, 'T:' .. me)
  end
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[o + 7]))
  out[#out + 1] = tostring(lease)
  out[#out + 1] = tostring(used[i])
end
return out`

const SCRIPTS = { reserve: redisScript(RESERVE), settle: redisScript(SETTLE), lease: redisScript(LEASE) }

export type TReservation =
  | {
      ok: true /** each budget's spent + held before this call, micro-dollars, in the order given */
      used: bigint[]
      runUsed: bigint
      /** a leased reservation settles in memory (no promise); a run cap's in Redis */
      release: (actualMicros: bigint | null) => void | Promise<void>
    }
  | { ok: false; by: 'budget'; budget: TLedgerBudget; used: bigint }
  | { ok: false; by: 'run'; used: bigint }

/**
 * Reserve a call's maximum cost on the ledgers of the budgets covering it
 * (and its run's, with a cap), atomically: refused when a denying budget or
 * the run has no room left. `release(actual)` settles once (null: the cost is
 * unknown, the reservation counts). Without a run cap the call is reserved on
 * this process's leases (below), with no Redis round trip while they have room.
 */
export async function reserve(
  orgId: string,
  budgets: TLedgerBudget[],
  run: { runId: string; capMicros: bigint } | null,
  amountMicros: bigint,
  now: Date,
): Promise<TReservation> {
  if (!run && budgets.length) return reserveLeased(budgets, amountMicros, now)
  const keys = budgets.map((b) => ledgerKey(b.id, windowKey(b, now)))
  if (run) keys.push(runKey(orgId, run.runId))
  const args = [amountMicros.toString(), run ? '1' : '0', String(budgets.length), run ? run.capMicros.toString() : '0', String(RUN_TTL_S)]
  for (const b of budgets) args.push(b.amount_micros, denies(b) ? '1' : '0', String(keyTtl(b, now)))
  const r = (await SCRIPTS.reserve(keys, args)) as [string, number, string | string[]]
  if (r[0] === 'budget') return { ok: false, by: 'budget', budget: budgets[r[1] - 1], used: BigInt(r[2] as string) }
  if (r[0] === 'run') return { ok: false, by: 'run', used: BigInt(r[2] as string) }
  const used = (r[2] as string[]).map((x) => BigInt(x))
  let settled = false
  const rolling = budgets.map((b) => (b.period === 'rolling' ? '1' : '0'))
  return {
    ok: true,
    used: used.slice(0, budgets.length),
    runUsed: used[budgets.length],
    release: async (actual) => {
      if (settled) return
      settled = true
      await SCRIPTS.settle(keys, [amountMicros.toString(), actualOf(actual, amountMicros).toString(), String(budgets.length), ...rolling])
    },
  }
}

const denies = (b: TLedgerBudget) => b.hard_cutoff && b.cutoff_action === 'deny'
const keyTtl = (b: TLedgerBudget, now: Date) => (secondsToWindowEnd(b, now) ?? 86_400) + 86_400
/** What a settled call counts: its cost, or its reservation when the cost is unknown; never below zero. */
const actualOf = (actual: bigint | null, reserved: bigint) => (actual === null ? reserved : actual < 0n ? 0n : actual)

// ---------------------------------------------------------------- leases
//
// Two Redis round trips per call (reserve, settle) put Redis on every
// gateway call's path, two scripts a call (docs/benchmarks/gateway.md,
// 2026-12-07: 2.35 → 0.4 per call with leases). Instead, each process leases
// room on a ledger: a lease is held in Redis (field L:<process>) and counts
// in every other process's `used` as if spent, so the guarantee is the one
// above — the room handed out by the ledger never passes the amount by more
// than one call's maximum, since a lease's margin stays inside the denying
// budget's room and a lease grows past it only by the one call that asked.
// Calls reserve on the lease in memory and settle into it; every FLUSH_MS
// the settled spend moves from the lease into `spent`, and a lease idle for
// IDLE_MS is given back. Near the amount the margin is zero, so every call
// asks Redis, as before. A process that dies leaves its lease until
// LEASE_TTL_MS passes without renewal (each flush renews it); its settled but
// unflushed spend (under FLUSH_MS of calls) and its calls in flight are then
// counted again only by the next evaluation's re-base on the measured spend.

/** A lease's margin: this many times the call's maximum (within a denying budget's room). */
export const LEASE_CHUNK = 32
const FLUSH_MS = 100
const IDLE_MS = 1_000
const LEASE_TTL_MS = 15_000
/** an empty lease unused this long is forgotten (a past day's window) */
const FORGET_MS = 600_000

type TLease = {
  key: string
  budget: TLedgerBudget
  ttlS: number
  /** held in Redis for this process */
  leased: bigint
  /** reserved by this process's calls in flight */
  inFlight: bigint
  /** settled by them, not yet moved into `spent` */
  pending: bigint
  /** the ledger's used amount without this process's lease, at the last round trip */
  others: bigint
  lastUse: number
}

export type TLeases = {
  me: string
  byKey: Map<string, TLease>
  /** the lease round trip in flight (one at a time: two would flush the same spend) */
  busy: Promise<unknown> | null
  /** leases being grown or given back: a call on one waits for the round trip (its reservation must be in the lease) */
  blocked: Set<string>
  timer: NodeJS.Timeout | null
}
const gl = globalThis as unknown as { __outlayLeases?: TLeases }
const newLeases = (): TLeases => ({
  me: `${process.pid}-${createHash('sha1').update(`${Math.random()}${Date.now()}`).digest('base64url').slice(0, 10)}`,
  byKey: new Map(),
  busy: null,
  blocked: new Set(),
  timer: null,
})
/** This process's leases. */
const leases = (): TLeases => (gl.__outlayLeases ??= newLeases())
/** Tests only: the leases of another process (its own identity), to pass to reserveLeased and flushLeases. */
export function leaseProcessForTests(): TLeases {
  if (!process.env.VITEST) throw new Error('leaseProcessForTests is for tests')
  return newLeases()
}

function leaseOf(st: TLeases, b: TLedgerBudget, now: Date): TLease {
  const key = ledgerKey(b.id, windowKey(b, now))
  let l = st.byKey.get(key)
  if (!l) {
    l = { key, budget: b, ttlS: keyTtl(b, now), leased: 0n, inFlight: 0n, pending: 0n, others: 0n, lastUse: Date.now() }
    st.byKey.set(key, l)
  }
  l.budget = b
  l.lastUse = Date.now() // a call holds it: not forgotten (flushLeases) while it waits
  return l
}

/**
 * One round trip on some of this process's leases, when no other is in flight: flush their settled spend, then
 * grow them for a call of `need` (> 0; answers the refusing ledger's number, 0: none) or keep `keep(l)` of each.
 * `block`: the leases' calls wait meanwhile (a grow or a give-back sets the lease from what is in use when sent).
 * `then` runs as the answer lands, before anything else can touch the leases; `unlessReady`: skip the round trip
 * (and call `then(0)`) if it holds once the one in flight is done.
 */
async function leaseRoundTrip(
  st: TLeases,
  ls: TLease[],
  need: bigint,
  keep: (l: TLease) => bigint,
  block: boolean,
  then?: (refused: number) => void,
  unlessReady?: () => boolean,
): Promise<number> {
  while (st.busy) await st.busy.catch(() => undefined)
  // the round trip waited for (another call's) may have made the room this one needed
  if (unlessReady?.()) return (then?.(0), 0)
  const run = async () => {
    const sent = ls.map((l) => ({ flush: l.pending, inUse: l.inFlight, keep: keep(l) }))
    const args: string[] = [st.me, String(LEASE_TTL_MS), need.toString(), (need * BigInt(LEASE_CHUNK)).toString()]
    ls.forEach((l, i) =>
      args.push(
        sent[i].flush.toString(),
        sent[i].inUse.toString(),
        l.budget.amount_micros,
        denies(l.budget) ? '1' : '0',
        l.budget.period === 'rolling' ? '1' : '0',
        sent[i].keep.toString(),
        String(l.ttlS),
      ),
    )
    if (block) for (const l of ls) st.blocked.add(l.key)
    try {
      const r = (await SCRIPTS.lease(
        ls.map((l) => l.key),
        args,
      )) as (string | number)[]
      ls.forEach((l, i) => {
        l.pending -= sent[i].flush
        l.leased = BigInt(r[1 + 2 * i])
        l.others = BigInt(r[2 + 2 * i]) - sent[i].inUse
      })
      const refused = Number(r[0])
      then?.(refused) // before the leases are unblocked: a grown lease's call is admitted first
      return refused
    } finally {
      if (block) for (const l of ls) st.blocked.delete(l.key)
    }
  }
  const p = run()
  st.busy = p
  try {
    return await p
  } finally {
    if (st.busy === p) st.busy = null
  }
}

const room = (l: TLease) => l.leased - l.inFlight - l.pending
const usedOf = (l: TLease) => l.others + l.inFlight + l.pending

/** reserve() without a run cap: on the leases of this process (`st`: another one's, in tests). */
export async function reserveLeased(budgets: TLedgerBudget[], amount: bigint, now: Date, st: TLeases = leases()): Promise<TReservation> {
  for (;;) {
    const ls = budgets.map((b) => leaseOf(st, b, now)) // looked up at each turn: a lease forgotten meanwhile is made anew
    if (canAdmit(st, ls, amount)) return admitted(st, ls, amount)
    if (ls.some((l) => st.blocked.has(l.key))) {
      await st.busy?.catch(() => undefined)
      continue
    }
    let r: TReservation | null = null
    const refused = await leaseRoundTrip(
      st,
      ls,
      amount,
      () => 0n,
      true,
      (n) => {
        if (n === 0) r = admitted(st, ls, amount)
      },
      () => canAdmit(st, ls, amount),
    )
    if (refused > 0) return { ok: false, by: 'budget', budget: budgets[refused - 1], used: usedOf(ls[refused - 1]) }
    if (r) return r
  }
}

/**
 * reserveLeased when this process's leases have room for the call now (no round trip, no promise): the same
 * reservation; undefined when it would wait for Redis (call reserveLeased).
 */
export function reserveLeasedNow(budgets: TLedgerBudget[], amount: bigint, now: Date, st: TLeases = leases()): TReservation | undefined {
  const ls = budgets.map((b) => leaseOf(st, b, now))
  return canAdmit(st, ls, amount) ? admitted(st, ls, amount) : undefined
}

const canAdmit = (st: TLeases, ls: TLease[], amount: bigint) => ls.every((l) => !st.blocked.has(l.key) && room(l) >= amount)

/** Admit a call of `amount` on leases with room for it: held in flight until its release settles it into the lease. */
function admitted(st: TLeases, ls: TLease[], amount: bigint): TReservation {
  const used = ls.map(usedOf)
  const t = Date.now()
  for (const l of ls) {
    l.inFlight += amount
    l.lastUse = t
  }
  startFlushing(st)
  let settled = false
  return {
    ok: true,
    used,
    runUsed: 0n,
    release: (actual) => {
      if (settled) return
      settled = true
      const a = actualOf(actual, amount)
      for (const l of ls) {
        l.inFlight -= amount
        l.pending += a
      }
    },
  }
}

function startFlushing(st: TLeases): void {
  if (st.timer) return
  let lastWarn = 0
  st.timer = setInterval(
    () =>
      void flushLeases(false, st).catch((err) => {
        if (Date.now() - lastWarn < 10_000) return
        lastWarn = Date.now()
        log({ component: 'budgets' }).warn({ err }, 'ledger lease flush failed; the settled spend is kept for the next one')
      }),
    FLUSH_MS,
  )
  st.timer.unref()
}

/**
 * Move every lease's settled spend into `spent` and renew the leases; give back
 * those idle for IDLE_MS (all of them with `release`: tests, the bench, a process
 * stopping). Redis away: the spend stays pending for the next flush.
 */
export async function flushLeases(release: boolean, st: TLeases = leases()): Promise<void> {
  const t = Date.now()
  const ls = [...st.byKey.values()]
  if (ls.length === 0 && st.timer) {
    clearInterval(st.timer)
    st.timer = null
  }
  // a lease with nothing held and nothing to flush needs no round trip
  const active = ls.filter((l) => l.leased > 0n || l.pending > 0n)
  const giveBack = active.filter((l) => release || (l.inFlight === 0n && t - l.lastUse >= IDLE_MS))
  const kept = active.filter((l) => !giveBack.includes(l))
  if (kept.length) await leaseRoundTrip(st, kept, 0n, (l) => l.leased - l.pending, false)
  if (giveBack.length) await leaseRoundTrip(st, giveBack, 0n, () => 0n, true)
  for (const l of ls) {
    if (l.leased === 0n && l.inFlight === 0n && l.pending === 0n && t - l.lastUse >= FORGET_MS && st.byKey.get(l.key) === l) st.byKey.delete(l.key)
  }
}

/** A ledger's current spent and held (the processes' leases count as held: tests and the Budgets page's live figure). */
export async function ledgerUsage(budgetId: string, b: Pick<TLedgerBudget, 'period' | 'rolling_days'>, now: Date): Promise<{ spent: bigint; held: bigint }> {
  const h = await producerConnection().hgetall(ledgerKey(budgetId, windowKey(b, now)))
  let held = BigInt(h.held ?? '0')
  for (const [k, v] of Object.entries(h)) if (k.startsWith('L:') && Number(h[`T:${k.slice(2)}`] ?? 0) >= Date.now()) held += BigInt(v)
  return { spent: BigInt(h.spent ?? '0'), held }
}

export async function runUsage(orgId: string, runId: string): Promise<{ spent: bigint; held: bigint }> {
  const h = await producerConnection().hmget(runKey(orgId, runId), 'spent', 'held')
  return { spent: BigInt(h[0] ?? '0'), held: BigInt(h[1] ?? '0') }
}
