// The synthetic organization `npm run bench:dashboard` loads: N events over D
// days for one organization with 200 customer accounts and 20 workflows.
//
// Pure and deterministic: every hour of the window has its own seeded PRNG, so
// an hour's events (ids included) depend only on (seed, options, hour index),
// not on what was generated before it. Shaped like real traffic:
// - business-hour peaks, weekends at ~45% of weekdays, ~1.6x growth over the window;
// - account sizes Zipf-skewed (the largest account ~30x the 20th), each account
//   using a subset of the customer-facing workflows;
// - 2 to 6 steps per workflow on several models (OpenAI, Anthropic, Google,
//   one self-hosted model without a price), prompt-cache reads and writes;
// - retries, errors, fallbacks to another provider, escalations;
// - production / staging / development environments and production / eval /
//   replay / ops traffic sources; a run id per run; accepted outcomes.
// Every event of a run stays inside the run's hour, so an hour's rollup rows
// are complete once the hour is generated.
import { DAY_MS, HOUR_MS, type TCallType, type TEnvironment, type TOutcome, type TTrafficSource } from '@/lib/domain'

export const DATASET_VERSION = 2

export type TBenchEvent = {
  id: string
  /** epoch ms */
  ts: number
  environment: TEnvironment
  traffic_source: TTrafficSource
  workflow_id: string
  run_id: string
  step: string
  call_type: TCallType
  feature: string | null
  owner: string
  account_id: string | null
  user_id: string | null
  provider: string
  model: string
  tokens_in: number
  cached_tokens_in: number
  cache_write_tokens: number
  tokens_out: number
  outcome: TOutcome
  attempt: number
  latency_ms: number
  max_tokens: number | null
  input_hash: string | null
  /** provider-reported cost as a factor of our cost (null: not reported); the loader multiplies */
  reported_factor: number | null
}

export type TBenchOutcome = {
  id: string
  ts: number
  workflow_id: string
  run_id: string
  account_id: string | null
  feature: string | null
  accepted: boolean
  kind: string
}
export type TBenchRun = { run_id: string; first_ts: number }
export type TBenchHour = { events: TBenchEvent[]; runs: TBenchRun[]; outcomes: TBenchOutcome[] }

export type TDatasetOptions = {
  /** target number of events (the result is within a few per cent) */
  events: number
  days: number
  /** exclusive end of the window, on an hour boundary (epoch ms) */
  end: number
  accounts?: number
  workflows?: number
  seed?: number
}

// ---------------------------------------------------------------- PRNG

/** mulberry32 */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  /** log-normal around a median */
  logn(median: number, sigma: number): number {
    const u = 1 - this.next()
    const v = this.next()
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v))
  }
  /** index drawn from cumulative weights */
  weighted(cum: readonly number[]): number {
    const x = this.next() * cum[cum.length - 1]
    let lo = 0
    let hi = cum.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cum[mid] > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]
  }
}

/** A 32-bit hash of integers: independent seeds per hour. */
export function mix(...xs: number[]): number {
  let h = 0x811c9dc5
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0
  }
  return (h ^ (h >>> 15)) >>> 0
}

const cumulate = (ws: readonly number[]) => {
  let s = 0
  return ws.map((w) => (s += w))
}
const clampInt = (x: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, x)))

// ---------------------------------------------------------------- models and steps

