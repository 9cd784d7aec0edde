// The workflow detail page's logic: one workflow's steps and models, its
// daily trends (tokens per call, retry tax, fallbacks and escalations,
// accepted outcomes), all from metrics API rows (rollups). Money is summed as
// bigint micro-dollars; counts and ratios are plain numbers.
import { micros, microsToUsd as fromScaledUsd, OUTCOMES, WASTE_OUTCOMES } from '@/lib/domain'
import type { TMetricsRow } from '@/lib/metrics/query'
import { csvPercent, csvRows, periodDays, perUnit, ratio, type TCsvColumn, type TPeriod } from '@/lib/metrics/breakdown'
import { retryTaxShare } from '@/lib/metrics/definitions'

type TRow = Partial<TMetricsRow> & { cost_usd: string; events: number }

/** Events without a model (self-hosted without a name, tools) are shown as this. */
export const NO_MODEL = '(no model)'
export const modelName = (r: { provider?: string | null; model?: string | null }) => (r.model ? `${r.provider ?? '?'}/${r.model}` : NO_MODEL)

/** Largest spend first, then by name. */
const bySpendThen =
  <T extends { cost_usd: string }>(name: (r: T) => string) =>
  (a: T, b: T) => {
    const d = micros(b.cost_usd) - micros(a.cost_usd)
    return d > 0n ? 1 : d < 0n ? -1 : name(a).localeCompare(name(b))
  }

const perCall = (n: number, calls: number) => (calls > 0 ? n / calls : null)

export type TStepRow = {
  step: string
  calls: number
  /** calls ÷ the workflow's runs in the period (how many times a run calls this step) */
  calls_per_run: number | null
  tokens_in_per_call: number | null
  tokens_out_per_call: number | null
  cost_usd: string
  share: number
  /** the step's spend ÷ the workflow's runs: its part of the cost per run */
  cost_per_run_usd: string | null
  retry_usd: string
  retry_share: number
  cache_hit_rate: number | null
  latency_p50_ms: number | null
  latency_p95_ms: number | null
  /** provider/model names by spend, largest first */
  models: string[]
}

/**
 * One row per step, largest spend first. `steps` is grouped by step (with
 * latency quantiles and retry_cost_usd), `stepModels` by step, provider and
 * model; `runs` are the workflow's runs.
 */
export function stepRows(steps: TRow[], stepModels: TRow[], runs: number): TStepRow[] {
  const total = steps.reduce((s, r) => s + micros(r.cost_usd), 0n)
  const modelsBy = new Map<string, { name: string; m: bigint }[]>()
  for (const r of stepModels) {
    const list = modelsBy.get(r.step ?? '') ?? []
    list.push({ name: modelName(r), m: micros(r.cost_usd) })
    modelsBy.set(r.step ?? '', list)
  }
  return steps
    .map((r) => {
      const step = r.step ?? ''
      const retry = micros(r.retry_cost_usd ?? '0')
      const models = (modelsBy.get(step) ?? []).sort((a, b) => (b.m > a.m ? 1 : b.m < a.m ? -1 : a.name.localeCompare(b.name))).map((x) => x.name)
      return {
        step,
        calls: r.events,
        calls_per_run: runs > 0 ? r.events / runs : null,
        tokens_in_per_call: perCall(r.tokens_in ?? 0, r.events),
        tokens_out_per_call: perCall(r.tokens_out ?? 0, r.events),
        cost_usd: fromScaledUsd(micros(r.cost_usd)),
        share: ratio(micros(r.cost_usd), total),
        cost_per_run_usd: perUnit(r.cost_usd, runs),
        retry_usd: fromScaledUsd(retry),
        retry_share: retryTaxShare(retry, micros(r.cost_usd)),
        cache_hit_rate: (r.tokens_in ?? 0) > 0 ? (r.cached_tokens_in ?? 0) / r.tokens_in! : null,
        latency_p50_ms: r.latency_p50_ms ?? null,
        latency_p95_ms: r.latency_p95_ms ?? null,
        models,
      }
    })
    .sort(bySpendThen((r) => r.step))
}

export type TModelRow = {
  model: string
  calls: number
  cost_usd: string
  share: number
  cost_per_call_usd: string | null
  tokens_in_per_call: number | null
  tokens_out_per_call: number | null
  cache_hit_rate: number | null
  cache_savings_usd: string
  latency_p50_ms: number | null
  latency_p95_ms: number | null
}

/** One row per provider/model (grouped by provider,model with latency quantiles), largest spend first. */
export function modelRows(models: TRow[]): TModelRow[] {
  const total = models.reduce((s, r) => s + micros(r.cost_usd), 0n)
  return models
    .map((r) => ({
      model: modelName(r),
      calls: r.events,
      cost_usd: fromScaledUsd(micros(r.cost_usd)),
      share: ratio(micros(r.cost_usd), total),
      cost_per_call_usd: perUnit(r.cost_usd, r.events),
      tokens_in_per_call: perCall(r.tokens_in ?? 0, r.events),
      tokens_out_per_call: perCall(r.tokens_out ?? 0, r.events),
      cache_hit_rate: (r.tokens_in ?? 0) > 0 ? (r.cached_tokens_in ?? 0) / r.tokens_in! : null,
      cache_savings_usd: fromScaledUsd(micros(r.cache_savings_usd ?? '0')),
      latency_p50_ms: r.latency_p50_ms ?? null,
      latency_p95_ms: r.latency_p95_ms ?? null,
    }))
    .sort(bySpendThen((r) => r.model))
}

