import { EVAL_TRAFFIC_SOURCES, isProductionCall } from '@/lib/domain'
import { largestRemainder, ruleWeights, type TAllocationRule } from '@/lib/gpu/allocate'
import { divRound, divRoundKeepingSum, toScaled } from '@/lib/cost/money'
import { microsToUsd } from '@/lib/gpu/cost'
import { perOutcomeMicros } from '@/lib/finance/parts'
import { SCENARIO_PARTS, type TPoolAllocation, type TScenarioCostMonth, type TScenarioMonth, type TScenarioPart } from '@/lib/scenarios/schema'

// Scenario cost (issue 8), pure: for each scenario (scenario_id, or the
// workflow when none is set) and month, production inference + its share of
// the pools' capacity not already charged through calls + eval and benchmark
// runs + internal traffic + engineering and operations line items; and cost
// per accepted outcome. Money is integer micro-dollars.

export { SCENARIO_PARTS, type TPoolAllocation, type TScenarioCostMonth, type TScenarioMonth, type TScenarioPart } from '@/lib/scenarios/schema'

export const UNASSIGNED = '(unassigned)'

export type TCallRow = {
  month: string
  scenario: string
  traffic_source: string
  environment: string
  gpu_pool: string | null
  /** exact decimal sums (the calls' cost, and the GPU part of it at the pool's price) */
  cost_usd: string
  gpu_seconds: number
  gpu_cost_usd: string
}
export type TPoolMonth = {
  name: string
  role: string
  serves: string[]
  allocation: TAllocationRule
  shares: Record<string, number> | null
  cost_micros: Map<string, bigint>
}
export type TLineItemRow = { month: string; scenario: string; category: 'engineering' | 'operations'; amount_micros: bigint }
export type TOutcomeRow = { month: string; scenario: string; accepted: number }

/** Which part a call is: production traffic in production, eval/replay, or the rest (ops traffic, staging and development calls). */
export function callPart(trafficSource: string, environment: string): TScenarioPart {
  if ((EVAL_TRAFFIC_SOURCES as readonly string[]).includes(trafficSource)) return 'eval_benchmark'
  if (isProductionCall(trafficSource, environment)) return 'production_inference'
  return 'internal_traffic'
}

export function capacityPart(role: string): TScenarioPart {
  return role === 'production' ? 'production_capacity' : role === 'reserve' ? 'reserve' : 'non_production_capacity'
}

const PICO = 1_000_000n // 1e-12 USD per micro-dollar step: calls are summed exactly, rounded to micro-dollars once per part
const pico = (usd: string) => toScaled(usd, 12)

export function buildScenarioCost(month: string, calls: TCallRow[], pools: TPoolMonth[], items: TLineItemRow[], outcomes: TOutcomeRow[]): TScenarioCostMonth {
  const acc = new Map<string, Record<TScenarioPart, bigint>>()
  const add = (scenario: string, part: TScenarioPart, micros: bigint) => {
    let row = acc.get(scenario)
    if (!row) {
      row = Object.fromEntries(SCENARIO_PARTS.map((p) => [p, 0n])) as Record<TScenarioPart, bigint>
      acc.set(scenario, row)
    }
    row[part] += micros
  }
  const mCalls = calls.filter((c) => c.month === month)
  for (const c of mCalls) add(c.scenario, callPart(c.traffic_source, c.environment), pico(c.cost_usd))

  const poolOut: TPoolAllocation[] = []
  for (const p of pools) {
    const cost = p.cost_micros.get(month) ?? 0n
    const onPool = mCalls.filter((c) => c.gpu_pool === p.name)
    const used = divRound(
      onPool.reduce((s, c) => s + pico(c.gpu_cost_usd), 0n),
      PICO,
    )
    if (cost === 0n && used === 0n) continue
    // What calls already paid for (their GPU-seconds at the pool's price) is in their scenarios' call parts; the rest of the pool is shared out.
    const remainder = cost > used ? cost - used : 0n
    const seconds = new Map<string, number>()
    for (const c of onPool) seconds.set(c.scenario, (seconds.get(c.scenario) ?? 0) + c.gpu_seconds)
    const serves = p.serves.length ? p.serves : [UNASSIGNED]
    const weights = ruleWeights(p.allocation, serves, seconds, p.shares)
    const split = largestRemainder(remainder, weights)
    const part = capacityPart(p.role)
    for (const [s, m] of split) add(s, part, m * PICO)
    const noWeight = !weights.some((w) => w.weight > 0)
    poolOut.push({
      pool: p.name,
      role: p.role,
      rule: p.allocation,
      cost_usd: microsToUsd(cost),
      used_by_calls_usd: microsToUsd(used),
      allocated_usd: microsToUsd(remainder),
      part,
      allocation: weights.map((w) => ({ scenario: w.key, usd: microsToUsd(split.get(w.key) ?? 0n), weight: w.weight })),
      note:
        used > cost
          ? `Calls on this pool used ${microsToUsd(used - cost)} USD more GPU time than the pool cost: check its size and the calls' gpu_seconds.`
          : p.serves.length === 0
            ? 'The pool names no scenario: its cost stays unassigned until it does.'
            : noWeight && remainder > 0n
              ? `No ${p.allocation === 'share' ? 'shares' : 'GPU-seconds'} this month: split evenly.`
              : null,
    })
  }
  for (const li of items.filter((i) => i.month === month)) add(li.scenario, li.category, li.amount_micros * PICO)

  const accepted = new Map<string, number>()
  for (const o of outcomes.filter((x) => x.month === month)) accepted.set(o.scenario, (accepted.get(o.scenario) ?? 0) + o.accepted)

  // Every scenario's every part to the micro-dollar, the parts adding up to the month's exact sum rounded once: the
  // calls' parts then add up to the calls' cost as the metrics API sums it (the overview, the lists, the monthly report),
  // not to a sum of separately rounded parts a few micro-dollars away. The total is the sum of the parts as shown.
  const entries = [...acc.entries()]
  const rounded = divRoundKeepingSum(
    entries.flatMap(([, exact]) => SCENARIO_PARTS.map((p) => exact[p])),
    PICO,
  )
  let grand = 0n
  const scenarios: TScenarioMonth[] = entries.map(([scenario], i) => {
    const parts = Object.fromEntries(SCENARIO_PARTS.map((p, j) => [p, rounded[i * SCENARIO_PARTS.length + j]])) as Record<TScenarioPart, bigint>
    const total = SCENARIO_PARTS.reduce((s, p) => s + parts[p], 0n)
    grand += total
    const n = accepted.get(scenario) ?? 0
    return {
      scenario,
      parts: Object.fromEntries(SCENARIO_PARTS.map((p) => [p, microsToUsd(parts[p])])) as Record<TScenarioPart, string>,
      total_usd: microsToUsd(total),
      accepted_outcomes: n,
      cost_per_accepted_outcome_usd: n > 0 ? microsToUsd(perOutcomeMicros(total, n)) : null,
    }
  })
  scenarios.sort((a, b) => Number(b.total_usd) - Number(a.total_usd) || a.scenario.localeCompare(b.scenario))
  return { month, scenarios, pools: poolOut, total_usd: microsToUsd(grand) }
}