type TModel = { provider: string; model: string; baseMs: number; outMs: number; cache: 'auto' | 'explicit' | 'none' }
const M: Record<string, TModel> = {
  'gpt-4o': { provider: 'openai', model: 'gpt-4o', baseMs: 420, outMs: 13, cache: 'auto' },
  'gpt-4o-mini': { provider: 'openai', model: 'gpt-4o-mini', baseMs: 300, outMs: 7, cache: 'auto' },
  'gpt-4.1': { provider: 'openai', model: 'gpt-4.1', baseMs: 480, outMs: 12, cache: 'auto' },
  'gpt-4.1-mini': { provider: 'openai', model: 'gpt-4.1-mini', baseMs: 320, outMs: 7, cache: 'auto' },
  'gpt-4.1-nano': { provider: 'openai', model: 'gpt-4.1-nano', baseMs: 200, outMs: 4, cache: 'auto' },
  'text-embedding-3-small': { provider: 'openai', model: 'text-embedding-3-small', baseMs: 70, outMs: 0, cache: 'none' },
  'claude-sonnet-4-5': { provider: 'anthropic', model: 'claude-sonnet-4-5', baseMs: 650, outMs: 15, cache: 'explicit' },
  'claude-haiku-4-5': { provider: 'anthropic', model: 'claude-haiku-4-5', baseMs: 380, outMs: 6, cache: 'explicit' },
  'claude-opus-4-1': { provider: 'anthropic', model: 'claude-opus-4-1', baseMs: 1300, outMs: 30, cache: 'explicit' },
  'gemini-2.5-flash': { provider: 'google', model: 'gemini-2.5-flash', baseMs: 350, outMs: 5, cache: 'auto' },
  'gemini-2.5-pro': { provider: 'google', model: 'gemini-2.5-pro', baseMs: 900, outMs: 14, cache: 'auto' },
  // self-hosted, no catalog price: its events are unpriced
  'llama-3.1-70b-ft': { provider: 'internal', model: 'llama-3.1-70b-ft', baseMs: 500, outMs: 9, cache: 'none' },
}
const FALLBACK: Record<string, string> = {
  'gpt-4o': 'claude-sonnet-4-5',
  'gpt-4.1': 'claude-sonnet-4-5',
  'gpt-4o-mini': 'claude-haiku-4-5',
  'gpt-4.1-mini': 'claude-haiku-4-5',
  'gpt-4.1-nano': 'gemini-2.5-flash',
  'claude-sonnet-4-5': 'gpt-4.1',
  'claude-haiku-4-5': 'gpt-4.1-mini',
  'claude-opus-4-1': 'gpt-4.1',
  'gemini-2.5-flash': 'gpt-4.1-mini',
  'gemini-2.5-pro': 'claude-sonnet-4-5',
  'llama-3.1-70b-ft': 'gpt-4.1',
}

type TStepKind = 'embed' | 'retrieve' | 'rerank' | 'classify' | 'generate' | 'tool' | 'validate' | 'summarize'
type TStep = {
  name: string
  kind: TStepKind
  callType: TBenchEvent['call_type']
  models: string[]
  modelCum: number[]
  tokensIn: number
  tokensOut: number
  maxTokens: number | null
  cacheShare: number
  escalateTo?: string
}

const STEP_MODELS: Record<TStepKind, [string, number][]> = {
  embed: [['text-embedding-3-small', 1]],
  retrieve: [['text-embedding-3-small', 1]],
  rerank: [
    ['gpt-4.1-nano', 0.7],
    ['gemini-2.5-flash', 0.3],
  ],
  classify: [
    ['gpt-4o-mini', 0.45],
    ['claude-haiku-4-5', 0.35],
    ['gpt-4.1-nano', 0.2],
  ],
  generate: [
    ['claude-sonnet-4-5', 0.4],
    ['gpt-4.1', 0.3],
    ['gpt-4o', 0.15],
    ['gemini-2.5-pro', 0.1],
    ['llama-3.1-70b-ft', 0.05],
  ],
  tool: [
    ['gpt-4.1-mini', 0.6],
    ['claude-haiku-4-5', 0.4],
  ],
  validate: [
    ['gpt-4o-mini', 0.7],
    ['gemini-2.5-flash', 0.3],
  ],
  summarize: [
    ['gpt-4.1', 0.5],
    ['claude-sonnet-4-5', 0.35],
    ['claude-opus-4-1', 0.15],
  ],
}
const STEP_SHAPE: Record<TStepKind, { callType: TBenchEvent['call_type']; tokensIn: number; tokensOut: number; maxTokens: number | null; cacheShare: number }> =
  {
    embed: { callType: 'embedding', tokensIn: 2500, tokensOut: 0, maxTokens: null, cacheShare: 0 },
    retrieve: { callType: 'embedding', tokensIn: 300, tokensOut: 0, maxTokens: null, cacheShare: 0 },
    rerank: { callType: 'rerank', tokensIn: 4000, tokensOut: 40, maxTokens: 64, cacheShare: 0.3 },
    classify: { callType: 'generation', tokensIn: 900, tokensOut: 6, maxTokens: 20, cacheShare: 0.55 },
    generate: { callType: 'generation', tokensIn: 5000, tokensOut: 450, maxTokens: 2048, cacheShare: 0.6 },
    tool: { callType: 'tool', tokensIn: 1600, tokensOut: 120, maxTokens: 512, cacheShare: 0.5 },
    validate: { callType: 'guardrail', tokensIn: 700, tokensOut: 8, maxTokens: 16, cacheShare: 0.4 },
    summarize: { callType: 'generation', tokensIn: 9000, tokensOut: 650, maxTokens: null, cacheShare: 0.2 },
  }
