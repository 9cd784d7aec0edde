// Deterministic demo inference events for the product demo and seed data.
//
// Pure and dependency-free: one seeded PRNG stream, no Math.random, no clock
// other than `opts.now`. The same (seed, now, days, runsPerDay) always gives
// the same events with the same ids, so re-seeding is idempotent at ingest.
//
// The data carries the stories the demo tells (each is something a dashboard
// should surface from the data alone):
// - growth ~2.5x over 90 days, weekends ~40% of weekdays, business-hour peaks;
// - support-agent's generate prompt grows from ~2,500 to ~6,000 input tokens
//   over the quarter (prompt versions v12 → v15, the event field prompt_version);
//   v16 ships 20 hours before `now` and its prompt cache hit rate falls (from
//   about half the input to a tenth: the cache_hit_rate_drop alert);
// - lead-qualifier/classify escalates low-confidence answers to claude-opus-4-1
//   until 5 days before `now`, then (a routing policy published then, by
//   lib/demo/seed.ts) to claude-sonnet-4-5: the quarterly review measures it;
// - acme-corp's sync service (user svc-acme-sync) carries 30% of the account's
//   runs for the last 7 days: far above its median user (the end-user flag);
// - globex moves to a new integration (`zendesk-v2`) 30 days ago that calls
//   retrieval twice per run;
// - woodgrove-bank's own client restarts a quarter of its support-agent runs
//   from the top for the last 30 days (steps that had succeeded run again:
//   the re-runs of the retries opportunity);
// - email-drafter migrates its draft step from gpt-4o to gpt-4.1 mid-quarter,
//   and its client times out slow drafts and re-runs calls that had succeeded;
// - lead-qualifier's score step has a long stable rubric but no cache hits;
// - doc-summarizer's summarize step has no output cap and a long output tail;
//   classify steps ask for caps far above what they use;
// - repeated classify inputs (input_hash) a response cache would serve (support-agent/classify: the same
//   output_hash for the same input, deterministic);
// - a ~90-minute OpenAI degradation 41 days ago (fallbacks to Anthropic);
// - an hour of Anthropic overload on the last weekday at least 2 days ago,
//   15:00–16:00 UTC: calls hang until the 30 s timeout and fall back to
//   OpenAI, so latency p95 spikes with the fallback rate (the workflow page's
//   "latency beside fallbacks" story, inside its 7-day hourly view);
// - email-drafter's nightly eval drafts on gpt-4o-mini from short fixture
//   emails while production drafts on gpt-4.1: its eval cost per call is a
//   fifth of production's (the quarterly audit flags it);
// - internal traffic: nightly evals on weekdays (staging), replays every two
//   weeks, ops canaries every 3 hours and one large backfill on a Tuesday;
// - accounts that onboard (relecloud, fourth-coffee) and one that churns
//   (tailspin-toys).
import { DAY_MS, HOUR_MS, type TCallType, type TEnvironment, type TOutcome, type TTrafficSource } from '@/lib/domain'

export type TDemoEvent = {
  id: string
  timestamp: string
  environment: TEnvironment
  traffic_source: TTrafficSource
  workflow_id: string
  run_id: string
  step: string
  call_type: TCallType
  feature?: string
  account_id?: string
  user_id?: string
  provider: string
  model: string
  tokens_in: number
  cached_tokens_in?: number
  cache_write_tokens?: number
  tokens_out: number
  outcome: TOutcome
  attempt: number
  latency_ms: number
  input_hash?: string
  output_hash?: string
  max_tokens?: number
  scenario_id?: string
  owner?: string
  prompt_version?: string
  metadata?: Record<string, string>
}

export type TDemoOptions = {
  now: Date
  days: number
  seed?: number
  /** production runs per day on day 0 of the window (weekday, before growth) */
  runsPerDay?: number
}

/** Chosen so that 90 days give ~150k events (≈4 events per run). */
export const DEFAULT_RUNS_PER_DAY = 280
export const DEFAULT_SEED = 42

/** support-agent/generate's prompt v16 ships this many hours before `now`: its cache hit rate falls (the cache_hit_rate_drop alert, the prompt-version view). */
export const PROMPT_V16_HOURS_AGO = 20
/** lead-qualifier/classify's cascade escalated to claude-opus-4-1 until a routing policy published this many days before `now` (lib/demo/seed.ts) moved it to claude-sonnet-4-5: the quarterly review's measured saving. */
export const LEAD_CASCADE_DAYS_AGO = 5

/** A runaway integration: for its last `days` days, a `share` of the account's production runs carry one service user (flagged far above the account's median user). */
export const RUNAWAY_USER = { account: 'acme-corp', user: 'svc-acme-sync', days: 7, share: 0.3 } as const

/** Growth factor per day: 2.5x over a 90-day window. */
const DAILY_GROWTH = Math.pow(2.5, 1 / 89)
const WEEKEND_FACTOR = 0.4

// ---------------------------------------------------------------- PRNG

/** mulberry32: small, fast, good enough for synthetic data. */
export class Rng {
  private state: number

  constructor(seed: number) {
    // splitmix-style scramble so that nearby seeds give unrelated streams
    let s = (seed ^ 0x9e3779b9) >>> 0
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0
    this.state = (s ^ (s >>> 16)) >>> 0
  }

  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** [0, 1) */
  next(): number {
    return this.uint32() / 4294967296
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next()
  }

  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return at(items, Math.floor(this.next() * items.length))
  }

  normal(): number {
    const u = 1 - this.next() // (0, 1]
    const v = this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal())
  }

  /** index drawn from cumulative weights (last element = total) */
  weighted(cumulative: readonly number[]): number {
    const total = at(cumulative, cumulative.length - 1)
    const x = this.next() * total
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (at(cumulative, mid) > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  hex(bytes: number): string {
    let out = ''
    while (out.length < bytes * 2) out += this.uint32().toString(16).padStart(8, '0')
    return out.slice(0, bytes * 2)
  }
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index]
  if (item === undefined) throw new RangeError(`index ${index} out of range (${items.length})`)
  return item
}

