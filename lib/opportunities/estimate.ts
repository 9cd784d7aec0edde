import { micros, microsToUsd as usd } from '@/lib/domain'
import { formatMultiple } from '@/lib/format'
import type { PriceBook } from '@/lib/cost/engine'
import { trimTrailingZeros } from '@/lib/cost/money'
import { perMonth } from '@/lib/opportunities/rank'
import type { TOpportunity, TOpportunityAction } from '@/lib/opportunities/schema'
import { routingDraftPath } from '@/lib/opportunities/view'
import { refKey, type TModelRef, type TPolicySpec } from '@/lib/routing/schema'
import { selectCandidate, type TCallCost, type TEvalScore } from '@/lib/routing/select'
import { simulate, type TTrafficRow } from '@/lib/routing/simulate'
import type { TFleetHint } from '@/lib/gpu/schema'

// The estimated opportunities (PRODUCT.md "Opportunities"): uncapped_output,
// prompt_cache, cheaper_model, gpu_rightsizing. Pure (unit-tested): the money
// comes from the price book (lib/cost/engine), the routing selection and
// simulation (lib/routing/select, lib/routing/simulate) and the fleet's
// right-sizing hints (lib/gpu/cost); lib/opportunities/load.ts reads the inputs.

/** A cap above this many times the step's p95 output caps nothing: the call counts as uncapped (PRODUCT.md). */
export const UNCAPPED_CAP_FACTOR = 4
/** prompt_cache: a step's calls must average at least this many input tokens (providers cache prefixes of 1,024+ tokens)… */
export const PROMPT_CACHE_MIN_TOKENS = 1024
/** …have at least this many calls in the range… */
export const PROMPT_CACHE_MIN_CALLS = 50
/** …and read less than this share of their input from the cache, */
export const PROMPT_CACHE_LOW_SHARE = 0.1
/** or have lost at least this much of the previous period's cached share. */
export const PROMPT_CACHE_FALL = 0.1
/** The cached share assumed for a step that has (almost) none: half of each call's input a stable prefix. */
export const PROMPT_CACHE_ASSUMED_SHARE = 0.5

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
const pct = (x: number) => `${Math.round(x * 100)}%`
const ratio6 = (x: number) => Math.round(x * 1e6) / 1e6
/** a price per million tokens without its trailing zeros: "2.000000000" → "2", "0.500000000" → "0.5" */
const perMtok = (s: string) => (s.includes('.') ? trimTrailingZeros(s).replace(/\.$/, '') : s)

const money = (savings: bigint, rangeMs: number) => ({ savings_usd: usd(savings), savings_usd_per_month: usd(perMonth(savings, rangeMs)) })

// ---------------------------------------------------------------- uncapped_output

/** A step's output sizes over the range, with its calls per model (SQL over the events, lib/opportunities/load.ts). */
export type TOutputStep = {
  workflow_id: string
  step: string
  calls: number
  p50: number
  p95: number
  p99: number
  max: number
  models: {
    provider: string | null
    model: string | null
    calls: number
    no_cap_calls: number
    uncapped_calls: number
    over_p95_calls: number
    excess_tokens_out: number
  }[]
}

/** Output tokens → their cost in micro-dollars at the model's price (null: no price). */
export function outputPricer(book: PriceBook, at: Date) {
  return (provider: string | null, model: string | null, tokensOut: number): bigint | null => {
    const c = book.price({ provider, model, timestamp: at, tokens_in: 0, tokens_out: tokensOut, requests: 0 })
    return c.priced ? micros(c.cost_usd) : null
  }
}

/**
 * The output tokens of a step's uncapped calls (no max_tokens, or a cap above
 * 4 × p95) beyond the step's p95, priced at each model's output price: what a
 * cap at the p95 would have saved. Null when there is nothing to save.
 */
