// Pure routing logic (no I/O): which candidate a policy version selects from
// its eval evidence and cost per call, and which model one call gets under a
// published policy (canary, fallback, cascade). The database side computes
// the inputs (lib/routing/evidence.ts); run time only calls routeWith().
import { micros } from '@/lib/domain'
import type { z } from 'zod'
import { refKey, type TModelRef, type TPolicySpec, type ZCallCost, type ZCandidateEvidence, type ZSelection, type ZSpecChange } from '@/lib/routing/schema'

// ---------------------------------------------------------------- selection

export type TEvalScore = { provider: string; model: string; eval_set: string; metric: string; score: number; sample_count: number; run_at: string }

/** cost per call of a model on a step; the candidates' evidence and the selection (lib/routing/schema.ts) */
export type TCallCost = z.infer<typeof ZCallCost>
export type TCandidateEvidence = z.infer<typeof ZCandidateEvidence>
export type TSelection = z.infer<typeof ZSelection>

/** The latest score per (model, metric), of the eval set when one is named. */
export function latestScores(evals: TEvalScore[], evalSet: string | null): Map<string, Map<string, TEvalScore>> {
  const out = new Map<string, Map<string, TEvalScore>>()
  for (const e of evals) {
    if (evalSet !== null && e.eval_set !== evalSet) continue
    const k = refKey(e)
    const m = out.get(k) ?? new Map<string, TEvalScore>()
    const cur = m.get(e.metric)
    if (!cur || Date.parse(e.run_at) > Date.parse(cur.run_at)) m.set(e.metric, e)
    out.set(k, m)
  }
  return out
}

const fmtScore = (x: number) => String(Math.round(x * 10000) / 10000)

/**
 * Cheapest clearing: among the candidates whose latest eval scores meet every
 * minimum of the bar, the one with the lowest cache-adjusted cost per call.
 * A clearing candidate with an unknown cost ranks after every known cost (in
 * listed order), so a missing price never wins by accident.
 */
export function selectCandidate(
  spec: Pick<TPolicySpec, 'quality_bar' | 'candidates' | 'eval_set'>,
  evals: TEvalScore[],
  costs: Map<string, TCallCost>,
): TSelection {
  const scores = latestScores(evals, spec.eval_set)
  const candidates: TCandidateEvidence[] = spec.candidates.map((c) => {
    const mine = scores.get(refKey(c))
    const s: TCandidateEvidence['scores'] = {}
    const shortfalls: string[] = []
    for (const { metric, min } of spec.quality_bar) {
      const e = mine?.get(metric)
      s[metric] = e ? { score: e.score, sample_count: e.sample_count, eval_set: e.eval_set, run_at: e.run_at } : null
      if (!e) shortfalls.push(`${metric}: no eval result`)
      else if (e.score < min) shortfalls.push(`${metric} ${fmtScore(e.score)} < ${fmtScore(min)}`)
    }
    const cost = costs.get(refKey(c)) ?? { cost_per_call_usd: null, source: null, calls: 0 }
    return { provider: c.provider, model: c.model, ...cost, scores: s, clears: shortfalls.length === 0, shortfalls }
  })
  const clearing = candidates.filter((c) => c.clears)
  if (clearing.length === 0) {
    return {
      chosen: null,
      reason: `no candidate clears the quality bar (${candidates.map((c) => `${refKey(c)}: ${c.shortfalls.join(', ')}`).join('; ')})`,
      candidates,
    }
  }
  const known = clearing.filter((c) => c.cost_per_call_usd !== null)
  const best = known.length ? known.reduce((a, b) => (micros(b.cost_per_call_usd!) < micros(a.cost_per_call_usd!) ? b : a)) : clearing[0]
  const bar = spec.quality_bar.length
    ? spec.quality_bar.map((q) => `${q.metric} ${fmtScore(best.scores[q.metric]!.score)} ≥ ${fmtScore(q.min)}`).join(', ')
    : 'no quality bar set'
  const cost =
    best.cost_per_call_usd === null
      ? 'cost per call unknown (no traffic, price or token profile): first clearing candidate listed'
      : `$${best.cost_per_call_usd}/call (${best.source === 'traffic' ? `${best.calls} calls of real traffic` : "price × the step's token profile"})`
  const of = `${clearing.length} of ${candidates.length} candidates clear the bar`
  return { chosen: { provider: best.provider, model: best.model }, reason: `cheapest clearing the bar: ${refKey(best)} at ${cost}; ${bar}; ${of}`, candidates }
}

// ---------------------------------------------------------------- canary hashing

