// The gateway's control seam: what to do with one call before it goes upstream
// (lib/gateway/pipeline.ts asks planCall, then carries the plan out and
// measures it). Behind it: the published routing policy of the step (canary,
// fallbacks, output cap, cascade rule, response cache), the budgets covering
// the call (decide's gates; the real-time ledger that reserves the call's
// maximum cost; per-run caps; brown-out) and the response cache in Redis.
//
// It is on every call's hot path: it reads process memory (the routing
// policies and budget gates decide uses, the ledgered budgets, the price
// book), never the database per call, and Redis only where the truth is
// shared between processes: one round trip to reserve on a budget's ledger
// when a ledgered budget or a run cap covers the call, one to read the cache
// when the call may be cached.
import { fromScaled } from '@/lib/cost/money'
import { formatUsd } from '@/lib/format'
import 'server-only'
import { log } from '@/lib/log'
import { createHash } from 'node:crypto'
import { asOrg } from '@/lib/db'
import { producerConnection } from '@/lib/queues'
import { loadPriceBook } from '@/lib/cost/pricebook'
import { computeCost, type PriceBook } from '@/lib/cost/engine'
import { toScaled } from '@/lib/cost/money'
import { budgetVerdict, budgetVerdictNow, overThrottleLimit, type TBudgetGate, type TBudgetVerdict, type TCallScope } from '@/lib/budgets/enforce'
import { budgetScope } from '@/lib/budgets/evaluate'
import {
  ledgerConfig,
  ledgerConfigNow,
  ledgerCovers,
  reserve,
  reserveLeasedNow,
  runCapFor,
  RUN_TTL_S,
  secondsToWindowEnd,
  spendLedgered,
  type TLedgerBudget,
  type TLedgerConfig,
  type TReservation,
} from '@/lib/budgets/ledger'
import { liveRouting, liveRoutingNow, type TLiveRouting } from '@/lib/routing/runtime'
import { brownoutModel, matchPolicy, versionFor, type TLivePolicy, type TLiveVersion } from '@/lib/routing/select'
import { CACHE_TTL_MAX_S, refKey, type TConfidenceSource, type TModelRef } from '@/lib/routing/schema'
import { env } from '@/lib/env'
import { UNLABELED } from '@/lib/gateway/recorder'

export const GATEWAY_PROTOCOLS = ['openai-chat', 'openai-responses', 'openai-embeddings', 'anthropic-messages'] as const
export type TGatewayProtocol = (typeof GATEWAY_PROTOCOLS)[number]

export type TGatewayAttribution = {
  workflowId: string | null
  step: string | null
  runId: string | null
  accountId: string | null
  userId: string | null
  feature: string | null
  environment: string | null
  trafficSource: string | null
  scenarioId: string | null
  owner: string | null
  promptVersion: string | null
}

/** What the gateway reads of a request's headers: a fetch Headers (the Next.js routes), or the Node.js server's own (http.ts). */
export type THeaderReader = { get(name: string): string | null; forEach(fn: (value: string, name: string) => void): void }

export type TGatewayCall = {
  orgId: string
  protocol: TGatewayProtocol
  requestedModel: string
  maxTokens: number | null
  stream: boolean
  inputHash: string
  attribution: TGatewayAttribution
  headers: THeaderReader
}

export type TPlannedAttempt = {
  model: string
  maxTokens: number | null
  outcomeIfSucceeds: 'success' | 'fallback' | 'escalation'
  /** the provider the policy names for the model (informational: the protocol's upstream serves the call); absent: the requested model */
  provider?: string
}

/** The cascade rule of the step's policy, for shouldEscalate. */
export type TCascadePlan = {
  /** the ladder, cheapest first, as attempts (escalations) */
  ladder: TPlannedAttempt[]
  threshold: number
  from: TConfidenceSource
  field: string | null
}

export type TCallPlan =
  // budget cutoff: answered in the provider's error shape, upstream never called
  | { kind: 'deny'; status: 429; message: string; headers: Record<string, string> }
  // answered from the response cache; savingsMicros: the original call's cost (null: it was not priced)
  | { kind: 'cached'; body: unknown; savingsMicros: bigint | null; headers: Record<string, string> }
  | {
      kind: 'forward'
      /** tried in order on an upstream 429, 5xx or timeout */
      attempts: TPlannedAttempt[]
      /** added to the answer */
      headers: Record<string, string>
      /** store a non-streamed answer for this long (storeCached) */
      cacheTtlS: number | null
      /** called once the call is over, with the cost of every attempt made (null: unpriced) */
      settle?: (actualCostMicros: bigint | null) => void | Promise<void>
      /** the step's cascade rule when its policy has one (and no brown-out is on): see shouldEscalate */
      cascade?: TCascadePlan
    }