/** FNV-1a, four lanes → 32 hex chars: a stable stand-in for a content hash. */
function stableHash(text: string): string {
  let out = ''
  for (const basis of [0x811c9dc5, 0x01000193, 0x2545f491, 0x9e3779b9]) {
    let h = basis >>> 0
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
    out += h.toString(16).padStart(8, '0')
  }
  return out
}

function hashForModel(inputHash: string, model: string): string {
  return `sha256:${stableHash(`${inputHash}|${model}`)}`
}

function cumulate(weights: readonly number[]): number[] {
  const out: number[] = []
  let sum = 0
  for (const w of weights) {
    sum += w
    out.push(sum)
  }
  return out
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x))
}

function clampInt(x: number, lo: number, hi: number): number {
  return Math.round(clamp(x, lo, hi))
}

// ---------------------------------------------------------------- models

type TModelId = 'gpt-4o' | 'gpt-4o-mini' | 'gpt-4.1' | 'gpt-4.1-mini' | 'text-embedding-3-small' | 'claude-sonnet-4-5' | 'claude-haiku-4-5' | 'claude-opus-4-1'

type TProvider = 'openai' | 'anthropic'

type TModelProfile = {
  provider: TProvider
  /** time to first token / request overhead */
  baseMs: number
  /** per uncached input token */
  inMs: number
  /** per output token (inverse throughput) */
  outMs: number
}

const MODELS: Record<TModelId, TModelProfile> = {
  'gpt-4o': { provider: 'openai', baseMs: 420, inMs: 0.02, outMs: 13 },
  'gpt-4o-mini': { provider: 'openai', baseMs: 300, inMs: 0.008, outMs: 7 },
  'gpt-4.1': { provider: 'openai', baseMs: 480, inMs: 0.015, outMs: 12 },
  'gpt-4.1-mini': { provider: 'openai', baseMs: 320, inMs: 0.007, outMs: 7 },
  'text-embedding-3-small': { provider: 'openai', baseMs: 70, inMs: 0.006, outMs: 0 },
  'claude-sonnet-4-5': { provider: 'anthropic', baseMs: 650, inMs: 0.02, outMs: 15 },
  'claude-haiku-4-5': { provider: 'anthropic', baseMs: 380, inMs: 0.008, outMs: 6 },
  'claude-opus-4-1': { provider: 'anthropic', baseMs: 1300, inMs: 0.03, outMs: 30 },
}

/** Cross-provider fallbacks. Embeddings have none: vector spaces differ. */
const FALLBACK: Partial<Record<TModelId, TModelId>> = {
  'gpt-4o': 'claude-sonnet-4-5',
  'gpt-4o-mini': 'claude-haiku-4-5',
  'gpt-4.1': 'claude-sonnet-4-5',
  'gpt-4.1-mini': 'claude-haiku-4-5',
  'claude-sonnet-4-5': 'gpt-4o',
  'claude-haiku-4-5': 'gpt-4o-mini',
  'claude-opus-4-1': 'gpt-4.1',
}

// ---------------------------------------------------------------- accounts

type TWorkflowId = 'support-agent' | 'email-drafter' | 'doc-summarizer' | 'lead-qualifier' | 'transcript-cleaner'

const WORKFLOWS: readonly TWorkflowId[] = ['support-agent', 'email-drafter', 'doc-summarizer', 'lead-qualifier', 'transcript-cleaner']
const WORKFLOW_SHARE: readonly number[] = [0.38, 0.24, 0.12, 0.12, 0.14]

const OWNER: Record<TWorkflowId, string> = {
  'support-agent': 'support-ai',
  'email-drafter': 'messaging',
  'doc-summarizer': 'knowledge',
  'lead-qualifier': 'growth',
  'transcript-cleaner': 'knowledge',
}

/** Ordered by size: the Zipf rank is the position. */
const ACCOUNT_NAMES: readonly string[] = [
  'acme-corp',
  'globex',
  'initech',
  'umbrella-health',
  'stark-logistics',
  'wayne-retail',
  'hooli',
  'contoso',
  'northwind-traders',
  'fabrikam',
  'cyberdyne-systems',
  'soylent-foods',
  'wonka-confections',
  'vandelay-industries',
  'massive-dynamic',
  'tyrell-biotech',
  'pied-piper',
  'relecloud',
  'woodgrove-bank',
  'adventure-works',
  'tailspin-toys',
  'litware',
  'proseware',
  'wingtip-toys',
  'fourth-coffee',
  'lamna-healthcare',
  'alpine-ski-house',
  'coho-winery',
  'trey-research',
  'margies-travel',
  'humongous-insurance',
  'blue-yonder-airlines',
  'city-power-light',
  'wide-world-importers',
  'southridge-video',
  'consolidated-messenger',
  'bluth-company',
  'dunder-mifflin',
  'sterling-cooper',
  'prestige-worldwide',
]

/** Lifecycle, in days before `now`: onboarding ramps over 10 days; churn stops traffic. */
const ONBOARD_DAYS_AGO: Readonly<Record<string, number>> = { relecloud: 50, 'fourth-coffee': 25 }
const CHURN_DAYS_AGO: Readonly<Record<string, number>> = { 'tailspin-toys': 20 }

/**
 * A customer integration that restarts runs from the top: for its last `days` days, when woodgrove-bank's own client
 * times out waiting for a support-agent run (a `share` of them), it starts the run again from its first step under the
 * same run_id — every step that had succeeded runs again (the re-runs of the retries opportunity). No random draw:
 * the rest of the demo is the same with or without it.
 */
export const RESTART_FROM_TOP = { account: 'woodgrove-bank', workflow: 'support-agent', days: 30, share: 0.25 } as const

const DOUBLE_RETRIEVAL_ACCOUNT = 'globex'
const DOUBLE_RETRIEVAL_DAYS = 30

type TAccount = {
  id: string
  weight: number
  users: number
  tier: 'enterprise' | 'growth' | 'starter'
  /** support-agent generate provider preference (data residency, contracts) */
  llm: TProvider
  integration: string
  workflowCumulative: number[]
}

const DEV_USERS: readonly string[] = ['dev-maria', 'dev-kenji', 'dev-priya', 'dev-tomas']
const INTEGRATIONS: readonly string[] = ['zendesk', 'intercom', 'freshdesk', 'api']