/** FNV-1a over the UTF-16 code units, then murmur3's finalizer for avalanche: a uniform 32-bit value. */
export function hash32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Whether a key (a run_id or account_id) falls in a canary's share. The
 * policy id and version salt the hash, so each canary draws a fresh sample,
 * and one run or account always gets the same answer for one canary.
 */
export function inCanary(policyId: string, version: number, key: string, sharePct: number): boolean {
  return (hash32(`${policyId}:${version}:${key}`) / 2 ** 32) * 100 < sharePct
}

// ---------------------------------------------------------------- run time

/** A published version as run time needs it. */
export type TLiveVersion = {
  version: number
  chosen: TModelRef
  /** the selection's reason, recorded at publish */
  selection_reason: string
  cascade: TPolicySpec['cascade']
  fallback: TModelRef | null
  canary: TPolicySpec['canary']
  /** `fallback` then `fallbacks`, without repeats: the models tried in order after a provider error */
  fallbacks?: TModelRef[]
  /** the gateway's output cap for the step (null: none) */
  max_tokens_cap?: number | null
  /** the gateway's response cache for the step, seconds (null: none) */
  cache_ttl_s?: number | null
  /** the cheapest candidate that cleared the bar at publish and its cost per call (micro-dollars), for a budget's brown-out (null: none priced) */
  cheapest_clearing?: (TModelRef & { cost_micros: string }) | null
}

export { fallbackChain } from '@/lib/routing/schema'

/** The cheapest candidate whose evidence cleared the bar (known cost only), or null. */
export function cheapestClearing(
  candidates: Pick<TCandidateEvidence, 'provider' | 'model' | 'clears' | 'cost_per_call_usd'>[],
): (TModelRef & { cost_micros: string }) | null {
  let best: { m: TModelRef; c: bigint } | null = null
  for (const x of candidates) {
    if (!x.clears || x.cost_per_call_usd === null) continue
    const c = micros(x.cost_per_call_usd)
    if (!best || c < best.c) best = { m: { provider: x.provider, model: x.model }, c }
  }
  return best ? { ...best.m, cost_micros: best.c.toString() } : null
}

/** A budget's brown-out model for a policy: the cheapest clearing candidate of the version in force and of the canary's other side. */
export function brownoutModel(p: Pick<TLivePolicy, 'current' | 'base'>): TModelRef | null {
  const a = p.current.cheapest_clearing ?? null
  const b = p.base?.cheapest_clearing ?? null
  const best = a && b ? (BigInt(b.cost_micros) < BigInt(a.cost_micros) ? b : a) : (a ?? b)
  return best ? { provider: best.provider, model: best.model } : null
}

export type TLivePolicy = {
  id: string
  workflow_id: string
  step: string
  /** '' = any */
  environment: string
  account_id: string
  current: TLiveVersion
  /** the version in force before `current` was published: the canary's other side */
  base: TLiveVersion | null
}

export type TRouteInput = { confidence?: number; attempt?: number; run_id?: string; account_id?: string }
export type TRouted = TModelRef & { version: number; reason: string }
/** A call outside a first canary (one published with no version before it): it stays on the caller's default, whatever model the caller asked for. */
export type TCallerDefault = { version: null; reason: string }

/**
 * The version a call gets: the canary's share of keys goes to the current
 * version, the rest to the base — the version in force before it, or, for a
 * first policy published as a canary (no base), the caller's default (null):
 * the model the caller asked for, untouched.
 */
export function versionFor(p: Pick<TLivePolicy, 'id' | 'current' | 'base'>, req: TRouteInput): { v: TLiveVersion | null; note: string } {
  const c = p.current.canary
  if (!c) return { v: p.current, note: '' }
  const stable = p.base ? `stable v${p.base.version}` : "the caller's default model"
  const key = c.stable_by === 'run_id' ? req.run_id : req.account_id
  if (!key)
    return {
      v: p.base,
      note: `canary v${p.current.version} (${c.share_pct}% by ${c.stable_by}) not applied: the call has no ${c.stable_by}, ${stable}; `,
    }
  return inCanary(p.id, p.current.version, key, c.share_pct)
    ? { v: p.current, note: `canary v${p.current.version} (${c.share_pct}% by ${c.stable_by}); ` }
    : { v: p.base, note: `${stable} (canary v${p.current.version} takes ${c.share_pct}% by ${c.stable_by}); ` }
}

/**
 * One call under a published policy. A retry after a provider error (attempt
 * > 1) goes to the fallback model; a reported confidence below the cascade's
 * threshold moves one model up the ladder from the selected one; otherwise the
 * selected model. The reason names the rule that chose. Outside a first
 * canary: the caller's default (version null), the policy does not act.
 */