const STEP_NAMES: Record<TStepKind, string> = {
  embed: 'embed',
  retrieve: 'retrieve',
  rerank: 'rerank',
  classify: 'classify',
  generate: 'generate',
  tool: 'call-tool',
  validate: 'validate',
  summarize: 'summarize',
}

const WORKFLOW_NAMES = [
  'support-agent',
  'email-drafter',
  'doc-summarizer',
  'lead-qualifier',
  'transcript-cleaner',
  'code-reviewer',
  'search-answers',
  'invoice-extractor',
  'contract-analyzer',
  'chat-assistant',
  'ticket-router',
  'kb-writer',
  'sales-coach',
  'meeting-notes',
  'translation',
  'moderation',
  'onboarding-guide',
  'churn-predictor',
  'report-builder',
  'data-cleaner',
  'sql-assistant',
  'voice-agent',
  'faq-bot',
  'pr-describer',
]
const FEATURES = [
  'inbox-assist',
  'auto-reply',
  'smart-search',
  'meeting-notes',
  'lead-scoring',
  'doc-insights',
  'copilot',
  'billing-automation',
  'translations',
  'trust-safety',
  'analytics',
]
const OWNERS = ['support-ai', 'messaging', 'knowledge', 'growth', 'platform', 'finance-eng', 'trust']
const OUTCOME_KINDS = ['ticket_resolved', 'email_sent', 'doc_accepted', 'lead_qualified', 'answer_accepted']

export type TWorkflow = {
  id: string
  weight: number
  steps: TStep[]
  feature: string | null
  owner: string
  /** internal workflows run without an account (e.g. moderation, data cleaning) */
  customerFacing: boolean
  outcomeKind: string | null
}

export type TAccount = { id: string; weight: number; users: number; workflowCum: number[]; workflows: number[] }

export type TPlan = {
  opts: Required<TDatasetOptions>
  workflows: TWorkflow[]
  accounts: TAccount[]
  /** runs to generate per hour of the window (oldest first) */
  runsPerHour: number[]
  start: number
  meanEventsPerRun: number
}