export function uncappedOutputOpportunity(
  s: TOutputStep,
  rangeMs: number,
  priceOut: (provider: string | null, model: string | null, tokensOut: number) => bigint | null,
): TOpportunity | null {
  let savings = 0n
  let unpriced = 0
  const sum = (f: (m: TOutputStep['models'][number]) => number) => s.models.reduce((a, m) => a + f(m), 0)
  for (const m of s.models) {
    if (m.excess_tokens_out <= 0) continue
    const c = priceOut(m.provider, m.model, m.excess_tokens_out)
    if (c === null) unpriced += m.over_p95_calls
    else savings += c
  }
  const excess = sum((m) => m.excess_tokens_out)
  if (excess <= 0 || s.p95 <= 0) return null
  const uncapped = sum((m) => m.uncapped_calls)
  const noCap = sum((m) => m.no_cap_calls)
  const over = sum((m) => m.over_p95_calls)
  const tail = s.p50 > 0 ? ratio6(s.p99 / s.p50) : null
  const models = s.models.filter((m) => m.model)
  return {
    id: `uncapped_output:${s.workflow_id}:${s.step}`,
    kind: 'uncapped_output',
    workflow_id: s.workflow_id,
    step: s.step,
    ...(models.length === 1 ? { model: `${models[0].provider ?? ''}/${models[0].model}` } : {}),
    ...money(savings, rangeMs),
    basis: 'estimated',
    evidence: {
      calls: s.calls,
      no_cap_calls: noCap,
      uncapped_calls: uncapped,
      over_p95_calls: over,
      p50_tokens_out: s.p50,
      p95_tokens_out: s.p95,
      p99_tokens_out: s.p99,
      max_tokens_out: s.max,
      tail_ratio: tail,
      excess_tokens_out: excess,
      unpriced_calls: unpriced,
    },
    explanation:
      `The output tokens beyond the step's p95 (${plural(s.p95, 'token')}) of its ${plural(uncapped, 'call')} without a max_tokens cap` +
      `${uncapped > noCap ? ` or with one above ${UNCAPPED_CAP_FACTOR}× the p95` : ''} (${plural(excess, 'token')} over ${plural(over, 'call')}), at each model's output price` +
      (tail === null ? '.' : `; p99 is ${formatMultiple(tail)} the p50 (${s.p99} vs ${s.p50} tokens).`),
    assumption: `A max_tokens cap at the step's p95 output (${s.p95} tokens) ends the longer answers there, with no retry or follow-up call, and leaves every shorter answer as it was.`,
    action: {
      label: `Draft an output cap of ${s.p95} tokens in the step's routing policy`,
      path: routingDraftPath({ workflow_id: s.workflow_id, step: s.step, max_tokens_cap: s.p95, saving: usd(perMonth(savings, rangeMs)) }),
    },
  }
}

// ---------------------------------------------------------------- prompt_cache

/** A step's calls on one model over a period (the cost rollups). */
export type TInputSums = {
  workflow_id: string
  step: string
  provider: string | null
  model: string | null
  events: number
  tokens_in: number
  cached_tokens_in: number
}

/**
 * A step on a model with a cached-input price whose long inputs are rarely
 * read from the cache, or whose cached share fell against the previous period:
 * the input cost at the target share (the previous period's when it fell, else
 * PROMPT_CACHE_ASSUMED_SHARE) against what it paid, each call priced as the
 * step's average call.
 */
