// The decision record of a workflow step (PRODUCT.md "Decision record"),
// filled from data: the scenario and owner its events carry, the model options
// seen with their raw token cost and cache-adjusted cost, retry rate and
// latency, and the workflow's quality pass rate and accepted outcome rate from
// reported outcomes. Pure: the route loads the rows (lib/decision-record/load.ts).
import { isWasteOutcome as isWaste, micros, microsToUsd as fromScaledUsd } from '@/lib/domain'
import type { TMetricsRow } from '@/lib/metrics/query'
import { perUnit, ratio } from '@/lib/metrics/breakdown'
import { modelName } from '@/lib/metrics/views/workflow-detail'
import { formatMs } from '@/lib/format'
import type { TDecisionRecord, TEvalCandidate, TModelOption, TOptionEval } from '@/lib/decision-record/schema'
import { retryRate } from '@/lib/metrics/definitions'
import type { TCostInput, TCostResult } from '@/lib/cost/engine'
import { COST_SCALE } from '@/lib/cost/engine'
import { divRound, toScaled } from '@/lib/cost/money'
import type { TEvalScore } from '@/lib/routing/select'

export type { TDecisionRecord, TEvalCandidate, TModelOption } from '@/lib/decision-record/schema'

type TRow = Partial<TMetricsRow> & { cost_usd: string; events: number }

export type TDecisionInputs = {
  workflow_id: string
  step: string
  period: { from: string; to: string }
  /** the step, no grouping, with latency quantiles */
  total: TRow[]
  /** the step grouped by provider, model, with latency quantiles */
  models: TRow[]
  /** the step grouped by provider, model, outcome */
  modelOutcomes: TRow[]
  /** the workflow, grouped by workflow_id (runs and outcomes) */
  workflow: TRow[]
  scenarios: string[]
  owners: string[]
  /** calls per scenario_id (null: none sent) among the step's latest calls of the period, and how many were counted */
  scenarioCounts?: { scenario_id: string | null; calls: number }[]
  /** the step's eval results, one row per metric (lib/routing/evidence.ts stepEvalScores) */
  evals?: TEvalScore[]
  /** the organization's price book (its own prices first, then the catalog); without it candidates are unpriced */
  price?: (ev: TCostInput) => TCostResult
}

/** The latest results per model ("provider/model") and eval set: each metric's latest score; the set's latest run and its sample count. */
export function evalsByModel(scores: TEvalScore[]): Map<string, TOptionEval[]> {
  const latest = new Map<string, Map<string, TEvalScore>>() // model → "set\0metric" → latest
  for (const e of scores) {
    const k = modelName(e)
    const m = latest.get(k) ?? new Map<string, TEvalScore>()
    const mk = `${e.eval_set}\0${e.metric}`
    const cur = m.get(mk)
    if (!cur || Date.parse(e.run_at) > Date.parse(cur.run_at)) m.set(mk, e)
    latest.set(k, m)
  }
  const out = new Map<string, TOptionEval[]>()
  for (const [model, m] of latest) {
    const sets = new Map<string, TOptionEval>()
    for (const e of m.values()) {
      const s = sets.get(e.eval_set) ?? { eval_set: e.eval_set, scores: {}, sample_count: e.sample_count, run_at: e.run_at }
      s.scores[e.metric] = e.score
      if (Date.parse(e.run_at) > Date.parse(s.run_at)) Object.assign(s, { sample_count: e.sample_count, run_at: e.run_at })
      sets.set(e.eval_set, s)
    }
    out.set(
      model,
      [...sets.values()].sort((a, b) => a.eval_set.localeCompare(b.eval_set)),
    )
  }
  return out
}

/** The step's traffic in the period: calls and their tokens (the record's total row). */
export type TStepTraffic = { events: number; tokens_in?: number; cached_tokens_in?: number; cache_write_tokens?: number; tokens_out?: number }

const toMicros = (scaled: bigint) => divRound(scaled, 10n ** BigInt(COST_SCALE - 6))

/**
 * A model that never served the step, priced with the step's token profile: its average call (tokens ÷ calls,
 * rounded to whole tokens, as the routing evidence does) at the model's prices in force at `at` — the tier the
 * average call falls in — per call, raw (all input at the input price) and cache-adjusted; and the step's calls
 * of the period at that cost per call, rounded once to the micro-dollar. Null when unpriced (no price, no calls).
 */
export function priceCandidate(
  price: ((ev: TCostInput) => TCostResult) | undefined,
  m: { provider: string; model: string },
  traffic: TStepTraffic | undefined,
  at: Date,
): TEvalCandidate['priced'] {
  if (!price || !traffic || traffic.events <= 0) return null
  const per = (x: number | undefined) => Math.round((x ?? 0) / traffic.events)
  const c = price({
    provider: m.provider,
    model: m.model,
    timestamp: at,
    tokens_in: per(traffic.tokens_in),
    cached_tokens_in: per(traffic.cached_tokens_in),
    cache_write_tokens: per(traffic.cache_write_tokens),
    tokens_out: per(traffic.tokens_out),
    requests: 1,
  })
  if (!c.priced) return null
  const perCall = toScaled(c.cost_usd, COST_SCALE)
  const raw = perCall + toScaled(c.cache_savings_usd, COST_SCALE)
  return {
    raw_cost_per_call_usd: fromScaledUsd(toMicros(raw)),
    cost_per_call_usd: fromScaledUsd(toMicros(perCall)),
    cost_usd: fromScaledUsd(toMicros(perCall * BigInt(traffic.events))),
    price_effective_from: c.price_effective_from ? c.price_effective_from.toISOString() : null,
  }
}