/** The workflow and step of a call that names neither (PRODUCT.md: unlabeled spend is shown as such). */
export { UNLABELED }
/** Output tokens reserved for a call that sends no max_tokens and has no cap. */
export const DEFAULT_RESERVE_OUTPUT_TOKENS = 4096
/** Input tokens reserved when the request's size is unknown (no content-length). */
export const DEFAULT_RESERVE_INPUT_TOKENS = 2000
/** `x-outlay-cache: on` without `x-outlay-cache-ttl`. */
export const DEFAULT_CACHE_TTL_S = 3600

// ---------------------------------------------------------------- pure rules

const PROTOCOL_PROVIDER: Record<TGatewayProtocol, string> = {
  'openai-chat': 'openai',
  'openai-responses': 'openai',
  'openai-embeddings': 'openai',
  'anthropic-messages': 'anthropic',
}

/** The step's output cap applied to a request's max_tokens: where the request sends none or a larger one. */
export function capMaxTokens(requested: number | null, cap: number | null | undefined): number | null {
  if (cap == null) return requested
  return requested === null || requested > cap ? cap : requested
}

/** The attempts of a call under a policy version: the selected (or brown-out) model, then the fallbacks in order, each model once. */
export function policyAttempts(v: TLiveVersion, requestedMaxTokens: number | null, first: TModelRef = v.chosen): TPlannedAttempt[] {
  const cap = v.max_tokens_cap ?? null
  const chain = [first, ...(v.fallbacks ?? (v.fallback ? [v.fallback] : []))]
  const seen = new Set<string>()
  const out: TPlannedAttempt[] = []
  for (const [i, m] of chain.entries()) {
    if (seen.has(refKey(m))) continue
    seen.add(refKey(m))
    out.push({ model: m.model, provider: m.provider, maxTokens: capMaxTokens(requestedMaxTokens, cap), outcomeIfSucceeds: i === 0 ? 'success' : 'fallback' })
  }
  return out
}

