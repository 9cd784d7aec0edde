// Simulation of a draft before shipping: replay the step's production calls
// of a past window under the draft's selection (and cascade, and canary
// share) and compare with what they cost. Exact money (micro-dollars); the
// cascade's escalations are assumed to happen at the rate observed in the
// window (same threshold, same traffic), each one an extra call to the next
// model up the ladder.
import { DAY_MS, micros, microsToUsd } from '@/lib/domain'
import { divRound } from '@/lib/cost/money'
import { formatPercent, formatUsd } from '@/lib/format'
import type { z } from 'zod'
import { refKey, type TModelRef, type TPolicySpec, type ZSimulation } from '@/lib/routing/schema'
import type { TCallCost, TCandidateEvidence } from '@/lib/routing/select'

export const MONTH_DAYS = 30

export type TTrafficRow = { provider: string | null; model: string | null; outcome: string | null; events: number; cost_usd: string }

export type TSimulationInputs = {
  step: string
  window: { from: string; to: string }
  traffic: TTrafficRow[]
  spec: Pick<TPolicySpec, 'cascade' | 'canary' | 'quality_bar'>
  chosen: TModelRef | null
  candidates: TCandidateEvidence[]
  costs: Record<string, TCallCost>
}

export type TSimulation = z.infer<typeof ZSimulation>

const name = (r: { provider: string | null; model: string | null }) => (r.model ? `${r.provider ?? ''}/${r.model}` : '(no model)')

export function simulate(i: TSimulationInputs): TSimulation {
  const windowMs = Date.parse(i.window.to) - Date.parse(i.window.from)
  const days = windowMs / DAY_MS
  const perMonth = (m: bigint) => divRound(m * BigInt(MONTH_DAYS * DAY_MS), BigInt(windowMs))
  const base = i.traffic.filter((r) => r.outcome !== 'escalation')
  const B = base.reduce((s, r) => s + r.events, 0)
  const E = i.traffic.reduce((s, r) => s + (r.outcome === 'escalation' ? r.events : 0), 0)
  const actual = i.traffic.reduce((s, r) => s + micros(r.cost_usd), 0n)
  const p = i.spec.canary ? i.spec.canary.share_pct / 100 : 1
  const chosen = i.chosen ? refKey(i.chosen) : null
  const ladder = i.spec.cascade?.models.map(refKey) ?? []
  const next = chosen && ladder.length ? (ladder[ladder.indexOf(chosen) + 1] ?? null) : null
  const escalations = next ? E : 0
  const cost = (k: string | null) => (k && i.costs[k]?.cost_per_call_usd != null ? micros(i.costs[k].cost_per_call_usd!) : null)
  const cChosen = cost(chosen)
  const cNext = next ? cost(next) : 0n
  // The draft's cost for all of the window's calls; a canary takes its share of it, the rest costs what it did.
  const draftAll = cChosen !== null && cNext !== null ? cChosen * BigInt(B) + cNext * BigInt(escalations) : null
  const scale = (m: bigint) => divRound(m * BigInt(Math.round(p * 1e6)), 1_000_000n)
  const estimated = draftAll === null ? null : scale(draftAll) + (actual - scale(actual))

  const actualBy = new Map<string, number>()
  for (const r of i.traffic) actualBy.set(name(r), (actualBy.get(name(r)) ?? 0) + r.events)
  const estBy = new Map<string, number>()
  for (const [m, n] of actualBy) estBy.set(m, Math.round(n * (1 - p)))
  if (chosen) estBy.set(chosen, (estBy.get(chosen) ?? 0) + Math.round(B * p))
  if (next) estBy.set(next, (estBy.get(next) ?? 0) + Math.round(escalations * p))
  const actualTotal = [...actualBy.values()].reduce((a, b) => a + b, 0)
  const estTotal = [...estBy.values()].reduce((a, b) => a + b, 0)
  const shares = [...new Set([...actualBy.keys(), ...estBy.keys()])]
    .map((m) => ({
      model: m,
      actual_calls: actualBy.get(m) ?? 0,
      actual_share: actualTotal ? (actualBy.get(m) ?? 0) / actualTotal : 0,
      estimated_calls: estBy.get(m) ?? 0,
      estimated_share: estTotal ? (estBy.get(m) ?? 0) / estTotal : 0,
    }))
    .sort((a, b) => b.estimated_calls - a.estimated_calls || b.actual_calls - a.actual_calls)
  const onChosen = base.filter((r) => chosen && name(r) === chosen).reduce((s, r) => s + r.events, 0)
  const shifted = B ? ((B - onChosen) / B) * p : 0

  const best = i.candidates.find((c) => chosen && refKey(c) === chosen)
  const metrics = i.spec.quality_bar.map((q) => ({ metric: q.metric, min: q.min, score: best?.scores[q.metric]?.score ?? null }))
  const held = !!best && metrics.every((m) => m.score !== null && m.score >= m.min)
  const change = estimated === null ? null : estimated - actual
  const monthChange = change === null ? null : perMonth(change)
  const ratio = change === null || actual === 0n ? null : Number((change * 1_000_000n) / actual) / 1_000_000

  let headline: string
  if (B === 0) headline = `No production ${i.step} calls in this window: nothing to replay. Pick a longer window or wait for traffic.`
  else if (!chosen) headline = 'The draft selects no model: no candidate clears the quality bar with the eval results imported.'
  else if (estimated === null) headline = `No cost per call for ${cChosen === null ? chosen : next}: add its price (Pricing) to simulate.`
  else {
    const sign = monthChange! < 0n ? '−' : '+'
    const abs = monthChange! < 0n ? -monthChange! : monthChange!
    headline =
      `shifting ${formatPercent(shifted, 0)} of ${i.step} calls to ${chosen}: ${sign}${formatUsd(microsToUsd(abs))}/month` +
      (ratio === null ? '' : ` (${sign}${formatPercent(Math.abs(ratio), 0)})`) +
      `, quality bar ${held ? 'held' : 'not held'}` +
      (escalations ? `; about ${Math.round((escalations * p * MONTH_DAYS) / days)} escalations/month to ${next}` : '') +
      (i.spec.canary ? ` (canary: ${i.spec.canary.share_pct}% of ${i.spec.canary.stable_by === 'run_id' ? 'runs' : 'accounts'})` : '')
  }
  return {
    window: { ...i.window, days: Math.round(days * 100) / 100 },
    calls: B + E,
    chosen,
    actual_cost_usd: microsToUsd(actual),
    estimated_cost_usd: estimated === null ? null : microsToUsd(estimated),
    change_usd: change === null ? null : microsToUsd(change),
    change_ratio: ratio,
    per_month: {
      actual_usd: microsToUsd(perMonth(actual)),
      estimated_usd: estimated === null ? null : microsToUsd(perMonth(estimated)),
      change_usd: monthChange === null ? null : microsToUsd(monthChange),
    },
    shares,
    shifted_share: shifted,
    expected_escalations: Math.round(escalations * p),
    expected_escalations_per_month: Math.round((escalations * p * MONTH_DAYS) / (days || 1)),
    quality: { held, metrics },
    canary_share: i.spec.canary ? i.spec.canary.share_pct : null,
    headline,
  }
}