/** The models with eval results for the step that served none of its calls in the period (`served`: "provider/model"), priced; by model. */
export function evalCandidates(
  evals: TEvalScore[],
  served: Set<string>,
  traffic: TStepTraffic | undefined,
  price: ((ev: TCostInput) => TCostResult) | undefined,
  at: Date,
): TEvalCandidate[] {
  const byModel = evalsByModel(evals)
  const refs = new Map<string, { provider: string; model: string }>()
  for (const e of evals) refs.set(modelName(e), { provider: e.provider, model: e.model })
  return [...refs]
    .filter(([k]) => !served.has(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, ref]) => {
      const priced = priceCandidate(price, ref, traffic, at)
      return { model: k, provider: ref.provider, evals: byModel.get(k) ?? [], priced, unpriced: priced === null }
    })
}

export type TMajorityScenario = NonNullable<TDecisionRecord['scenario']>

/**
 * The step's majority scenario: the scenario_id with the most calls (calls
 * without one count together as "not set"; a tie goes to a named scenario, then
 * by name), its calls and its share of the calls counted; null when no call was
 * counted. A scenario a few eval calls carry never stands for the step just by
 * being recent.
 */
export function majorityScenario(counts: { scenario_id: string | null; calls: number }[]): TMajorityScenario | null {
  const total = counts.reduce((s, c) => s + c.calls, 0)
  const ranked = scenarioCounts(counts)
  return ranked.length ? { ...ranked[0], share: ranked[0].calls / total, counted_calls: total } : null
}

/** Calls per scenario, most first (a tie: named before "not set", then by name). */
export function scenarioCounts(counts: { scenario_id: string | null; calls: number }[]): { scenario_id: string | null; calls: number }[] {
  const by = new Map<string | null, number>()
  for (const c of counts) if (c.calls > 0) by.set(c.scenario_id || null, (by.get(c.scenario_id || null) ?? 0) + c.calls)
  return [...by]
    .map(([scenario_id, calls]) => ({ scenario_id, calls }))
    .sort(
      (a, b) =>
        b.calls - a.calls || (a.scenario_id === null ? 1 : 0) - (b.scenario_id === null ? 1 : 0) || (a.scenario_id ?? '').localeCompare(b.scenario_id ?? ''),
    )
}

/** A model needs this many calls in the period before it can be called the cheapest option: a handful of calls says little. */
export const CHEAPEST_MIN_CALLS = 30

const rawMicros = (r: TRow) => micros(r.cost_usd) + micros(r.cache_savings_usd ?? '0')