function buildAccounts(rng: Rng): TAccount[] {
  const zipf = ACCOUNT_NAMES.map((_, i) => 1 / Math.pow(i + 1, 1.05))
  const total = zipf.reduce((a, b) => a + b, 0)
  return ACCOUNT_NAMES.map((id, i) => {
    const weight = at(zipf, i)
    const affinity = WORKFLOW_SHARE.map((share, w) => {
      // every account uses the support agent; smaller ones skip some workflows
      if (w > 0 && i > 4 && rng.chance(0.25)) return 0
      return share * rng.range(0.6, 1.4)
    })
    const llm: TProvider = id === 'acme-corp' || id === 'globex' ? 'anthropic' : rng.chance(0.25) ? 'openai' : 'anthropic'
    return {
      id,
      weight,
      users: Math.round(8 + 1500 * (weight / total)),
      tier: i < 8 ? 'enterprise' : i < 22 ? 'growth' : 'starter',
      llm,
      integration: id === 'globex' ? 'zendesk' : rng.pick(INTEGRATIONS),
      workflowCumulative: cumulate(affinity),
    }
  })
}

function accountActivity(accountId: string, daysAgo: number): number {
  const churn = CHURN_DAYS_AGO[accountId]
  if (churn !== undefined && daysAgo < churn) return 0
  const onboard = ONBOARD_DAYS_AGO[accountId]
  if (onboard !== undefined) {
    if (daysAgo > onboard) return 0
    return clamp((onboard - daysAgo + 1) / 10, 0.1, 1)
  }
  return 1
}

// ---------------------------------------------------------------- time of day

/** UTC hour weights: Europe's morning, then US business hours. */
const HOUR_WEIGHTS_WEEKDAY: readonly number[] = [
  0.25, 0.2, 0.18, 0.18, 0.2, 0.3, 0.5, 0.8, 1.2, 1.5, 1.7, 1.8, 1.9, 2.2, 2.5, 2.6, 2.5, 2.3, 2.0, 1.6, 1.2, 0.9, 0.6, 0.4,
]
const HOUR_MEAN = HOUR_WEIGHTS_WEEKDAY.reduce((a, b) => a + b, 0) / 24
const HOUR_WEIGHTS_WEEKEND = HOUR_WEIGHTS_WEEKDAY.map((w) => 0.5 * w + 0.5 * HOUR_MEAN)
const HOUR_CUM_WEEKDAY = cumulate(HOUR_WEIGHTS_WEEKDAY)
const HOUR_CUM_WEEKEND = cumulate(HOUR_WEIGHTS_WEEKEND)

// ---------------------------------------------------------------- generator state

type THashEntry = { hash: string; tokensIn: number }

type TDay = {
  dayStart: number
  dayEnd: number
  /** 0 = today */
  daysAgo: number
  /** quarter progress, 0 at 89+ days ago, 1 today */
  progress: number
  ymd: string
  weekend: boolean
}

type TRun = {
  day: TDay
  prefix: string
  runId: string
  environment: TEnvironment
  source: TTrafficSource
  workflow: TWorkflowId
  account?: TAccount
  userId?: string
  feature: string
  metadata: Record<string, string>
  /** time cursor in ms */
  t: number
  callSeq: number
  events: TDemoEvent[]
}

type TCallSpec = {
  step: string
  callType: TCallType
  model: TModelId
  tokensIn: number
  tokensOut: number
  maxTokens?: number
  /** share of input read from the prompt cache; undefined: no cache fields */
  cacheShare?: readonly [number, number]
  /** report cached_tokens_in: 0 (a cacheable prompt that never hits) */
  reportNoCache?: boolean
  inputHash?: string
  /** the same input gives the same output (output_hash derived from input_hash): a response cache is safe */
  deterministic?: boolean
  escalateTo?: TModelId
  scenarioId?: string
  promptVersion?: string
  metadata?: Record<string, string>
}

class DemoGenerator {
  readonly rng: Rng
  readonly accounts: TAccount[]
  private readonly hashPools = new Map<string, THashEntry[]>()
  /** provider degradation windows (ms) inside the generated days, and how a failing call fails */
  incidents: { provider: TProvider; start: number; end: number; pFallback: number; errors: readonly ('server_error' | 'timeout')[] }[] = []
  /** when support-agent's generate prompt v16 ships (ms): it moves the ticket context before the static instructions, and the prompt cache stops hitting */
  promptV16At = Infinity
  /** when lead-qualifier/classify's cascade moves from claude-opus-4-1 to claude-sonnet-4-5 (ms; same draws either way: both Anthropic) */
  leadCascadeAt = Infinity

  constructor(seed: number) {
    this.rng = new Rng(seed)
    this.accounts = buildAccounts(this.rng)
  }

  /** Reuse a recent input (a repeat a response cache would serve) with probability `repeatRate`. */
  inputFor(pool: string, repeatRate: number, tokens: () => number): THashEntry {
    let entries = this.hashPools.get(pool)
    if (entries === undefined) {
      entries = []
      this.hashPools.set(pool, entries)
    }
    if (entries.length > 0 && this.rng.chance(repeatRate)) {
      const recent = Math.min(entries.length, 400)
      return at(entries, entries.length - 1 - Math.floor(this.rng.next() * recent))
    }
    const entry = { hash: `sha256:${this.rng.hex(16)}`, tokensIn: tokens() }
    entries.push(entry)
    if (entries.length > 2000) entries.splice(0, 1000)
    return entry
  }

  // ------------------------------------------------------------ calls

  private latency(model: TModelId, tokensIn: number, cached: number, tokensOut: number): number {
    const p = MODELS[model]
    const uncached = Math.max(0, tokensIn - cached)
    let ms = (p.baseMs + p.inMs * uncached + p.inMs * 0.25 * cached + p.outMs * tokensOut) * this.rng.logNormal(1, 0.22)
    if (this.rng.chance(0.015)) ms += this.rng.range(1500, 9000) // provider-side queueing tail
    return Math.max(15, Math.round(ms))
  }