/** The cache's time to live for a call: `x-outlay-cache: on|off` and `x-outlay-cache-ttl` over the step's policy; never for a stream. */
export function cacheTtlFor(stream: boolean, headers: THeaderReader, policyTtl: number | null | undefined): number | null {
  if (stream) return null // a streamed answer is not stored, and a stored answer is not replayed as a stream
  const mode = headers.get('x-outlay-cache')?.trim().toLowerCase()
  if (mode === 'off') return null
  const raw = headers.get('x-outlay-cache-ttl')?.trim()
  const asked = raw && /^\d{1,9}$/.test(raw) ? Math.min(Number(raw), CACHE_TTL_MAX_S) : null
  if (mode === 'on') return asked !== null && asked > 0 ? asked : (policyTtl ?? DEFAULT_CACHE_TTL_S)
  return policyTtl ?? null
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The answer's text, for a JSON confidence field: chat's first message, the Responses API's output text, Anthropic's text blocks. */
export function answerText(answer: unknown): string | null {
  if (!isRecord(answer)) return null
  if (Array.isArray(answer.choices)) {
    const m = isRecord(answer.choices[0]) ? answer.choices[0].message : null
    return isRecord(m) && typeof m.content === 'string' ? m.content : null
  }
  if (typeof answer.output_text === 'string') return answer.output_text
  if (Array.isArray(answer.output)) {
    const parts: string[] = []
    for (const o of answer.output)
      if (isRecord(o) && Array.isArray(o.content)) for (const c of o.content) if (isRecord(c) && typeof c.text === 'string') parts.push(c.text)
    return parts.length ? parts.join('') : null
  }
  if (Array.isArray(answer.content)) {
    const parts = answer.content
      .filter((c): c is Record<string, unknown> => isRecord(c) && c.type === 'text' && typeof c.text === 'string')
      .map((c) => c.text as string)
    return parts.length ? parts.join('') : null
  }
  return null
}

/** The logprob of the answer's first token (OpenAI chat `choices[0].logprobs.content[0].logprob`, Responses `output[].content[].logprobs[0].logprob`), or null. */
export function firstTokenLogprob(answer: unknown): number | null {
  if (!isRecord(answer)) return null
  if (Array.isArray(answer.choices)) {
    const lp = isRecord(answer.choices[0]) && isRecord(answer.choices[0].logprobs) ? answer.choices[0].logprobs.content : null
    const t = Array.isArray(lp) ? lp[0] : null
    return isRecord(t) && typeof t.logprob === 'number' ? t.logprob : null
  }
  if (Array.isArray(answer.output)) {
    for (const o of answer.output) {
      if (!isRecord(o) || !Array.isArray(o.content)) continue
      for (const c of o.content) {
        const t = isRecord(c) && Array.isArray(c.logprobs) ? c.logprobs[0] : null
        if (isRecord(t) && typeof t.logprob === 'number') return t.logprob
      }
    }
  }
  return null
}

/** A numeric field of the answer's JSON text by its dotted path; null when the text is not JSON or the field is not a finite number. */
export function jsonFieldOf(answer: unknown, path: string): number | null {
  const text = answerText(answer)
  if (text === null) return null
  let v: unknown
  try {
    // A model often fences its JSON: take the outermost object.
    const start = text.indexOf('{')
    const end = text.lastIndexOf('}')
    v = JSON.parse(start >= 0 && end > start ? text.slice(start, end + 1) : text)
  } catch {
    return null
  }
  for (const k of path.split('.')) {
    if (!isRecord(v)) return null
    v = v[k]
  }
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  return typeof n === 'number' && Number.isFinite(n) ? n : null
}

/** The answer's confidence under a cascade rule, or null when the answer does not carry it. */
export function confidenceOf(c: Pick<TCascadePlan, 'from' | 'field'>, answer: unknown): number | null {
  if (c.from === 'json_field') return c.field ? jsonFieldOf(answer, c.field) : null
  if (c.from === 'first_token_logprob') {
    const lp = firstTokenLogprob(answer)
    return lp === null ? null : Math.exp(lp)
  }
  return null
}

/**
 * The cascade's next attempt after an answer, or null to keep it. The pipe
 * (lib/gateway/pipeline.ts): after a successful non-streamed answer of a plan
 * with `cascade`, shouldEscalate(plan, answerBody, modelAsked) — the ladder's
 * name of the model asked, not the dated name an upstream may answer with —;
 * a non-null result is one more upstream call (its outcome `escalation`),
 * repeated with its answer until null. Rules: confidence (a JSON field of the answer's text, or
 * exp(first token's logprob), which the request must ask for) below the
 * threshold, or absent from the answer, moves one model up the ladder from
 * the model that answered (not on the ladder: its first model above the
 * start); the last model of the ladder never escalates. `reported` (decide's
 * caller-reported confidence) never escalates in the gateway.
 */
export function shouldEscalate(plan: TCallPlan, answerBody: unknown, answeredModel?: string): TPlannedAttempt | null {
  if (plan.kind !== 'forward' || !plan.cascade || plan.cascade.from === 'reported') return null
  const c = plan.cascade
  const model = answeredModel ?? plan.attempts[0]?.model
  const at = c.ladder.findIndex((m) => m.model === model)
  const next = c.ladder[at + 1]
  if (!next) return null
  const confidence = confidenceOf(c, answerBody)
  if (confidence !== null && confidence >= c.threshold) return null
  return next
}

/** A call's maximum cost in micro-dollars (rounded up) for a model: input estimate + max output, the organization's prices; 0 when unpriced. */
export function maxCostMicros(book: PriceBook, provider: string, model: string, inputTokens: number, maxOutputTokens: number | null, at: Date): bigint {
  const price = book.modelPrice(provider, model, at)
  if (!price) return 0n
  const r = computeCost({ provider, model, timestamp: at, tokens_in: inputTokens, tokens_out: maxOutputTokens ?? DEFAULT_RESERVE_OUTPUT_TOKENS }, price, null)
  if (!r.priced) return 0n
  const s = toScaled(r.cost_usd, 12)
  return (s + 999_999n) / 1_000_000n
}

/** Input tokens to reserve for: the request body's size (about 4 bytes a token, rounded up), else a default. */
export function inputEstimate(headers: THeaderReader): number {
  const len = Number(headers.get('content-length'))
  return Number.isFinite(len) && len > 0 ? Math.ceil(len / 4) : DEFAULT_RESERVE_INPUT_TOKENS
}

// ---------------------------------------------------------------- process memory

// The price book for reservations: served from memory; a stale copy serves while one refresh runs in the background.
type TBook = { book: PriceBook; at: number; loading?: Promise<void> }
const gm = globalThis as unknown as { __outlayGwBooks?: Map<string, TBook>; __outlayGwCacheKeys?: Map<string, { key: string; model: string; at: number }> }
const books = () => (gm.__outlayGwBooks ??= new Map())

/** The organization's price book from process memory (lib/cost/pricebook.ts loads it; at most one re-read at a time). */
export async function priceBook(orgId: string): Promise<PriceBook> {
  const hit = priceBookNow(orgId)
  if (hit) return hit
  const book = await loadPriceBook(orgId)
  books().set(orgId, { book, at: Date.now() })
  return book
}

/** priceBook when this process holds the organization's book (a stale one starts its re-read); undefined: call priceBook. */
export function priceBookNow(orgId: string): PriceBook | undefined {
  const hit = books().get(orgId)
  if (!hit) return undefined
  if (Date.now() - hit.at > env().PRICE_CACHE_MS && !hit.loading) {
    hit.loading = asOrg(orgId, () => loadPriceBook(orgId))
      .then((book) => {
        hit.book = book
        hit.at = Date.now()
      })
      .catch(() => {
        hit.at = Date.now()
      })
      .finally(() => {
        hit.loading = undefined
      })
  }
  return hit.book
}

// planCall's cache key for a call, for storeCached after it (same process, same request): the key holds the
// model and max_tokens the plan chose, which storeCached's arguments do not carry.
const CACHE_KEYS_MAX = 10_000
const CACHE_KEY_TTL_MS = 10 * 60_000
const cacheKeys = () => (gm.__outlayGwCacheKeys ??= new Map())
const stashId = (orgId: string, inputHash: string) => `${orgId}\n${inputHash}`

function stashCacheKey(orgId: string, inputHash: string, key: string, model: string): void {
  const m = cacheKeys()
  m.delete(stashId(orgId, inputHash))
  if (m.size >= CACHE_KEYS_MAX) m.delete(m.keys().next().value!) // the oldest
  m.set(stashId(orgId, inputHash), { key, model, at: Date.now() })
}

export const responseCacheKey = (orgId: string, protocol: TGatewayProtocol, inputHash: string, model: string, maxTokens: number | null) =>
  `${env().QUEUE_PREFIX}:gw-cache:${orgId}:${createHash('sha256')
    .update(`${protocol}\n${inputHash}\n${model}\n${maxTokens ?? ''}`)
    .digest('base64url')}`

type TCachedAnswer = { body: unknown; cost_micros: string | null; model: string; stored_at: string }

/**
 * Keep a non-streamed answer for `ttlS` seconds: under the organization, the
 * input hash and the model and max_tokens planCall chose for the same call
 * (it must follow planCall in this process; otherwise nothing is stored).
 */
export async function storeCached(orgId: string, inputHash: string, ttlS: number, body: unknown, costMicros: bigint | null): Promise<void> {
  const s = cacheKeys().get(stashId(orgId, inputHash))
  if (!s || Date.now() - s.at > CACHE_KEY_TTL_MS) return
  const ttl = Math.max(1, Math.min(Math.floor(ttlS), CACHE_TTL_MAX_S))
  const v: TCachedAnswer = { body, cost_micros: costMicros === null ? null : costMicros.toString(), model: s.model, stored_at: new Date().toISOString() }
  await producerConnection().set(s.key, JSON.stringify(v), 'EX', ttl)
}

async function readCached(key: string): Promise<TCachedAnswer | null> {
  try {
    const raw = await producerConnection().get(key)
    return raw ? (JSON.parse(raw) as TCachedAnswer) : null
  } catch {
    return null // Redis away: a miss, the call goes upstream
  }
}

// ---------------------------------------------------------------- the plan

type TDenyPlan = Extract<TCallPlan, { kind: 'deny' }>

const denyPlan = (message: string, budgetId: string, retryAfterS: number): TDenyPlan => ({
  kind: 'deny',
  status: 429,
  message,
  headers: { 'x-outlay-budget-id': budgetId, 'Retry-After': String(retryAfterS), 'x-outlay-budget-state': 'exceeded' },
})

const usd = (m: bigint) => formatUsd(fromScaled(m, 6))

/** What to do with one gateway call: deny it (a budget), answer it from the cache, or forward it (which models, in which order). */
export async function planCall(call: TGatewayCall): Promise<TCallPlan> {
  return asOrg(call.orgId, () => plan(call, new Date()))
}

/**
 * planCall from this process's memory alone, without a promise (each promise of the hot path pays Node 20's
 * AsyncLocalStorage hooks): the gates, policies and ledgered budgets are fresh in memory, the price book is
 * loaded, the leases have room, no throttled budget needs counting and the call is not one the response cache
 * may answer. The same plan planCall would make; undefined when any of that needs Redis or PostgreSQL.
 */
export function planCallNow(call: TGatewayCall): TCallPlan | undefined {
  const now = new Date()
  const scope = scopeOf(call)
  const verdict = budgetVerdictNow(call.orgId, scope, now)
  const routing = verdict && liveRoutingNow(call.orgId)
  const ledgers = routing && ledgerConfigNow(call.orgId)
  if (!ledgers) return undefined
  const s = planStart(call, scope, verdict, routing, ledgers)
  if (s.kind === 'deny') return s
  if (cacheTtlFor(call.stream, call.headers, s.v?.cache_ttl_s) !== null) return undefined // a read of the cache in Redis
  if (s.cap) return undefined // the run's ledger is in Redis
  if (!s.spendBudgets.length) return forwardPlan(call, s, false, undefined, null)
  const book = priceBookNow(call.orgId)
  const r = book && reserveLeasedNow(s.spendBudgets, reserveAmount(call, s, book, now), now)
  if (!r) return undefined
  if (!r.ok) return refusal(call, s, r, now)
  if (throttleCandidates(s.spendBudgets, r.used).length) {
    void r.release(0n) // a throttle's minute to count in Redis: planCall reserves again and counts it
    return undefined
  }
  return forwardPlan(call, s, ledgerStates(s, r.used), r.release, null)
}

async function plan(call: TGatewayCall, now: Date): Promise<TCallPlan> {
  const scope = scopeOf(call)
  const [verdict, routing, ledgers] = await Promise.all([budgetVerdict(call.orgId, scope, now), liveRouting(call.orgId), ledgerConfig(call.orgId)])
  const s = planStart(call, scope, verdict, routing, ledgers)
  if (s.kind === 'deny') return s

  // 3. The budgets with a real-time ledger covering the call, and the run's cap.
  let settle: TSettle | undefined
  let brownedOut = false
  if (s.spendBudgets.length || s.cap) {
    const book = await priceBook(call.orgId)
    const runId = call.attribution.runId
    let r: TReservation | null
    try {
      r = await reserve(call.orgId, s.spendBudgets, runId && s.cap ? { runId, capMicros: s.cap.micros } : null, reserveAmount(call, s, book, now), now)
    } catch (e) {
      // Redis away: enforcement fails open (as decide's gates), the call is still measured.
      log({ component: 'gateway', org_id: call.orgId }).warn({ err: e }, 'budget reservation skipped')
      r = null
    }
    if (r && !r.ok) return refusal(call, s, r, now)
    if (r) {
      // A throttling budget whose ledger is used up: the throttle's allowance per minute, before an evaluation says exceeded.
      for (const b of throttleCandidates(s.spendBudgets, r.used)) {
        if (await overThrottleLimit(asGate(b), now)) {
          await r.release(0n)
          const wait = Math.max(1, 60 - now.getUTCSeconds())
          return denyPlan(`Outlay budget "${b.name}" is used up and throttles calls (its allowance for this minute is used); retry after ${wait} s`, b.id, wait)
        }
      }
      brownedOut = ledgerStates(s, r.used)
      settle = r.release
    }
  }

  // 5. The response cache: never for a stream.
  const ttl = cacheTtlFor(call.stream, call.headers, s.v?.cache_ttl_s)
  return ttl === null ? forwardPlan(call, s, brownedOut, settle, null) : cachedOrForward(call, s, brownedOut, settle, ttl)
}

type TSettle = (actualCostMicros: bigint | null) => void | Promise<void>

const scopeOf = (call: TGatewayCall): TCallScope => ({
  environment: call.attribution.environment ?? 'production',
  workflow_id: call.attribution.workflowId ?? UNLABELED,
  account_id: call.attribution.accountId,
  feature: call.attribution.feature,
  traffic_source: call.attribution.trafficSource ?? 'production',
})

type TPlanStart = {
  kind: 'start'
  scope: TCallScope
  headers: Record<string, string>
  policy: TLivePolicy | null
  v: TLiveVersion | null
  attempts: TPlannedAttempt[]
  spendBudgets: TLedgerBudget[]
  cap: ReturnType<typeof runCapFor>
  brownout: TModelRef | null
  cascade: TLiveVersion['cascade'] | null
}

/** Steps 1 and 2, and what step 3 needs: decide's verdict, the step's published policy, the ledgered budgets covering the call. */
function planStart(call: TGatewayCall, scope: TCallScope, verdict: TBudgetVerdict, routing: TLiveRouting, ledgers: TLedgerConfig): TDenyPlan | TPlanStart {
  const a = call.attribution
  // 1. Decide's verdict (the evaluated gates): a denying budget, or a throttled one over its minute's allowance.
  if (verdict.action !== 'allow') {
    const what = verdict.action === 'deny' ? 'is exceeded and denies calls' : 'is exceeded and throttles calls (its allowance for this minute is used)'
    return denyPlan(`Outlay budget "${verdict.budget_name}" ${what}; retry after ${verdict.retry_after_s} s`, verdict.budget_id!, verdict.retry_after_s ?? 60)
  }
  const headers: Record<string, string> = {}
  if (verdict.state !== 'ok') {
    headers['x-outlay-budget-state'] = verdict.state
    if (verdict.budget_id) headers['x-outlay-budget-id'] = verdict.budget_id
  }

  // 2. The step's published policy (canary by run or account, as decide).
  const policy =
    a.workflowId && a.step
      ? matchPolicy(routing.policies, { workflow_id: a.workflowId, step: a.step, environment: scope.environment, account_id: a.accountId })
      : null
  // v null: no policy, or a call outside a first canary — the requested model as asked (the caller's default).
  const v = policy ? versionFor(policy, { run_id: a.runId ?? undefined, account_id: a.accountId ?? undefined }).v : null
  const attempts: TPlannedAttempt[] = v
    ? policyAttempts(v, call.maxTokens)
    : [{ model: call.requestedModel, maxTokens: call.maxTokens, outcomeIfSucceeds: 'success' }]
  if (policy) headers['x-outlay-policy-id'] = policy.id
  if (policy && v) headers['x-outlay-policy-version'] = String(v.version)

  const covering = ledgers.budgets.filter((b) => ledgerCovers(b, scope))
  const cheapest = policy ? brownoutModel(policy) : null
  return {
    kind: 'start',
    scope,
    headers,
    policy,
    v,
    attempts,
    spendBudgets: covering.filter(spendLedgered),
    cap: a.runId ? runCapFor(covering, scope.workflow_id, ledgers.run_p95_micros) : null,
    brownout: v && cheapest && refKey(cheapest) !== refKey(v.chosen) ? cheapest : null,
    cascade: v?.cascade && v.cascade.confidence_from && v.cascade.confidence_from !== 'reported' ? v.cascade : null,
  }
}

/** One call's maximum: the costliest model it may be sent to (a fallback or the brown-out model), plus one escalation. */
function reserveAmount(call: TGatewayCall, s: TPlanStart, book: PriceBook, now: Date): bigint {
  const input = inputEstimate(call.headers)
  const provider = (m: TPlannedAttempt) => m.provider ?? PROTOCOL_PROVIDER[call.protocol]
  const cost = (m: TPlannedAttempt) => maxCostMicros(book, provider(m), m.model, input, m.maxTokens, now)
  const maxTokens = s.attempts[0].maxTokens
  const candidates = [
    ...s.attempts,
    ...(s.brownout ? [{ model: s.brownout.model, provider: s.brownout.provider, maxTokens, outcomeIfSucceeds: 'success' as const }] : []),
  ]
  const costliest = (xs: TPlannedAttempt[]) =>
    xs.reduce((m, x) => {
      const c = cost(x)
      return c > m ? c : m
    }, 0n)
  let amount = costliest(candidates)
  if (s.cascade)
    amount += costliest(s.cascade.models.map((x) => ({ model: x.model, provider: x.provider, maxTokens, outcomeIfSucceeds: 'escalation' as const })))
  return amount
}

/** A reservation the ledger refused: the budget or the run cap that has no room. */
function refusal(call: TGatewayCall, s: TPlanStart, r: Extract<TReservation, { ok: false }>, now: Date): TCallPlan {
  if (r.by === 'run') {
    const cap = s.cap!
    return denyPlan(
      `Outlay run cap: run "${call.attribution.runId}" has spent ${usd(r.used)}, past its cap of ${usd(cap.micros)} (budget "${cap.budget.name}"); the run is stopped`,
      cap.budget.id,
      RUN_TTL_S,
    )
  }
  const b = r.budget
  return denyPlan(
    `Outlay budget "${b.name}" is used up (${usd(r.used)} of ${usd(BigInt(b.amount_micros))} spent or reserved) and denies calls`,
    b.id,
    secondsToWindowEnd(b, now) ?? 60,
  )
}

/** The throttling budgets whose ledger is used up (`used`: each budget's, in order): the call counts against their minute. */
const throttleCandidates = (budgets: TLedgerBudget[], used: bigint[]) =>
  budgets.filter((b, i) => b.hard_cutoff && b.cutoff_action === 'throttle' && used[i] >= BigInt(b.amount_micros))

/** The ledgers' states on the answer's headers (brown-out, warning, exceeded); true when a brown-out is on. */
function ledgerStates(s: TPlanStart, used: bigint[]): boolean {
  let brownedOut = false
  for (const [i, b] of s.spendBudgets.entries()) {
    const amountB = BigInt(b.amount_micros)
    if (b.brownout_pct !== null && used[i] * 100n >= amountB * BigInt(b.brownout_pct)) {
      brownedOut = true
      s.headers['x-outlay-brownout'] = b.id
    }
    if (!s.headers['x-outlay-budget-state'] && b.warn_pct !== null && used[i] * 100n >= amountB * BigInt(b.warn_pct)) {
      s.headers['x-outlay-budget-state'] = used[i] >= amountB ? 'exceeded' : 'warning'
      s.headers['x-outlay-budget-id'] = b.id
    }
  }
  return brownedOut
}

/** Step 4, and the plan that forwards the call: the brown-out's models, the cache's time to live, the cascade. */
function forwardPlan(call: TGatewayCall, s: TPlanStart, brownedOut: boolean, settle: TSettle | undefined, ttl: number | null): TCallPlan {
  // 4. Brown-out: the step falls to its cheapest model that cleared the bar, and does not escalate.
  const attempts = brownedOut && s.v && s.brownout ? policyAttempts(s.v, call.maxTokens, s.brownout) : s.attempts
  const out: TCallPlan = { kind: 'forward', attempts, headers: s.headers, cacheTtlS: ttl, settle }
  if (s.cascade && !brownedOut) {
    out.cascade = {
      ladder: s.cascade.models.map((m) => ({
        model: m.model,
        provider: m.provider,
        maxTokens: attempts[0].maxTokens,
        outcomeIfSucceeds: 'escalation' as const,
      })),
      threshold: s.cascade.confidence_threshold,
      from: s.cascade.confidence_from!,
      field: s.cascade.confidence_field ?? null,
    }
  }
  return out
}

/** Step 5, the response cache: a hit answers without going upstream (the reservation settled at 0); a miss forwards. */
async function cachedOrForward(call: TGatewayCall, s: TPlanStart, brownedOut: boolean, settle: TSettle | undefined, ttl: number): Promise<TCallPlan> {
  const plan = forwardPlan(call, s, brownedOut, settle, ttl) as Extract<TCallPlan, { kind: 'forward' }>
  const first = plan.attempts[0]
  const key = responseCacheKey(call.orgId, call.protocol, call.inputHash, first.model, first.maxTokens)
  const hit = await readCached(key)
  if (hit) {
    await settle?.(0n)
    return {
      kind: 'cached',
      body: hit.body,
      savingsMicros: hit.cost_micros === null ? null : BigInt(hit.cost_micros),
      headers: { ...s.headers, 'x-outlay-cache': 'hit' },
    }
  }
  stashCacheKey(call.orgId, call.inputHash, key, first.model)
  s.headers['x-outlay-cache'] = 'miss'
  return plan
}

const asGate = (b: TLedgerBudget): TBudgetGate => ({
  ...budgetScope(b),
  state: 'exceeded',
  hard_cutoff: true,
  cutoff_action: b.cutoff_action,
  throttle_per_minute: b.throttle_per_minute,
  until: null,
})