export function routeWith(p: TLivePolicy, req: TRouteInput): TRouted | TCallerDefault {
  const { v, note } = versionFor(p, req)
  if (!v) return { version: null, reason: note.replace(/; $/, '') }
  const attempt = req.attempt ?? 1
  if (attempt > 1) {
    const chain = v.fallbacks ?? (v.fallback ? [v.fallback] : [])
    const fb = chain[Math.min(attempt - 2, chain.length - 1)]
    if (fb) return { ...fb, version: v.version, reason: `${note}fallback: attempt ${attempt} after a provider error goes to the fallback model ${refKey(fb)}` }
    return {
      ...v.chosen,
      version: v.version,
      reason: `${note}fallback: attempt ${attempt}, no fallback model configured: the selected model ${refKey(v.chosen)} again`,
    }
  }
  if (v.cascade && req.confidence !== undefined && req.confidence < v.cascade.confidence_threshold) {
    const ladder = v.cascade.models
    const at = ladder.findIndex((m) => refKey(m) === refKey(v.chosen))
    const next = ladder[at + 1] // at = -1 (selected model not on the ladder): the ladder's first model
    const why = `confidence ${req.confidence} < threshold ${v.cascade.confidence_threshold}`
    if (next)
      return {
        provider: next.provider,
        model: next.model,
        version: v.version,
        reason: `${note}cascade: ${why}, escalated from ${refKey(v.chosen)} to ${refKey(next)}`,
      }
    return { ...v.chosen, version: v.version, reason: `${note}cascade: ${why}, but ${refKey(v.chosen)} is the last model of the cascade` }
  }
  return { ...v.chosen, version: v.version, reason: `${note}selection: ${v.selection_reason}` }
}

/** The most specific published policy for a call: account + environment, then account, then environment, then the step's general one. */
export function matchPolicy<P extends Pick<TLivePolicy, 'workflow_id' | 'step' | 'environment' | 'account_id'>>(
  policies: P[],
  call: { workflow_id: string; step: string; environment: string; account_id?: string | null },
): P | null {
  let best: P | null = null
  let bestRank = -1
  for (const p of policies) {
    if (p.workflow_id !== call.workflow_id || p.step !== call.step) continue
    if (p.environment && p.environment !== call.environment) continue
    if (p.account_id && p.account_id !== (call.account_id ?? '')) continue
    const rank = (p.account_id ? 2 : 0) + (p.environment ? 1 : 0)
    if (rank > bestRank) [best, bestRank] = [p, rank]
  }
  return best
}

// ---------------------------------------------------------------- diff

export type TSpecChange = z.infer<typeof ZSpecChange>

/** What changed between two specs, field by field; lists of models and the bar compared as sets where order does not matter. */
export function diffSpecs(a: TPolicySpec | null, b: TPolicySpec): TSpecChange[] {
  const out: TSpecChange[] = []
  const fields = ['quality_bar', 'candidates', 'selection', 'eval_set', 'cascade', 'fallback', 'fallbacks', 'max_tokens_cap', 'cache_ttl_s', 'canary'] as const
  for (const f of fields) {
    const from = a ? a[f] : null
    const to = b[f]
    if (f === 'quality_bar') {
      const am = new Map((a?.quality_bar ?? []).map((q) => [q.metric, q.min]))
      const bm = new Map(b.quality_bar.map((q) => [q.metric, q.min]))
      for (const m of new Set([...am.keys(), ...bm.keys()])) {
        if (am.get(m) !== bm.get(m)) out.push({ field: `quality_bar.${m}`, from: am.get(m) ?? null, to: bm.get(m) ?? null })
      }
    } else if (f === 'candidates') {
      const as = new Set((a?.candidates ?? []).map(refKey))
      const bs = new Set(b.candidates.map(refKey))
      for (const k of bs) if (!as.has(k)) out.push({ field: 'candidates', from: null, to: k })
      for (const k of as) if (!bs.has(k)) out.push({ field: 'candidates', from: k, to: null })
    } else {
      // A field absent from an older version (fallbacks, max_tokens_cap, cache_ttl_s) reads as its default: no change.
      const norm = (x: unknown) => (x === undefined || (Array.isArray(x) && x.length === 0) ? null : x)
      if (JSON.stringify(norm(from)) !== JSON.stringify(norm(to))) out.push({ field: f, from: norm(from), to: norm(to) })
    }
  }
  return out
}
