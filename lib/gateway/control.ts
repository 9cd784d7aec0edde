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
import { budgetVerdict, overThrottleLimit, type TBudgetGate, type TCallScope } from '@/lib/budgets/enforce'
import { budgetScope } from '@/lib/budgets/evaluate'
import { ledgerConfig, ledgerCovers, reserve, runCapFor, RUN_TTL_S, secondsToWindowEnd, spendLedgered, type TLedgerBudget } from '@/lib/budgets/ledger'
import { liveRouting } from '@/lib/routing/runtime'
import { brownoutModel, matchPolicy, versionFor, type TLiveVersion } from '@/lib/routing/select'
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
      settle?: (actualCostMicros: bigint | null) => Promise<void>
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
  const hit = books().get(orgId)
  if (!hit) {
    const book = await loadPriceBook(orgId)
    books().set(orgId, { book, at: Date.now() })
    return book
  }
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

const denyPlan = (message: string, budgetId: string, retryAfterS: number): TCallPlan => ({
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

async function plan(call: TGatewayCall, now: Date): Promise<TCallPlan> {
  const a = call.attribution
  const scope: TCallScope = {
    environment: a.environment ?? 'production',
    workflow_id: a.workflowId ?? UNLABELED,
    account_id: a.accountId,
    feature: a.feature,
    traffic_source: a.trafficSource ?? 'production',
  }
  const [verdict, routing, ledgers] = await Promise.all([budgetVerdict(call.orgId, scope, now), liveRouting(call.orgId), ledgerConfig(call.orgId)])

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
  let attempts: TPlannedAttempt[] = v
    ? policyAttempts(v, call.maxTokens)
    : [{ model: call.requestedModel, maxTokens: call.maxTokens, outcomeIfSucceeds: 'success' }]
  if (policy) headers['x-outlay-policy-id'] = policy.id
  if (policy && v) headers['x-outlay-policy-version'] = String(v.version)

  // 3. The budgets with a real-time ledger covering the call, and the run's cap.
  const covering = ledgers.budgets.filter((b) => ledgerCovers(b, scope))
  const spendBudgets = covering.filter(spendLedgered)
  const cap = a.runId ? runCapFor(covering, scope.workflow_id, ledgers.run_p95_micros) : null
  const cheapest = policy ? brownoutModel(policy) : null
  const brownout = v && cheapest && refKey(cheapest) !== refKey(v.chosen) ? cheapest : null
  const cascade = v?.cascade && v.cascade.confidence_from && v.cascade.confidence_from !== 'reported' ? v.cascade : null

  let settle: ((actual: bigint | null) => Promise<void>) | undefined
  let brownedOut = false
  if (spendBudgets.length || cap) {
    const book = await priceBook(call.orgId)
    const input = inputEstimate(call.headers)
    const provider = (m: TPlannedAttempt) => m.provider ?? PROTOCOL_PROVIDER[call.protocol]
    const cost = (m: TPlannedAttempt) => maxCostMicros(book, provider(m), m.model, input, m.maxTokens, now)
    // One call's maximum: the costliest model it may be sent to (a fallback or the brown-out model), plus one escalation.
    const candidates = [
      ...attempts,
      ...(brownout ? [{ model: brownout.model, provider: brownout.provider, maxTokens: attempts[0].maxTokens, outcomeIfSucceeds: 'success' as const }] : []),
    ]
    let amount = candidates.reduce((m, x) => {
      const c = cost(x)
      return c > m ? c : m
    }, 0n)
    if (cascade)
      amount += cascade.models.reduce((m, x) => {
        const c = cost({ model: x.model, provider: x.provider, maxTokens: attempts[0].maxTokens, outcomeIfSucceeds: 'escalation' })
        return c > m ? c : m
      }, 0n)
    let r
    try {
      r = await reserve(call.orgId, spendBudgets, a.runId && cap ? { runId: a.runId, capMicros: cap.micros } : null, amount, now)
    } catch (e) {
      // Redis away: enforcement fails open (as decide's gates), the call is still measured.
      log({ component: 'gateway', org_id: call.orgId }).warn({ err: e }, 'budget reservation skipped')
      r = null
    }
    if (r && !r.ok) {
      if (r.by === 'run') {
        return denyPlan(
          `Outlay run cap: run "${a.runId}" has spent ${usd(r.used)}, past its cap of ${usd(cap!.micros)} (budget "${cap!.budget.name}"); the run is stopped`,
          cap!.budget.id,
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
    if (r) {
      // A throttling budget whose ledger is used up: the throttle's allowance per minute, before an evaluation says exceeded.
      for (const [i, b] of spendBudgets.entries()) {
        const used = r.used[i]
        const amountB = BigInt(b.amount_micros)
        if (b.hard_cutoff && b.cutoff_action === 'throttle' && used >= amountB && (await overThrottleLimit(asGate(b), now))) {
          await r.release(0n)
          return denyPlan(
            `Outlay budget "${b.name}" is used up and throttles calls (its allowance for this minute is used); retry after ${Math.max(1, 60 - now.getUTCSeconds())} s`,
            b.id,
            Math.max(1, 60 - now.getUTCSeconds()),
          )
        }
        if (b.brownout_pct !== null && used * 100n >= amountB * BigInt(b.brownout_pct)) {
          brownedOut = true
          headers['x-outlay-brownout'] = b.id
        }
        if (!headers['x-outlay-budget-state'] && b.warn_pct !== null && used * 100n >= amountB * BigInt(b.warn_pct)) {
          headers['x-outlay-budget-state'] = used >= amountB ? 'exceeded' : 'warning'
          headers['x-outlay-budget-id'] = b.id
        }
      }
      settle = r.release
    }
  }

  // 4. Brown-out: the step falls to its cheapest model that cleared the bar, and does not escalate.
  if (brownedOut && v && brownout) attempts = policyAttempts(v, call.maxTokens, brownout)

  // 5. The response cache: never for a stream.
  const ttl = cacheTtlFor(call.stream, call.headers, v?.cache_ttl_s)
  if (ttl !== null) {
    const key = responseCacheKey(call.orgId, call.protocol, call.inputHash, attempts[0].model, attempts[0].maxTokens)
    const hit = await readCached(key)
    if (hit) {
      await settle?.(0n)
      return {
        kind: 'cached',
        body: hit.body,
        savingsMicros: hit.cost_micros === null ? null : BigInt(hit.cost_micros),
        headers: { ...headers, 'x-outlay-cache': 'hit' },
      }
    }
    stashCacheKey(call.orgId, call.inputHash, key, attempts[0].model)
    headers['x-outlay-cache'] = 'miss'
  }

  const out: TCallPlan = { kind: 'forward', attempts, headers, cacheTtlS: ttl, settle }
  if (cascade && !brownedOut) {
    out.cascade = {
      ladder: cascade.models.map((m) => ({ model: m.model, provider: m.provider, maxTokens: attempts[0].maxTokens, outcomeIfSucceeds: 'escalation' as const })),
      threshold: cascade.confidence_threshold,
      from: cascade.confidence_from!,
      field: cascade.confidence_field ?? null,
    }
  }
  return out
}

const asGate = (b: TLedgerBudget): TBudgetGate => ({
  ...budgetScope(b),
  state: 'exceeded',
  hard_cutoff: true,
  cutoff_action: b.cutoff_action,
  throttle_per_minute: b.throttle_per_minute,
  until: null,
})