function buildWorkflows(rng: Rng, n: number): TWorkflow[] {
  const kinds: TStepKind[] = ['embed', 'retrieve', 'rerank', 'classify', 'generate', 'tool', 'validate', 'summarize']
  const out: TWorkflow[] = []
  for (let i = 0; i < n; i++) {
    const id = i < WORKFLOW_NAMES.length ? WORKFLOW_NAMES[i] : `workflow-${i + 1}`
    const nSteps = rng.int(2, 6)
    const chosen: TStepKind[] = []
    // every workflow ends in a generation-like step; the others are drawn
    const last: TStepKind = rng.pick(['generate', 'generate', 'summarize', 'classify'])
    while (chosen.length < nSteps - 1) {
      const k = rng.pick(kinds)
      if (!chosen.includes(k) && k !== last) chosen.push(k)
    }
    chosen.sort((a, b) => kinds.indexOf(a) - kinds.indexOf(b))
    chosen.push(last)
    const steps: TStep[] = chosen.map((kind) => {
      const shape = STEP_SHAPE[kind]
      // a workflow leans on one or two of the step's models
      const models = STEP_MODELS[kind].map(([m, w]) => [m, w * (0.3 + rng.next() * 1.4)] as const)
      return {
        name: STEP_NAMES[kind],
        kind,
        callType: shape.callType,
        models: models.map(([m]) => m),
        modelCum: cumulate(models.map(([, w]) => w)),
        tokensIn: Math.round(shape.tokensIn * (0.5 + rng.next())),
        tokensOut: Math.round(shape.tokensOut * (0.5 + rng.next())),
        maxTokens: shape.maxTokens,
        cacheShare: shape.cacheShare,
        ...(kind === 'classify' ? { escalateTo: 'claude-sonnet-4-5' } : {}),
      }
    })
    const customerFacing = i % 10 !== 9 // two internal workflows in 20
    out.push({
      id,
      steps,
      weight: 1 / Math.pow(i + 1, 0.9),
      feature: i % 7 === 6 ? null : FEATURES[i % FEATURES.length],
      owner: OWNERS[i % OWNERS.length],
      customerFacing,
      outcomeKind: customerFacing && i % 3 !== 2 ? OUTCOME_KINDS[i % OUTCOME_KINDS.length] : null,
    })
  }
  return out
}

function buildAccounts(rng: Rng, n: number, workflows: TWorkflow[]): TAccount[] {
  const out: TAccount[] = []
  const facing = workflows.map((w, i) => (w.customerFacing ? i : -1)).filter((i) => i >= 0)
  for (let i = 0; i < n; i++) {
    // large accounts use most workflows, small ones a few
    const share = Math.max(0.15, 0.9 - i / n)
    const used = facing.filter((_, k) => k === 0 || rng.chance(share))
    out.push({
      id: `acct-${String(i + 1).padStart(3, '0')}`,
      weight: 1 / Math.pow(i + 1, 1.1),
      users: Math.round(5 + 2000 / Math.pow(i + 1, 0.8)),
      workflows: used,
      workflowCum: cumulate(used.map((w) => workflows[w].weight * (0.5 + rng.next()))),
    })
  }
  return out
}

/** Relative traffic of an hour: diurnal, weekly, growth. */
export function hourWeight(t: number, start: number, end: number): number {
  const d = new Date(t)
  const h = d.getUTCHours()
  const dow = d.getUTCDay()
  const weekend = dow === 0 || dow === 6
  const diurnal = 0.25 + Math.exp(-((h - 14.5) ** 2) / 18) * 2.2 + Math.exp(-((h - 9) ** 2) / 8) * 0.9
  const growth = Math.pow(1.6, (t - start) / Math.max(1, end - start))
  return diurnal * (weekend ? 0.45 : 1) * growth
}

export function planDataset(o: TDatasetOptions): TPlan {
  const opts: Required<TDatasetOptions> = { accounts: 200, workflows: 20, seed: 7, ...o }
  if (opts.end % HOUR_MS !== 0) throw new RangeError('end must be on an hour boundary')
  const rng = new Rng(mix(opts.seed, 1))
  const workflows = buildWorkflows(rng, opts.workflows)
  const accounts = buildAccounts(rng, opts.accounts, workflows)
  const hours = opts.days * 24
  const start = opts.end - opts.days * DAY_MS
  const plan: TPlan = { opts, workflows, accounts, runsPerHour: [], start, meanEventsPerRun: 1 }
  // calibrate events per run on a sample, then spread the runs over the hours
  const sample = 4000
  let evs = 0
  const crng = new Rng(mix(opts.seed, 2))
  for (let i = 0; i < sample; i++) evs += generateRun(plan, crng, start + DAY_MS / 2, i, 0, [], []).length
  plan.meanEventsPerRun = evs / sample
  const weights = Array.from({ length: hours }, (_, k) => hourWeight(start + k * HOUR_MS, start, opts.end))
  const total = weights.reduce((a, b) => a + b, 0)
  const runs = opts.events / plan.meanEventsPerRun
  let carry = 0
  plan.runsPerHour = weights.map((w) => {
    const x = (runs * w) / total + carry
    const r = Math.floor(x)
    carry = x - r
    return r
  })
  return plan
}