  private cacheSplit(model: TModelId, tokensIn: number, share: readonly [number, number]): { cached: number; write?: number } {
    const provider = MODELS[model].provider
    const rng = this.rng
    if (provider === 'openai') {
      // automatic caching: prompts ≥ 1024 tokens, in 128-token increments, no write charge
      if (tokensIn < 1024 || rng.chance(0.12)) return { cached: 0 }
      return { cached: Math.floor((tokensIn * rng.range(share[0], share[1])) / 128) * 128 }
    }
    // Anthropic: a miss writes the cached prefix; hits read it and sometimes extend it
    if (rng.chance(0.1)) return { cached: 0, write: Math.round(tokensIn * rng.range(share[0], share[1])) }
    const cached = Math.round(tokensIn * rng.range(share[0], share[1]))
    const write = rng.chance(0.25) ? Math.min(tokensIn - cached, Math.round(tokensIn * rng.range(0.03, 0.12))) : 0
    return { cached, write }
  }

  private emit(
    run: TRun,
    spec: TCallSpec,
    callSeq: number,
    model: TModelId,
    outcome: TOutcome,
    attempt: number,
    extraMeta?: Record<string, string>,
    errorKind?: 'rate_limited' | 'server_error' | 'timeout',
  ): TDemoEvent {
    const profile = MODELS[model]
    let tokensIn = spec.tokensIn
    let tokensOut = spec.tokensOut
    let cached: number | undefined
    let write: number | undefined
    let latency: number
    if (errorKind !== undefined) {
      // failed calls: throttles and 5xx bill nothing; a timeout bills the prompt
      tokensOut = 0
      if (errorKind === 'timeout') latency = 30_000 + this.rng.int(0, 400)
      else {
        tokensIn = 0
        latency = errorKind === 'rate_limited' ? this.rng.int(80, 400) : this.rng.int(400, 3000)
      }
    } else {
      if (spec.cacheShare !== undefined) {
        const split = this.cacheSplit(model, tokensIn, spec.cacheShare)
        cached = split.cached
        if (profile.provider === 'anthropic') write = split.write ?? 0
      } else if (spec.reportNoCache === true) {
        cached = 0
      }
      latency = this.latency(model, tokensIn, cached ?? 0, tokensOut)
    }

    const event: TDemoEvent = {
      id: `${run.prefix}-${callSeq}-${spec.step}-${attempt}`,
      timestamp: new Date(run.t).toISOString(),
      environment: run.environment,
      traffic_source: run.source,
      workflow_id: run.workflow,
      run_id: run.runId,
      step: spec.step,
      call_type: spec.callType,
      feature: run.feature,
      provider: profile.provider,
      model,
      tokens_in: tokensIn,
      tokens_out: tokensOut,
      outcome,
      attempt,
      latency_ms: latency,
      owner: OWNER[run.workflow],
    }
    if (run.account !== undefined) event.account_id = run.account.id
    if (run.userId !== undefined) event.user_id = run.userId
    if (cached !== undefined) event.cached_tokens_in = cached
    if (write !== undefined) event.cache_write_tokens = write
    if (spec.inputHash !== undefined) {
      // the hash covers the model too: a fallback call is a different input
      event.input_hash = model === spec.model ? spec.inputHash : hashForModel(spec.inputHash, model)
    }
    // no randomness drawn: the other events and figures stay as they were
    if (spec.deterministic && event.input_hash !== undefined && outcome !== 'error') event.output_hash = hashForModel(event.input_hash, 'output')
    if (spec.maxTokens !== undefined) event.max_tokens = spec.maxTokens
    if (spec.scenarioId !== undefined) event.scenario_id = spec.scenarioId
    if (spec.promptVersion !== undefined) event.prompt_version = spec.promptVersion
    const metadata: Record<string, string> = { ...run.metadata, ...spec.metadata, ...extraMeta }
    if (errorKind !== undefined) metadata.error = errorKind
    if (Object.keys(metadata).length > 0) event.metadata = metadata

    run.events.push(event)
    run.t += latency + this.rng.int(3, 40)
    return event
  }

  /**
   * One logical call with its retries, fallback, error and escalation.
   * Returns the successful event, or null when the call failed and the run stops.
   */
  call(run: TRun, spec: TCallSpec): TDemoEvent | null {
    const rng = this.rng
    const callSeq = ++run.callSeq
    const provider = MODELS[spec.model].provider
    const incident = this.incidents.find((i) => i.provider === provider && run.t >= i.start && run.t < i.end)
    const degraded = incident !== undefined
    const fallback = FALLBACK[spec.model]
    const pError = 0.005
    const pFallback = fallback === undefined ? 0 : incident ? incident.pFallback : 0.01
    const pRetry = spec.callType === 'embedding' ? (degraded ? 0.3 : 0.02) : 0.04

    const r = rng.next()
    if (r < pError) {
      this.emit(run, spec, callSeq, spec.model, 'error', 1, undefined, rng.pick(['rate_limited', 'server_error', 'timeout'] as const))
      return null
    }
    if (fallback !== undefined && r < pError + pFallback) {
      const kind = incident ? rng.pick(incident.errors) : rng.pick(['rate_limited', 'server_error', 'timeout'] as const)
      this.emit(run, spec, callSeq, spec.model, 'error', 1, undefined, kind)
      return this.emit(run, spec, callSeq, fallback, 'fallback', 2, { fallback_from: spec.model })
    }
    let attempt = 1
    while (attempt < 3 && rng.chance(pRetry)) {
      // the discarded call completed (and is billed); the caller repeated it
      const reason = spec.callType === 'embedding' ? 'client_timeout' : rng.pick(['invalid_json', 'schema_validation', 'empty_response'])
      this.emit(run, spec, callSeq, spec.model, 'retry', attempt, { retry_reason: reason })
      run.t += rng.int(200, 1500) // backoff
      attempt++
    }
    const ok = this.emit(run, spec, callSeq, spec.model, 'success', attempt)

    if (spec.escalateTo !== undefined && rng.chance(0.06)) {
      // low-confidence answer: the cascade asks the bigger model
      return this.emit(
        run,
        {
          ...spec,
          model: spec.escalateTo,
          tokensOut: Math.round(spec.tokensOut * rng.range(1, 2.5)),
          ...(spec.inputHash !== undefined ? { inputHash: hashForModel(spec.inputHash, spec.escalateTo) } : {}),
        },
        ++run.callSeq,
        spec.escalateTo,
        'escalation',
        1,
        { escalated_from: spec.model },
      )
    }
    return ok
  }