export type TDailyQuality = {
  day: string
  calls: number
  tokens_in_per_call: number | null
  tokens_out_per_call: number | null
  /** spend of retry + error calls (USD, for the chart); null on a day without calls */
  retry_usd: number | null
  /** retry tax ÷ the day's spend */
  retry_share: number | null
  fallbacks: number
  escalations: number
  accepted_outcomes: number
  /** the day's production cost ÷ its accepted outcomes (USD, for the chart); null without accepted outcomes */
  cost_per_accepted_outcome_usd: number | null
}

/**
 * One point per UTC day of the period. `byOutcome` is grouped by outcome per
 * day; `outcomes` is the workflow per day (it carries accepted outcomes and
 * production cost).
 */
export function dailyQuality(byOutcome: TRow[], outcomes: TRow[], period: TPeriod): TDailyQuality[] {
  type TAcc = { calls: number; tin: number; tout: number; cost: bigint; waste: bigint; fallbacks: number; escalations: number }
  const acc = new Map<string, TAcc>()
  for (const r of byOutcome) {
    if (!r.bucket) continue
    const day = r.bucket.slice(0, 10)
    const a = acc.get(day) ?? { calls: 0, tin: 0, tout: 0, cost: 0n, waste: 0n, fallbacks: 0, escalations: 0 }
    a.calls += r.events
    a.tin += r.tokens_in ?? 0
    a.tout += r.tokens_out ?? 0
    a.cost += micros(r.cost_usd)
    if ((WASTE_OUTCOMES as readonly string[]).includes(r.outcome ?? '')) a.waste += micros(r.cost_usd)
    if (r.outcome === 'fallback') a.fallbacks += r.events
    if (r.outcome === 'escalation') a.escalations += r.events
    acc.set(day, a)
  }
  const accepted = new Map<string, TRow>()
  for (const r of outcomes) if (r.bucket) accepted.set(r.bucket.slice(0, 10), r)
  return periodDays(period).map((day) => {
    const a = acc.get(day)
    const o = accepted.get(day)
    const perOutcome = o ? perUnit(o.production_cost_usd ?? '0', o.accepted_outcomes ?? 0) : null
    return {
      day,
      calls: a?.calls ?? 0,
      tokens_in_per_call: a ? perCall(a.tin, a.calls) : null,
      tokens_out_per_call: a ? perCall(a.tout, a.calls) : null,
      retry_usd: a ? Number(fromScaledUsd(a.waste)) : null,
      retry_share: a && a.cost > 0n ? retryTaxShare(a.waste, a.cost) : null,
      fallbacks: a?.fallbacks ?? 0,
      escalations: a?.escalations ?? 0,
      accepted_outcomes: o?.accepted_outcomes ?? 0,
      cost_per_accepted_outcome_usd: perOutcome === null ? null : Number(perOutcome),
    }
  })
}

export type TOutcomeSplit = { outcome: string; calls: number; cost_usd: string; share: number }

/** Spend and calls per outcome (success, retry, fallback, escalation, error) for the period, in that order. */
export function outcomeSplit(byOutcome: TRow[]): TOutcomeSplit[] {
  const order: readonly string[] = OUTCOMES
  const acc = new Map<string, { calls: number; m: bigint }>()
  let total = 0n
  for (const r of byOutcome) {
    const k = r.outcome ?? 'success'
    const a = acc.get(k) ?? { calls: 0, m: 0n }
    a.calls += r.events
    a.m += micros(r.cost_usd)
    total += micros(r.cost_usd)
    acc.set(k, a)
  }
  return [...acc.entries()]
    .sort(([a], [b]) => (order.indexOf(a) === -1 ? 99 : order.indexOf(a)) - (order.indexOf(b) === -1 ? 99 : order.indexOf(b)) || a.localeCompare(b))
    .map(([outcome, a]) => ({ outcome, calls: a.calls, cost_usd: fromScaledUsd(a.m), share: ratio(a.m, total) }))
}

const num = (n: number | null, digits = 2) => (n === null ? '' : n.toFixed(digits))

/** The steps table as CSV cells; money exact. */
export function stepsCsvRows(rows: TStepRow[]): string[][] {
  const columns: TCsvColumn<TStepRow>[] = [
    { header: 'step', cell: (r) => r.step },
    { header: 'calls', cell: (r) => String(r.calls) },
    { header: 'calls_per_run', cell: (r) => num(r.calls_per_run) },
    { header: 'tokens_in_per_call', cell: (r) => num(r.tokens_in_per_call, 1) },
    { header: 'tokens_out_per_call', cell: (r) => num(r.tokens_out_per_call, 1) },
    { header: 'spend_usd', cell: (r) => r.cost_usd },
    { header: 'share_percent', cell: (r) => csvPercent(r.share) },
    { header: 'cost_per_run_usd', cell: (r) => r.cost_per_run_usd ?? '' },
    { header: 'retry_tax_usd', cell: (r) => r.retry_usd },
    { header: 'retry_tax_percent', cell: (r) => csvPercent(r.retry_share) },
    { header: 'cache_hit_percent', cell: (r) => (r.cache_hit_rate === null ? '' : csvPercent(r.cache_hit_rate)) },
    { header: 'latency_p50_ms', cell: (r) => (r.latency_p50_ms === null ? '' : String(r.latency_p50_ms)) },
    { header: 'latency_p95_ms', cell: (r) => (r.latency_p95_ms === null ? '' : String(r.latency_p95_ms)) },
    { header: 'models', cell: (r) => r.models.join(' ') },
  ]
  return csvRows(columns, rows)
}