// ---------------------------------------------------------------- runs

const ENVIRONMENTS: { env: TBenchEvent['environment']; source: TBenchEvent['traffic_source']; p: number }[] = [
  { env: 'production', source: 'production', p: 0.88 },
  { env: 'staging', source: 'eval', p: 0.05 },
  { env: 'staging', source: 'production', p: 0.025 },
  { env: 'staging', source: 'replay', p: 0.01 },
  { env: 'production', source: 'ops', p: 0.015 },
  { env: 'development', source: 'production', p: 0.02 },
]
const ENV_CUM = cumulate(ENVIRONMENTS.map((e) => e.p))
const WORKFLOW_CUM_CACHE = new WeakMap<TWorkflow[], number[]>()

/**
 * One run: its events (pushed to `events`), its accepted outcome if any. `hourEnd`
 * caps timestamps so the run stays in its hour. Returns the run's events.
 */
function generateRun(plan: TPlan, rng: Rng, t0: number, seq: number, hourIdx: number, events: TBenchEvent[], outcomes: TBenchOutcome[]): TBenchEvent[] {
  const hourEnd = Math.floor(t0 / HOUR_MS) * HOUR_MS + HOUR_MS - 1
  const e = ENVIRONMENTS[rng.weighted(ENV_CUM)]
  const customer = e.env === 'production' && e.source === 'production'
  let wf: TWorkflow
  let account: TAccount | null = null
  const internal = plan.workflows.filter((w) => !w.customerFacing)
  if (customer && (internal.length === 0 || !rng.chance(0.06))) {
    account = plan.accounts[rng.weighted(accountCum(plan))]
    wf = plan.workflows[account.workflows[rng.weighted(account.workflowCum)]]
  } else if (customer) {
    // internal workflows (moderation, data cleaning) run in production without an account
    wf = rng.pick(internal)
  } else {
    let cum = WORKFLOW_CUM_CACHE.get(plan.workflows)
    if (!cum) WORKFLOW_CUM_CACHE.set(plan.workflows, (cum = cumulate(plan.workflows.map((w) => w.weight))))
    wf = plan.workflows[rng.weighted(cum)]
  }
  const runId = `r${String(hourIdx).padStart(4, '0')}-${String(seq).padStart(5, '0')}`
  const userId = account
    ? `u-${account.id}-${String(Math.floor(Math.pow(rng.next(), 1.8) * account.users) + 1).padStart(4, '0')}`
    : e.env === 'development'
      ? rng.pick(['dev-maria', 'dev-kenji', 'dev-priya'])
      : null
  const first = events.length
  let t = t0
  let n = 0
  let failed = false
  const push = (step: TStep, modelId: string, outcome: TBenchEvent['outcome'], attempt: number) => {
    const m = M[modelId]
    const tokensIn = clampInt(rng.logn(step.tokensIn, 0.45), 20, 200_000)
    const tokensOut = step.tokensOut === 0 ? 0 : clampInt(rng.logn(step.tokensOut, 0.5), 1, step.maxTokens ?? 16_000)
    let cached = 0
    let write = 0
    if (step.cacheShare > 0 && m.cache !== 'none' && tokensIn >= 1024) {
      if (m.cache === 'auto') {
        if (rng.chance(0.85)) cached = Math.floor((tokensIn * step.cacheShare * (0.6 + 0.6 * rng.next())) / 128) * 128
      } else if (rng.chance(0.1)) write = Math.round(tokensIn * step.cacheShare)
      else cached = Math.round(tokensIn * step.cacheShare * (0.7 + 0.3 * rng.next()))
      cached = Math.min(cached, tokensIn - write)
    }
    const latency = Math.round((m.baseMs + 0.01 * (tokensIn - cached) + m.outMs * tokensOut) * rng.logn(1, 0.25) * 10) / 10
    const ts = Math.min(t, hourEnd)
    n++
    events.push({
      id: `e${String(hourIdx).padStart(4, '0')}-${String(seq).padStart(5, '0')}-${n}`,
      ts,
      environment: e.env,
      traffic_source: e.source,
      workflow_id: wf.id,
      run_id: runId,
      step: step.name,
      call_type: step.callType,
      feature: wf.feature,
      owner: wf.owner,
      account_id: account?.id ?? null,
      user_id: userId,
      provider: m.provider,
      model: m.model,
      tokens_in: tokensIn,
      cached_tokens_in: cached,
      cache_write_tokens: write,
      tokens_out: tokensOut,
      outcome,
      attempt,
      latency_ms: latency,
      max_tokens: step.maxTokens,
      input_hash: step.kind === 'classify' ? `h${rng.int(0, 5000)}` : null,
      reported_factor:
        m.provider === 'openai' && rng.chance(0.35)
          ? rng.chance(0.04)
            ? 1 + (rng.chance(0.5) ? 1 : -1) * (0.02 + 0.1 * rng.next())
            : 1 + (rng.next() - 0.5) * 0.002
          : null,
    })
    t += Math.max(1, Math.round(latency)) + rng.int(5, 200)
  }
  for (const step of wf.steps) {
    const modelId = step.models[rng.weighted(step.modelCum)]
    const r = rng.next()
    if (r < 0.006) {
      // failed, not repeated: the run stops
      push(step, modelId, 'error', 1)
      failed = true
      break
    }
    if (r < 0.036) {
      // discarded and repeated (sometimes twice)
      push(step, modelId, 'retry', 1)
      if (rng.chance(0.2)) push(step, modelId, 'retry', 2)
      push(step, modelId, 'success', n >= 2 && events[events.length - 1].attempt === 2 ? 3 : 2)
    } else if (r < 0.042 && FALLBACK[modelId]) {
      // the provider failed; a fallback model served it
      push(step, modelId, 'retry', 1)
      push(step, FALLBACK[modelId], 'fallback', 2)
    } else {
      push(step, modelId, 'success', 1)
      if (step.escalateTo && rng.chance(0.08)) push(step, step.escalateTo, 'escalation', 2)
    }
  }
  const mine = events.slice(first)
  if (!failed && customer && wf.outcomeKind && rng.chance(0.6)) {
    outcomes.push({
      id: `o${runId.slice(1)}`,
      ts: Math.min(t, hourEnd),
      workflow_id: wf.id,
      run_id: runId,
      account_id: account?.id ?? null,
      feature: wf.feature,
      accepted: rng.chance(0.78),
      kind: wf.outcomeKind,
    })
  }
  return mine
}