  // ------------------------------------------------------------ workflows

  runWorkflow(run: TRun): void {
    switch (run.workflow) {
      case 'support-agent':
        return this.supportAgent(run)
      case 'email-drafter':
        return this.emailDrafter(run)
      case 'doc-summarizer':
        return this.docSummarizer(run)
      case 'lead-qualifier':
        return this.leadQualifier(run)
      case 'transcript-cleaner':
        return this.transcriptCleaner(run)
    }
  }

  private supportAgent(run: TRun): void {
    const rng = this.rng
    const { progress, daysAgo } = run.day
    const isProd = run.source === 'production' && run.environment === 'production'
    const replay = run.source === 'replay'

    // retrieve: FAQ-like queries repeat; globex's new integration embeds every query twice
    const query = this.inputFor('support:retrieve', replay ? 0.6 : 0.12, () => clampInt(rng.logNormal(70, 0.6), 8, 600))
    const doubleRetrieval = isProd && run.account?.id === DOUBLE_RETRIEVAL_ACCOUNT && daysAgo < DOUBLE_RETRIEVAL_DAYS
    for (let k = 0; k < (doubleRetrieval ? 2 : 1); k++) {
      const ok = this.call(run, {
        step: 'retrieve',
        callType: 'embedding',
        model: 'text-embedding-3-small',
        tokensIn: query.tokensIn,
        tokensOut: 0,
        inputHash: query.hash,
      })
      if (ok === null) return
    }

    // rerank with a small LLM over ~20 passages
    if (
      this.call(run, {
        step: 'rerank',
        callType: 'rerank',
        model: 'gpt-4.1-mini',
        tokensIn: clampInt(rng.logNormal(3000, 0.2), 1200, 8000),
        tokensOut: clampInt(rng.logNormal(40, 0.3), 8, 200),
        maxTokens: 256,
      }) === null
    )
      return

    // classify: a cheap model with a routing trial in the last third of the quarter
    const trial = progress >= 0.65 && run.source !== 'eval'
    const haiku = trial && rng.chance(0.2)
    const classifyModel: TModelId = haiku ? 'claude-haiku-4-5' : 'gpt-4o-mini'
    const classifyInput = this.inputFor('support:classify', replay ? 0.7 : 0.08, () => clampInt(rng.logNormal(1150, 0.2), 500, 3000))
    if (
      this.call(run, {
        step: 'classify',
        callType: 'generation',
        model: classifyModel,
        tokensIn: classifyInput.tokensIn,
        tokensOut: rng.int(4, 30),
        maxTokens: 4096, // far above what classification uses
        cacheShare: [0.45, 0.8],
        inputHash: classifyInput.hash,
        deterministic: true,
        escalateTo: haiku ? 'claude-sonnet-4-5' : 'gpt-4o',
        ...(trial ? { scenarioId: haiku ? 'classify-haiku-trial' : 'classify-baseline' } : {}),
      }) === null
    )
      return

    // generate: the prompt grows over the quarter
    let generateModel: TModelId = run.account?.llm === 'openai' ? 'gpt-4o' : 'claude-sonnet-4-5'
    let scenarioId: string | undefined
    if (run.source === 'eval' && rng.chance(0.4)) {
      generateModel = 'claude-haiku-4-5'
      scenarioId = 'generate-haiku-candidate'
    } else if (run.source === 'eval' && run.account === undefined) {
      generateModel = rng.chance(0.25) ? 'gpt-4o' : 'claude-sonnet-4-5'
    }
    // v16 (the last hours): the same draws, a prompt whose static part no longer leads, so few cache reads
    const v16 = run.t >= this.promptV16At
    const promptVersion = v16 ? 'v16' : `v${12 + Math.min(3, Math.floor(progress * 4))}`
    const generated = this.call(run, {
      step: 'generate',
      callType: 'generation',
      model: generateModel,
      tokensIn: clampInt(rng.logNormal(2500 + 3500 * progress, 0.12), 1200, 12000),
      tokensOut: clampInt(rng.logNormal(420, 0.35), 60, 1024),
      maxTokens: 1024,
      cacheShare: v16 ? [0.04, 0.12] : [0.3, 0.75],
      promptVersion,
      metadata: { prompt_version: promptVersion },
      ...(scenarioId !== undefined ? { scenarioId } : {}),
    })
    if (generated === null) return

    // validate: policy guardrail over the answer
    this.call(run, {
      step: 'validate',
      callType: 'guardrail',
      model: 'claude-haiku-4-5',
      tokensIn: 450 + generated.tokens_out + rng.int(0, 120),
      tokensOut: rng.int(3, 20),
      maxTokens: 64,
    })
  }