export function promptCacheOpportunity(
  cur: TInputSums,
  prev: TInputSums | null,
  book: PriceBook,
  at: Date,
  rangeMs: number,
  daily: { day: string; cached_share: number | null }[] = [],
): TOpportunity | null {
  if (!cur.model || cur.events < PROMPT_CACHE_MIN_CALLS || cur.tokens_in <= 0) return null
  const perCall = Math.round(cur.tokens_in / cur.events)
  if (perCall < PROMPT_CACHE_MIN_TOKENS) return null
  const price = book.modelPrice(cur.provider, cur.model, at)
  if (!price || price.cached_input_per_mtok == null || micros(price.cached_input_per_mtok) >= micros(price.input_per_mtok)) return null
  const share = cur.cached_tokens_in / cur.tokens_in
  const prevShare = prev && prev.tokens_in > 0 ? prev.cached_tokens_in / prev.tokens_in : null
  const fell = prevShare !== null && prevShare - share >= PROMPT_CACHE_FALL
  const target = fell ? prevShare : share < PROMPT_CACHE_LOW_SHARE ? PROMPT_CACHE_ASSUMED_SHARE : null
  if (target === null || target <= share) return null
  const call = (cached: number) => {
    const c = book.price({ provider: cur.provider, model: cur.model, timestamp: at, tokens_in: perCall, cached_tokens_in: cached, requests: 0 })
    return c.priced ? toPrecise(c.cost_usd) : null
  }
  const now = call(Math.round(perCall * share))
  const then = call(Math.round(perCall * target))
  if (now === null || then === null || now <= then) return null
  // per call at 1e-12 USD, × calls, rounded once to the micro-dollar
  const savings = ((now - then) * BigInt(cur.events) + 500_000n) / 1_000_000n
  if (savings <= 0n) return null
  const model = `${cur.provider ?? ''}/${cur.model}`
  return {
    id: `prompt_cache:${cur.workflow_id}:${cur.step}:${model}`,
    kind: 'prompt_cache',
    workflow_id: cur.workflow_id,
    step: cur.step,
    model,
    ...money(savings, rangeMs),
    basis: 'estimated',
    evidence: {
      calls: cur.events,
      tokens_in_per_call: perCall,
      cached_share: ratio6(share),
      previous_cached_share: prevShare === null ? null : ratio6(prevShare),
      target_cached_share: ratio6(target),
      input_per_mtok: perMtok(price.input_per_mtok),
      cached_input_per_mtok: perMtok(price.cached_input_per_mtok),
      daily,
    },
    explanation:
      `${plural(cur.events, 'call')} of ${model} averaging ${plural(perCall, 'input token')} read ${pct(share)} of their input from the prompt cache` +
      (fell ? ` (${pct(prevShare)} in the period before)` : '') +
      `: the input cost at ${pct(target)} cached, at the model's cached-input price ($${perMtok(price.cached_input_per_mtok)} instead of $${perMtok(price.input_per_mtok)} per million tokens), against what it paid.`,
    assumption: fell
      ? `The step's cached share can return to the previous period's ${pct(target)} (e.g. by restoring the stable prefix the prompt change moved); cache writes are not counted.`
      : `Half of each call's input is a stable prefix (system prompt, rubric, tools) that, placed first, is read from the cache at ${pct(target)} of input tokens; cache writes are not counted.`,
    action: {
      label: 'Open the step: move the stable part of the prompt to the start so the provider caches it',
      path: `workflows/${encodeURIComponent(cur.workflow_id)}/steps/${encodeURIComponent(cur.step)}`,
    },
  }
}

/** A cost string (up to 12 decimals) → 1e-12 USD. */
const toPrecise = (s: string): bigint => {
  const [i, f = ''] = s.split('.')
  const neg = i.startsWith('-')
  const v = BigInt(i.replace('-', '') || '0') * 1_000_000_000_000n + BigInt((f + '000000000000').slice(0, 12))
  return neg ? -v : v
}

// ---------------------------------------------------------------- cheaper_model

export type TCheaperModelInputs = {
  workflow_id: string
  step: string
  policy_id: string
  spec: Pick<TPolicySpec, 'quality_bar' | 'eval_set' | 'candidates'>
  evals: TEvalScore[]
  /** cost per call of every model with eval results and of the models serving the step (lib/routing/evidence candidateCosts) */
  costs: Map<string, TCallCost>
  /** the step's production calls in the range, per model and outcome */
  traffic: TTrafficRow[]
  window: { from: string; to: string }
}

/**
 * The cheapest model whose latest eval scores clear the step's quality bar
 * (the routing selection over every model evaluated on the step), with the
 * step's production calls of the range re-priced at its cost per call (the
 * routing simulation); null when it saves nothing.
 */