export function decisionRecord(i: TDecisionInputs): TDecisionRecord {
  const t = i.total[0]
  const calls = t?.events ?? 0
  const wasteBy = new Map<string, number>()
  let wasteCalls = 0
  for (const r of i.modelOutcomes) {
    if (!isWaste(r.outcome)) continue
    wasteBy.set(modelName(r), (wasteBy.get(modelName(r)) ?? 0) + r.events)
    wasteCalls += r.events
  }
  const evals = evalsByModel(i.evals ?? [])
  const options: TModelOption[] = i.models
    .map((r) => {
      const model = modelName(r)
      const raw = fromScaledUsd(rawMicros(r))
      return {
        model,
        calls: r.events,
        share_of_calls: calls > 0 ? r.events / calls : 0,
        tokens_in_per_call: r.events > 0 ? (r.tokens_in ?? 0) / r.events : null,
        tokens_out_per_call: r.events > 0 ? (r.tokens_out ?? 0) / r.events : null,
        raw_cost_usd: raw,
        cost_usd: fromScaledUsd(micros(r.cost_usd)),
        raw_cost_per_call_usd: perUnit(raw, r.events),
        cost_per_call_usd: perUnit(r.cost_usd, r.events),
        cache_hit_rate: (r.tokens_in ?? 0) > 0 ? (r.cached_tokens_in ?? 0) / r.tokens_in! : null,
        retry_rate: retryRate(wasteBy.get(model) ?? 0, r.events),
        latency_p50_ms: r.latency_p50_ms ?? null,
        latency_p95_ms: r.latency_p95_ms ?? null,
        evals: evals.get(model) ?? [],
      }
    })
    .sort((a, b) => b.calls - a.calls || a.model.localeCompare(b.model))
  const priced = options.filter((o) => o.cost_per_call_usd !== null && o.calls >= CHEAPEST_MIN_CALLS)
  const cheapest = priced.length ? priced.reduce((best, o) => (micros(o.cost_per_call_usd!) < micros(best.cost_per_call_usd!) ? o : best)).model : null
  const w = i.workflow[0]
  const runs = w?.runs ?? 0
  const outcomes = w?.outcomes ?? 0
  const accepted = w?.accepted_outcomes ?? 0
  return {
    workflow_id: i.workflow_id,
    step: i.step,
    period: i.period,
    scenarios: i.scenarios,
    scenario: majorityScenario(i.scenarioCounts ?? []),
    scenario_counts: scenarioCounts(i.scenarioCounts ?? []).slice(0, 10),
    owners: i.owners,
    calls,
    runs,
    calls_per_run: runs > 0 ? calls / runs : null,
    raw_cost_usd: fromScaledUsd(t ? rawMicros(t) : 0n),
    cost_usd: fromScaledUsd(t ? micros(t.cost_usd) : 0n),
    cache_savings_usd: fromScaledUsd(t ? micros(t.cache_savings_usd ?? '0') : 0n),
    retry_rate: retryRate(wasteCalls, calls),
    latency_p50_ms: t?.latency_p50_ms ?? null,
    latency_p95_ms: t?.latency_p95_ms ?? null,
    options,
    cheapest,
    outcomes,
    accepted_outcomes: accepted,
    quality_pass_rate: outcomes > 0 ? ratio(BigInt(accepted), BigInt(outcomes)) : null,
    accepted_outcome_rate: runs > 0 && outcomes > 0 ? accepted / runs : null,
    // priced at the end of the period (now when the period runs to now): the prices the figures are compared at
    candidates: evalCandidates(
      i.evals ?? [],
      new Set(options.filter((o) => o.calls > 0).map((o) => o.model)),
      t,
      i.price,
      new Date(Date.parse(i.period.to) - 1),
    ),
  }
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`)
const usd = (s: string | null) => (s === null ? '—' : `$${s}`)

/** Eval scores as one line: "email-nightly: accuracy 0.92, tone 0.9 (400 samples)". */
export function evalsText(evals: TOptionEval[]): string {
  return evals
    .map(
      (e) =>
        `${e.eval_set}: ${Object.entries(e.scores)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([m, v]) => `${m} ${Math.round(v * 1000) / 1000}`)
          .join(', ')} (${e.sample_count} samples)`,
    )
    .join('; ')
}

/** The record as Markdown, for a design doc or a ticket. */
export function decisionRecordMarkdown(d: TDecisionRecord): string {
  const lines = [
    `# Decision record: ${d.workflow_id} / ${d.step}`,
    '',
    `Period: ${d.period.from} to ${d.period.to} (UTC)`,
    '',
    `- Scenario: ${d.scenario ? `${d.scenario.scenario_id ?? 'not set'} (the majority: ${d.scenario.calls} of ${d.scenario.counted_calls} calls)` : d.scenarios.join(', ') || '—'}`,
    `- Owner: ${d.owners.join(', ') || '—'}`,
    `- Calls: ${d.calls} (${d.calls_per_run === null ? '—' : d.calls_per_run.toFixed(2)} per run over ${d.runs} runs)`,
    `- Raw token cost: ${usd(d.raw_cost_usd)}; cache-adjusted cost: ${usd(d.cost_usd)} (saved ${usd(d.cache_savings_usd)})`,
    `- Retry rate: ${pct(d.retry_rate)}`,
    `- Latency p50 / p95: ${formatMs(d.latency_p50_ms)} / ${formatMs(d.latency_p95_ms)}`,
    `- Quality pass rate (accepted ÷ reported outcomes of the workflow): ${pct(d.quality_pass_rate)}`,
    `- Accepted outcome rate (accepted outcomes ÷ runs): ${pct(d.accepted_outcome_rate)}`,
    '',
    '## Model options seen',
    '',
    '| Model | Calls | Share | Raw cost / call | Cache-adjusted cost / call | Cache hits | Retry rate | p50 | p95 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...d.options.map(
      (o) =>
        `| ${o.model}${o.model === d.cheapest ? ` (cheapest, ≥ ${CHEAPEST_MIN_CALLS} calls)` : ''} | ${o.calls} | ${pct(o.share_of_calls)} | ${usd(o.raw_cost_per_call_usd)} | ${usd(o.cost_per_call_usd)} | ${pct(o.cache_hit_rate)} | ${pct(o.retry_rate)} | ${formatMs(o.latency_p50_ms)} | ${formatMs(o.latency_p95_ms)} |`,
    ),
  ]
  if (d.candidates.length)
    lines.push(
      '',
      '## Not served (eval only)',
      '',
      "Models with eval results for the step that served none of its calls in the period, priced with the step's token profile.",
      '',
      '| Model | Raw cost / call | Cache-adjusted cost / call | The period’s calls at its prices | Evals |',
      '|---|---:|---:|---:|---|',
      ...d.candidates.map(
        (c) =>
          `| ${c.model} | ${c.priced ? usd(c.priced.raw_cost_per_call_usd) : 'unpriced'} | ${c.priced ? usd(c.priced.cost_per_call_usd) : 'unpriced'} | ${c.priced ? usd(c.priced.cost_usd) : '—'} | ${evalsText(c.evals) || '—'} |`,
      ),
    )
  return lines.join('\n') + '\n'
}
