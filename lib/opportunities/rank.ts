import { toScaled, fromScaled } from '@/lib/cost/money'
import { DAY_MS } from '@/lib/domain'
import type { TOpportunitiesAnswer, TOpportunity, TOpportunityAction } from '@/lib/opportunities/schema'
import { DRAFT_CACHE_TTL_S, routingDraftPath } from '@/lib/opportunities/view'

// The opportunities from their rollup sums: the money, the evidence, the
// formula in one sentence, the action, largest saving first. Pure (unit-tested);
// lib/opportunities/load.ts reads the sums.

/** A workflow step's repeat sums over the range (rollups_hourly_repeats). Money as decimal strings. */
export type TRepeatSums = {
  workflow_id: string
  step: string
  repeat_calls: number
  repeat_cost_usd: string
  repeat_unpriced: number
  output_compared: number
  output_matched: number
  waste_repeat_cost_usd: string
  first_calls: number
}

/** A workflow step's re-runs over the range (rollups_hourly_reruns: calls that re-ran it after it had succeeded in the run). */
export type TRerunSums = {
  workflow_id: string
  step: string
  rerun_calls: number
  rerun_cost_usd: string
  rerun_unpriced: number
  /** the re-runs' cost that response_cache also counts (they repeat an earlier input of the step) */
  rerun_repeat_cost_usd: string
}

/** A workflow step's calls of one outcome over the range (the cost rollups). */
export type TStepOutcomeSums = { workflow_id: string; step: string; outcome: string; events: number; cost_usd: string; unpriced_events: number }

const MICRO = 6
const micros = (usd: string) => toScaled(usd, MICRO)
const usd = (m: bigint) => fromScaled(m, MICRO)

/** savings × 30 days ÷ the range's length, to the micro-dollar (half up). */
export function perMonth(savingsMicros: bigint, rangeMs: number): bigint {
  if (rangeMs <= 0) return 0n
  const num = savingsMicros * 30n * BigInt(DAY_MS) * 2n
  const den = BigInt(Math.round(rangeMs)) * 2n
  const q = num / den
  return num % den >= den / 2n ? q + 1n : q
}

const stepPath = (workflow: string, step: string) => `workflows/${encodeURIComponent(workflow)}/steps/${encodeURIComponent(step)}`
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
const percent = (x: number) => `${Math.round(x * 100)}%`

export function responseCacheOpportunity(r: TRepeatSums, rangeMs: number): TOpportunity {
  const savings = micros(r.repeat_cost_usd)
  const deterministic = r.output_compared > 0 ? r.output_matched / r.output_compared : null
  const action: TOpportunityAction = {
    label: 'Draft a response cache (a day) in the step’s routing policy: it serves repeated inputs',
    path: routingDraftPath({ workflow_id: r.workflow_id, step: r.step, cache_ttl_s: DRAFT_CACHE_TTL_S, saving: usd(perMonth(savings, rangeMs)) }),
  }
  return {
    id: `response_cache:${r.workflow_id}:${r.step}`,
    kind: 'response_cache',
    workflow_id: r.workflow_id,
    step: r.step,
    savings_usd: usd(savings),
    savings_usd_per_month: usd(perMonth(savings, rangeMs)),
    basis: 'measured',
    evidence: {
      repeat_calls: r.repeat_calls,
      distinct_inputs: r.first_calls,
      hashed_calls: r.first_calls + r.repeat_calls,
      unpriced_repeats: r.repeat_unpriced,
      output_compared: r.output_compared,
      output_matched: r.output_matched,
      deterministic_share: deterministic,
    },
    explanation:
      `The cost of the ${plural(r.repeat_calls, 'call')} of this step whose input_hash equals that of an earlier call of the step, which a response cache would have served` +
      (deterministic === null
        ? ' (no output_hash to tell whether the step is deterministic).'
        : `; ${percent(deterministic)} of them returned the first call's output_hash.`),
    action,
  }
}