export function cheaperModelOpportunity(i: TCheaperModelInputs, rangeMs: number): TOpportunity | null {
  if (i.spec.quality_bar.length === 0) return null
  const evaluated = new Map<string, TModelRef>()
  for (const e of i.evals) evaluated.set(refKey(e), { provider: e.provider, model: e.model })
  for (const c of i.spec.candidates) evaluated.set(refKey(c), c)
  const selection = selectCandidate({ ...i.spec, candidates: [...evaluated.values()] }, i.evals, i.costs)
  const chosen = selection.chosen
  if (!chosen) return null
  const best = selection.candidates.find((c) => refKey(c) === refKey(chosen))!
  if (best.cost_per_call_usd === null || best.source === null) return null
  const sim = simulate({
    step: i.step,
    window: i.window,
    traffic: i.traffic,
    spec: { quality_bar: i.spec.quality_bar, cascade: null, canary: null },
    chosen,
    candidates: selection.candidates,
    costs: Object.fromEntries(i.costs),
  })
  if (sim.change_usd === null || sim.estimated_cost_usd === null) return null
  const savings = -micros(sim.change_usd)
  if (savings <= 0n) return null
  const key = refKey(chosen)
  const current = sim.shares.filter((s) => s.actual_calls > 0).map((s) => ({ model: s.model, calls: s.actual_calls }))
  const bar = sim.quality.metrics
  return {
    id: `cheaper_model:${i.workflow_id}:${i.step}`,
    kind: 'cheaper_model',
    workflow_id: i.workflow_id,
    step: i.step,
    model: key,
    ...money(savings, rangeMs),
    basis: 'estimated',
    evidence: {
      calls: sim.calls,
      current_models: current,
      candidate: key,
      candidate_cost_per_call_usd: best.cost_per_call_usd,
      cost_source: best.source,
      quality_bar: bar,
      policy_id: i.policy_id,
      actual_cost_usd: sim.actual_cost_usd,
      estimated_cost_usd: sim.estimated_cost_usd,
    },
    explanation:
      `The step's ${plural(sim.calls, 'production call')} re-priced at ${key}'s $${best.cost_per_call_usd} per call, the cheapest model whose eval scores clear the bar ` +
      `(${bar.map((b) => `${b.metric} ${b.score} ≥ ${b.min}`).join(', ')}), against their actual cost.`,
    assumption:
      `${key} keeps its eval scores on production traffic and costs what it costs per call ` +
      `${best.source === 'traffic' ? `on the step's own traffic (${best.calls} calls)` : "at its price × the step's average call"}; escalations and retries as observed.`,
    action: {
      label: `Draft ${key} as a candidate in the step's routing policy and simulate it`,
      path: routingDraftPath({ workflow_id: i.workflow_id, step: i.step, candidate: key, saving: usd(perMonth(savings, rangeMs)) }),
    },
  }
}

// ---------------------------------------------------------------- gpu_rightsizing

/** savings_usd × 30 ÷ days = per month, backwards: the range's share of a monthly figure, to the micro-dollar (half up). */
export function forRange(perMonthMicros: bigint, rangeMs: number): bigint {
  const den = 30n * 86_400_000n
  const num = perMonthMicros * BigInt(Math.round(rangeMs))
  return (num * 2n + den) / (den * 2n)
}

/** A fleet right-sizing hint (lib/gpu/cost rightSizing) as an opportunity: per month the fleet's figure, over the range its share. */
export function gpuRightsizingOpportunity(h: TFleetHint, daily: { day: string; utilization: number | null }[], rangeMs: number): TOpportunity {
  const month = micros(h.saving_per_month_usd)
  const action: TOpportunityAction = { label: `Open the fleet: resize ${h.pool} to ${h.needed_gpus} GPUs`, path: `fleet#pool-${encodeURIComponent(h.pool)}` }
  return {
    id: `gpu_rightsizing:${h.pool}`,
    kind: 'gpu_rightsizing',
    workflow_id: '',
    step: '',
    savings_usd: usd(forRange(month, rangeMs)),
    savings_usd_per_month: h.saving_per_month_usd,
    basis: 'estimated',
    evidence: {
      pool: h.pool,
      role: h.role,
      gpu_count: h.gpu_count,
      needed_gpus: h.needed_gpus,
      release_gpus: h.release_gpus,
      avg_utilization: h.avg_utilization,
      p95_utilization: h.p95_utilization,
      headroom: h.headroom,
      window_days: h.window_days,
      hours_measured: h.hours_measured,
      daily_utilization: daily,
    },
    explanation: `${h.release_gpus} of ${h.pool}'s ${h.gpu_count} GPUs at its current price per GPU-hour, 730 hours a month: ${h.needed_gpus} would carry the p95 of its hourly utilization (${pct(h.p95_utilization)} over the last ${h.window_days} days) with ${pct(h.headroom)} headroom.`,
    assumption: `The pool's load over the next month looks like its last ${h.window_days} days (p95 of hourly utilization), and its work spreads over fewer GPUs.`,
    action,
  }
}