const ACCOUNT_CUM_CACHE = new WeakMap<TAccount[], number[]>()
function accountCum(plan: TPlan): number[] {
  let cum = ACCOUNT_CUM_CACHE.get(plan.accounts)
  if (!cum) ACCOUNT_CUM_CACHE.set(plan.accounts, (cum = cumulate(plan.accounts.map((a) => a.weight))))
  return cum
}

/** The events, runs and outcomes of hour `hourIdx` of the window (0 = oldest). */
export function generateHour(plan: TPlan, hourIdx: number): TBenchHour {
  const rng = new Rng(mix(plan.opts.seed, 3, hourIdx))
  const hourStart = plan.start + hourIdx * HOUR_MS
  const n = plan.runsPerHour[hourIdx]
  const starts = Array.from({ length: n }, () => hourStart + Math.floor(rng.next() * (HOUR_MS - 5 * 60_000)))
  starts.sort((a, b) => a - b)
  const events: TBenchEvent[] = []
  const outcomes: TBenchOutcome[] = []
  const runs: TBenchRun[] = []
  for (let i = 0; i < n; i++) {
    const evs = generateRun(plan, rng, starts[i], i + 1, hourIdx, events, outcomes)
    if (evs.length) runs.push({ run_id: evs[0].run_id, first_ts: evs[0].ts })
  }
  return { events, runs, outcomes }
}