/** Per step, the retry and error calls among its outcome rows, and its re-runs; null when the step has none. */
export function retriesOpportunity(rows: TStepOutcomeSums[], rangeMs: number, reruns?: TRerunSums): TOpportunity | null {
  const { workflow_id, step } = rows[0]
  const of = (o: string) => rows.filter((r) => r.outcome === o)
  const sum = (xs: TStepOutcomeSums[], f: (r: TStepOutcomeSums) => bigint) => xs.reduce((a, r) => a + f(r), 0n)
  const retry = of('retry')
  const error = of('error')
  const retryCalls = retry.reduce((a, r) => a + r.events, 0)
  const errorCalls = error.reduce((a, r) => a + r.events, 0)
  const rerunCalls = reruns?.rerun_calls ?? 0
  if (retryCalls + errorCalls + rerunCalls === 0) return null
  const retryCost = sum(retry, (r) => micros(r.cost_usd))
  const errorCost = sum(error, (r) => micros(r.cost_usd))
  const rerunCost = reruns ? micros(reruns.rerun_cost_usd) : 0n
  const stepCost = sum(rows, (r) => micros(r.cost_usd))
  const savings = retryCost + errorCost + rerunCost
  const failed = `${plural(retryCalls, 'call')} with outcome retry and ${plural(errorCalls, 'call')} with outcome error: calls whose result was discarded or failed`
  return {
    id: `retries:${workflow_id}:${step}`,
    kind: 'retries',
    workflow_id,
    step,
    savings_usd: usd(savings),
    savings_usd_per_month: usd(perMonth(savings, rangeMs)),
    basis: 'measured',
    evidence: {
      retry_calls: retryCalls,
      error_calls: errorCalls,
      retry_cost_usd: usd(retryCost),
      error_cost_usd: usd(errorCost),
      rerun_calls: rerunCalls,
      rerun_cost_usd: usd(rerunCost),
      unpriced_calls: [...retry, ...error].reduce((a, r) => a + r.unpriced_events, 0) + (reruns?.rerun_unpriced ?? 0),
      step_calls: rows.reduce((a, r) => a + r.events, 0),
      step_cost_usd: usd(stepCost),
      share_of_step_cost: stepCost > 0n ? Number((savings * 1_000_000n) / stepCost) / 1_000_000 : null,
    },
    explanation:
      rerunCalls === 0
        ? `The cost of this step's ${failed}.`
        : `The cost of this step's ${failed}; and of its ${plural(rerunCalls, 'call')} that re-ran it after it had already succeeded in the same run (a run restarted from the top, or a client that timed out a call that succeeded) — idempotent step boundaries would have kept the first result.`,
    action: { label: 'Open the step: its retry rate per model and routing policy (a fallback or another model)', path: stepPath(workflow_id, step) },
  }
}

/** Largest saving first; ties by kind, workflow, step (a stable order for the page). */
export function rankOpportunities(xs: TOpportunity[]): TOpportunity[] {
  const key = (o: TOpportunity) => `${o.kind}\u0000${o.workflow_id}\u0000${o.step}`
  return [...xs].sort((a, b) => {
    const d = micros(b.savings_usd) - micros(a.savings_usd)
    if (d !== 0n) return d > 0n ? 1 : -1
    return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0
  })
}

/**
 * The answer: the measured kinds from their sums and the estimated ones as
 * given (lib/opportunities/estimate.ts), ranked, with the totals (a repeat that
 * was also a retry or error counted once; per month, the rows' own figures summed).
 */
export function buildOpportunities(input: {
  from: Date
  to: Date
  repeats: TRepeatSums[]
  stepOutcomes: TStepOutcomeSums[]
  reruns?: TRerunSums[]
  estimated?: TOpportunity[]
}): TOpportunitiesAnswer {
  const rangeMs = input.to.getTime() - input.from.getTime()
  const found: TOpportunity[] = []
  for (const r of input.repeats) if (r.repeat_calls > 0) found.push(responseCacheOpportunity(r, rangeMs))
  const bySteps = new Map<string, TStepOutcomeSums[]>()
  for (const r of input.stepOutcomes) {
    const k = JSON.stringify([r.workflow_id, r.step])
    const list = bySteps.get(k)
    if (list) list.push(r)
    else bySteps.set(k, [r])
  }
  const reruns = new Map((input.reruns ?? []).map((r) => [JSON.stringify([r.workflow_id, r.step]), r]))
  for (const [k, rows] of bySteps) {
    const o = retriesOpportunity(rows, rangeMs, reruns.get(k))
    if (o) found.push(o)
  }
  found.push(...(input.estimated ?? []))
  // a repeat that was also a retry, an error or a re-run is in two opportunities: the total counts it once
  const twice =
    input.repeats.reduce((a, r) => a + micros(r.waste_repeat_cost_usd), 0n) + (input.reruns ?? []).reduce((a, r) => a + micros(r.rerun_repeat_cost_usd), 0n)
  const total = found.reduce((a, o) => a + micros(o.savings_usd), 0n) - twice
  const totalMonth = found.reduce((a, o) => a + micros(o.savings_usd_per_month), 0n) - perMonth(twice, rangeMs)
  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    total_savings_usd: usd(total),
    total_savings_usd_per_month: usd(totalMonth),
    counted_twice_usd: usd(twice),
    opportunities: rankOpportunities(found),
  }
}