  private emailDrafter(run: TRun): void {
    const rng = this.rng
    const { progress } = run.day
    const intent = this.inputFor('email:classify', 0.08, () => clampInt(rng.logNormal(1300, 0.25), 500, 4000))
    if (
      this.call(run, {
        step: 'classify',
        callType: 'generation',
        model: 'claude-haiku-4-5',
        tokensIn: intent.tokensIn,
        tokensOut: rng.int(3, 25),
        maxTokens: 50,
        cacheShare: [0.5, 0.8],
        inputHash: intent.hash,
        escalateTo: 'claude-sonnet-4-5',
      }) === null
    )
      return

    // draft: migrated from gpt-4o to gpt-4.1 between 45% and 55% of the quarter. The nightly eval
    // suite still drafts on gpt-4o-mini from short fixture emails: its cost per call says little about
    // production's (the quarterly audit flags it). Same random draws either way.
    const migrated = rng.next() < clamp((progress - 0.45) / 0.1, 0, 1)
    const fixture = run.source === 'eval'
    const draftIn = clampInt(rng.logNormal(2400, 0.25), 900, 8000)
    const draftSpec: TCallSpec = {
      step: 'draft',
      callType: 'generation',
      model: fixture ? 'gpt-4o-mini' : migrated ? 'gpt-4.1' : 'gpt-4o',
      tokensIn: fixture ? Math.round(draftIn * 0.35) : draftIn,
      tokensOut: clampInt(rng.logNormal(260, 0.35), 40, 800),
      maxTokens: 800,
      cacheShare: [0.35, 0.7],
    }
    let draft = this.call(run, draftSpec)
    if (draft === null) return
    if (draft.latency_ms > 8000 && draft.outcome === 'success') {
      // the client's 8 s timeout fires although the call succeeded: it is run again
      draft = this.emit(run, draftSpec, run.callSeq, draftSpec.model, 'success', draft.attempt + 1, { retry_reason: 'client_timeout' })
    }

    this.call(run, {
      step: 'tone-check',
      callType: 'guardrail',
      model: 'gpt-4o-mini',
      tokensIn: 500 + draft.tokens_out + rng.int(0, 80),
      tokensOut: rng.int(2, 12),
      maxTokens: 16,
    })
  }

  private docSummarizer(run: TRun): void {
    const rng = this.rng
    const docTokens = clampInt(rng.logNormal(9000, 0.7), 1500, 60000)
    if (
      this.call(run, {
        step: 'embed',
        callType: 'embedding',
        model: 'text-embedding-3-small',
        tokensIn: docTokens,
        tokensOut: 0,
      }) === null
    )
      return

    // summarize: no output cap, long output tail; enterprise contracts go to Opus
    const opus = run.account?.tier === 'enterprise' && rng.chance(0.12)
    const summary = this.call(run, {
      step: 'summarize',
      callType: 'generation',
      model: opus ? 'claude-opus-4-1' : 'gpt-4.1',
      tokensIn: docTokens + 900,
      tokensOut: clampInt(rng.logNormal(650, 0.6), 80, 6000),
      metadata: { doc_type: opus ? 'contract' : rng.pick(['report', 'meeting', 'policy', 'email-thread']) },
    })
    if (summary === null) return

    this.call(run, {
      step: 'extract-actions',
      callType: 'generation',
      model: 'gpt-4.1-mini',
      tokensIn: 1400 + summary.tokens_out,
      tokensOut: clampInt(rng.logNormal(160, 0.4), 20, 512),
      maxTokens: 512,
      cacheShare: [0.3, 0.55],
    })
  }

  private leadQualifier(run: TRun): void {
    const rng = this.rng
    if (
      this.call(run, {
        step: 'enrich',
        callType: 'tool',
        model: 'gpt-4.1-mini',
        tokensIn: clampInt(rng.logNormal(1500, 0.15), 800, 3000),
        tokensOut: clampInt(rng.logNormal(90, 0.3), 20, 400),
        maxTokens: 512,
        cacheShare: [0.5, 0.75],
      }) === null
    )
      return

    // score: a long, stable rubric placed after the lead data, so it never hits the cache
    if (
      this.call(run, {
        step: 'score',
        callType: 'generation',
        model: 'gpt-4.1',
        tokensIn: 4200 + clampInt(rng.logNormal(800, 0.4), 200, 4000),
        tokensOut: clampInt(rng.logNormal(180, 0.3), 40, 1024),
        maxTokens: 1024,
        reportNoCache: true,
      }) === null
    )
      return

    const lead = this.inputFor('lead:classify', 0.08, () => clampInt(rng.logNormal(900, 0.2), 400, 2500))
    this.call(run, {
      step: 'classify',
      callType: 'generation',
      model: 'claude-haiku-4-5',
      tokensIn: lead.tokensIn,
      tokensOut: rng.int(2, 10),
      maxTokens: 20,
      cacheShare: [0.4, 0.7],
      inputHash: lead.hash,
      escalateTo: run.t >= this.leadCascadeAt ? 'claude-sonnet-4-5' : 'claude-opus-4-1',
    })
  }

  private transcriptCleaner(run: TRun): void {
    const rng = this.rng
    const transcript = clampInt(rng.logNormal(7000, 0.6), 800, 48000)
    const chunks = Math.ceil(transcript / 6000)
    for (let c = 0; c < chunks; c++) {
      const chunkTokens = Math.round(transcript / chunks)
      if (
        this.call(run, {
          step: 'clean',
          callType: 'generation',
          model: 'gpt-4o-mini',
          tokensIn: chunkTokens + 600,
          tokensOut: Math.round(chunkTokens * rng.range(0.8, 0.95)),
          maxTokens: 16384,
        }) === null
      )
        return
    }
    this.call(run, {
      step: 'title',
      callType: 'generation',
      model: 'claude-haiku-4-5',
      tokensIn: clampInt(rng.logNormal(1600, 0.2), 700, 4000),
      tokensOut: rng.int(8, 24),
      maxTokens: 32,
      cacheShare: [0.3, 0.5],
    })
  }
}

// ---------------------------------------------------------------- days

const FEATURE: Record<TWorkflowId, string> = {
  'support-agent': 'inbox-assist',
  'email-drafter': 'auto-reply',
  'doc-summarizer': 'meeting-notes',
  'lead-qualifier': 'lead-scoring',
  'transcript-cleaner': 'meeting-notes',
}

function featureFor(rng: Rng, workflow: TWorkflowId): string {
  // the auto-reply feature also answers tickets through the support agent
  if (workflow === 'support-agent' && rng.chance(0.15)) return 'auto-reply'
  return FEATURE[workflow]
}

function ymdOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '')
}

function validate(opts: TDemoOptions): void {
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) throw new TypeError('now must be a valid Date')
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new RangeError('days must be an integer ≥ 1')
  if (opts.seed !== undefined && !Number.isFinite(opts.seed)) throw new RangeError('seed must be a finite number')
  if (opts.runsPerDay !== undefined && !(Number.isFinite(opts.runsPerDay) && opts.runsPerDay >= 0)) {
    throw new RangeError('runsPerDay must be a number ≥ 0')
  }
}

/**
 * Yields one array of events per simulated UTC day, oldest first. The last day
 * is the day of `now` and holds only events up to `now`. Events inside a day
 * are sorted by timestamp.
 */
export function* generateDemoEvents(opts: TDemoOptions): Generator<TDemoEvent[]> {
  validate(opts)
  const nowMs = opts.now.getTime()
  const days = opts.days
  const baseRuns = opts.runsPerDay ?? DEFAULT_RUNS_PER_DAY
  const gen = new DemoGenerator(Math.trunc(opts.seed ?? DEFAULT_SEED))
  const rng = gen.rng
  gen.promptV16At = nowMs - PROMPT_V16_HOURS_AGO * HOUR_MS
  gen.leadCascadeAt = nowMs - LEAD_CASCADE_DAYS_AGO * DAY_MS
  const todayStart = Math.floor(nowMs / DAY_MS) * DAY_MS
  const windowStart = todayStart - (days - 1) * DAY_MS

  // the OpenAI degradation: 41 days ago, 14:00–15:30 UTC
  const incidentDay = todayStart - 41 * DAY_MS
  if (incidentDay >= windowStart)
    gen.incidents.push({
      provider: 'openai',
      start: incidentDay + 14 * HOUR_MS,
      end: incidentDay + 15.5 * HOUR_MS,
      pFallback: 0.45,
      errors: ['server_error', 'timeout'],
    })
  // the Anthropic overload: the last weekday at least 2 days ago (a weekday's busy hour has the calls to show it), 15:00–16:00 UTC
  let overloadDay = todayStart - 2 * DAY_MS
  while (new Date(overloadDay).getUTCDay() % 6 === 0) overloadDay -= DAY_MS
  if (overloadDay >= windowStart)
    gen.incidents.push({ provider: 'anthropic', start: overloadDay + 15 * HOUR_MS, end: overloadDay + 16 * HOUR_MS, pFallback: 0.6, errors: ['timeout'] })

  // the backfill: the Tuesday between 20 and 26 days ago
  let backfillDay = -1
  for (let ago = 20; ago <= 26; ago++) {
    const ms = todayStart - ago * DAY_MS
    if (new Date(ms).getUTCDay() === 2) backfillDay = ms
  }

  for (let d = 0; d < days; d++) {
    const dayStart = windowStart + d * DAY_MS
    const daysAgo = days - 1 - d
    const dow = new Date(dayStart).getUTCDay()
    const day: TDay = {
      dayStart,
      dayEnd: dayStart + DAY_MS,
      daysAgo,
      progress: clamp(1 - daysAgo / 89, 0, 1),
      ymd: ymdOf(dayStart),
      weekend: dow === 0 || dow === 6,
    }
    const events: TDemoEvent[] = []
    let runSeq = 0

    const newRun = (
      workflow: TWorkflowId,
      t: number,
      environment: TEnvironment,
      source: TTrafficSource,
      account: TAccount | undefined,
      userId: string | undefined,
      metadata: Record<string, string>,
    ): TRun => {
      runSeq++
      const n = String(runSeq).padStart(5, '0')
      return {
        day,
        prefix: `demo-${day.ymd}-${n}`,
        runId: `demo-run-${day.ymd}-${n}`,
        environment,
        source,
        workflow,
        feature: featureFor(rng, workflow),
        metadata,
        t,
        callSeq: 0,
        events,
        ...(account !== undefined ? { account } : {}),
        ...(userId !== undefined ? { userId } : {}),
      }
    }

    // ---- customer traffic
    const accountWeights = gen.accounts.map((a) => a.weight * accountActivity(a.id, daysAgo))
    const accountCum = cumulate(accountWeights)
    const hourCum = day.weekend ? HOUR_CUM_WEEKEND : HOUR_CUM_WEEKDAY
    const expected = baseRuns * Math.pow(DAILY_GROWTH, d) * (day.weekend ? WEEKEND_FACTOR : 1) * rng.logNormal(1, 0.06)
    const runs = Math.round(expected)
    for (let i = 0; i < runs; i++) {
      const hour = rng.weighted(hourCum)
      // runs last under a minute or two: keep the last hour's starts clear of midnight
      const t = dayStart + hour * HOUR_MS + Math.floor(rng.next() * (hour === 23 ? 55 * 60_000 : HOUR_MS))
      const envDraw = rng.next()
      if (envDraw < 0.02) {
        // an engineer exercising a workflow from a development build
        const workflow = rng.pick(WORKFLOWS)
        gen.runWorkflow(
          newRun(workflow, t, 'development', 'production', undefined, rng.pick(DEV_USERS), { branch: rng.pick(['main', 'feat/routing', 'fix/prompt-cache']) }),
        )
        continue
      }
      if (envDraw < 0.06) {
        // QA in staging with the internal tenant
        const workflow = at(WORKFLOWS, rng.weighted(cumulate(WORKFLOW_SHARE)))
        gen.runWorkflow(newRun(workflow, t, 'staging', 'production', undefined, `qa-${rng.int(1, 6)}`, { tenant: 'internal-qa' }))
        continue
      }
      const account = at(gen.accounts, rng.weighted(accountCum))
      const workflow = at(WORKFLOWS, rng.weighted(account.workflowCumulative))
      const user = Math.floor(Math.pow(rng.next(), 1.8) * account.users) + 1
      const metadata: Record<string, string> = { plan: account.tier }
      if (workflow === 'support-agent') {
        metadata.integration = account.id === DOUBLE_RETRIEVAL_ACCOUNT && daysAgo < DOUBLE_RETRIEVAL_DAYS ? 'zendesk-v2' : account.integration
      }
      // acme-corp's sync service loops over its backlog under one service user: far above the account's median user
      const runaway = account.id === RUNAWAY_USER.account && daysAgo < RUNAWAY_USER.days && unitHash(`${day.ymd}-${runSeq + 1}`) < RUNAWAY_USER.share
      const userId = runaway ? RUNAWAY_USER.user : `u-${account.id}-${String(user).padStart(4, '0')}`
      gen.runWorkflow(newRun(workflow, t, 'production', 'production', account, userId, metadata))
    }

    // ---- nightly evals on weekdays (~5% of volume), in staging
    if (!day.weekend) {
      const suite = Math.round(baseRuns * 0.072 * (1 + 0.6 * day.progress))
      const evalStart = dayStart + 1 * HOUR_MS
      for (let i = 0; i < suite; i++) {
        const workflow: TWorkflowId = i % 5 < 3 ? 'support-agent' : 'email-drafter'
        const t = evalStart + Math.floor((i / Math.max(1, suite)) * 90 * 60_000) + rng.int(0, 20_000)
        gen.runWorkflow(
          newRun(workflow, t, 'staging', 'eval', undefined, undefined, {
            eval_suite: workflow === 'support-agent' ? 'support-nightly' : 'email-nightly',
            eval_run: `nightly-${day.ymd}`,
            eval_case: String(i + 1).padStart(3, '0'),
          }),
        )
      }
    }

    // ---- replay of recent production tickets against staging, every two weeks
    if (daysAgo % 14 === 3) {
      const count = Math.round(baseRuns * 0.3)
      for (let i = 0; i < count; i++) {
        const t = dayStart + 10 * HOUR_MS + rng.int(0, 3 * HOUR_MS)
        gen.runWorkflow(newRun('support-agent', t, 'staging', 'replay', undefined, undefined, { replay_batch: `replay-${day.ymd}` }))
      }
    }

    // ---- ops: a synthetic canary through the support agent every 3 hours
    for (let h = 0; h < 24; h += 3) {
      const t = dayStart + h * HOUR_MS + 5 * 60_000 + rng.int(0, 30_000)
      gen.runWorkflow(newRun('support-agent', t, 'production', 'ops', undefined, undefined, { synthetic: 'canary' }))
    }

    // ---- ops: fabrikam's document archive backfill, one Tuesday
    if (dayStart === backfillDay) {
      const fabrikam = gen.accounts.find((a) => a.id === 'fabrikam')
      const count = Math.round(baseRuns * 1.8)
      for (let i = 0; i < count; i++) {
        const t = dayStart + 2 * HOUR_MS + Math.floor((i / count) * 5 * HOUR_MS) + rng.int(0, 60_000)
        gen.runWorkflow(newRun('doc-summarizer', t, 'production', 'ops', fabrikam, undefined, { job: `backfill-${day.ymd}` }))
      }
    }

    if (daysAgo < RESTART_FROM_TOP.days) events.push(...restartsFromTheTop(events))
    const limit = Math.min(nowMs, day.dayEnd - 1)
    const kept = events.filter((e) => Date.parse(e.timestamp) <= limit)
    kept.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : 1))
    yield kept
  }
}

/** The restarted runs' second pass (RESTART_FROM_TOP): each call again, in order, 3 s after the run's last call, same run_id and inputs. */
function restartsFromTheTop(events: readonly TDemoEvent[]): TDemoEvent[] {
  const runs = new Map<string, TDemoEvent[]>()
  for (const e of events) {
    if (e.account_id !== RESTART_FROM_TOP.account || e.workflow_id !== RESTART_FROM_TOP.workflow) continue
    if (e.environment !== 'production' || e.traffic_source !== 'production') continue
    if (unitHash(`${e.run_id}:restart`) >= RESTART_FROM_TOP.share) continue
    const list = runs.get(e.run_id)
    if (list) list.push(e)
    else runs.set(e.run_id, [e])
  }
  const out: TDemoEvent[] = []
  for (const list of runs.values()) {
    const first = Math.min(...list.map((e) => Date.parse(e.timestamp)))
    const shift = Math.max(...list.map((e) => Date.parse(e.timestamp))) - first + 3000
    for (const e of list)
      out.push({
        ...e,
        id: `${e.id}-restart`,
        timestamp: new Date(Date.parse(e.timestamp) + shift).toISOString(),
        metadata: { ...e.metadata, retry_reason: 'run_restarted' },
      })
  }
  return out
}

// ---------------------------------------------------------------- outcomes

export type TDemoRunOutcome = {
  id: string
  timestamp: string
  workflow_id: string
  run_id: string
  account_id?: string
  feature?: string
  accepted: boolean
  kind: string
}

/**
 * What the demo's customers report back: one outcome per production run of the
 * workflows that have a business result, accepted at each workflow's rate.
 * support-agent's acceptance slips in the last two weeks (a prompt change that
 * answers worse), so its cost per accepted outcome drifts up.
 */
export const DEMO_OUTCOME_RATES: Record<string, { kind: string; rate: number; lateRate?: number }> = {
  'support-agent': { kind: 'ticket_resolved', rate: 0.72, lateRate: 0.55 },
  'email-drafter': { kind: 'email_sent', rate: 0.64 },
  'lead-qualifier': { kind: 'lead_qualified', rate: 0.41 },
  'doc-summarizer': { kind: 'summary_kept', rate: 0.86 },
}

/** FNV-1a of a string, as a number in [0, 1): the same run always gets the same answer. */
function unitHash(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h / 4294967296
}

/** The outcomes of the production runs among `events` (each run reported once, at its last call). */
export function demoOutcomes(events: readonly TDemoEvent[], now: Date): TDemoRunOutcome[] {
  const last = new Map<string, TDemoEvent>()
  for (const e of events) {
    if (e.traffic_source !== 'production' || e.environment !== 'production' || !DEMO_OUTCOME_RATES[e.workflow_id]) continue
    const seen = last.get(e.run_id)
    if (!seen || e.timestamp > seen.timestamp) last.set(e.run_id, e)
  }
  const lateFrom = now.getTime() - 14 * DAY_MS
  return [...last.values()].map((e) => {
    const r = DEMO_OUTCOME_RATES[e.workflow_id]
    const rate = r.lateRate !== undefined && Date.parse(e.timestamp) >= lateFrom ? r.lateRate : r.rate
    return {
      id: `out-${e.run_id}`,
      timestamp: e.timestamp,
      workflow_id: e.workflow_id,
      run_id: e.run_id,
      ...(e.account_id ? { account_id: e.account_id } : {}),
      ...(e.feature ? { feature: e.feature } : {}),
      accepted: unitHash(e.run_id) < rate,
      kind: r.kind,
    }
  })
}
