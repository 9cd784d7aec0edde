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

/** A published version's behaviour over the window: all calls on its frozen selection, escalations up its cascade. */
export type TSimRoute = { version: number; chosen: TModelRef | null; cascade: TPolicySpec['cascade'] }
/** Shares of the traffic (summing to 1) and the route each share takes; route null: the caller's default (the calls as they were). */
export type TMix = { share: number; route: TSimRoute | null }[]

export type TSimulationInputs = {
  step: string
  window: { from: string; to: string }
  traffic: TTrafficRow[]
  spec: Pick<TPolicySpec, 'cascade' | 'canary' | 'quality_bar'>
  chosen: TModelRef | null
  candidates: TCandidateEvidence[]
  costs: Record<string, TCallCost>
  /** where the rest of a canary draft goes (the stable version); null or absent: the caller's default */
  stable?: TSimRoute | null
  /** what the draft is compared with: the version in force (and its own canary split); null or absent: the window's actual calls */
  baseline?: { route: TSimRoute; canary: TPolicySpec['canary']; stable: TSimRoute | null } | null
}

export type TSimulation = z.infer<typeof ZSimulation>

const name = (r: { provider: string | null; model: string | null }) => (r.model ? `${r.provider ?? ''}/${r.model}` : '(no model)')

/** A version with a canary: its share on it, the rest on its stable side; without: all on it. */
export function mixOf(route: TSimRoute | null, canary: TPolicySpec['canary'], stable: TSimRoute | null): TMix {
  if (!canary) return [{ share: 1, route }]
  const p = canary.share_pct / 100
  return [
    { share: p, route },
    { share: 1 - p, route: stable },
  ]
}

type TRouteOutcome = { cost: bigint | null; calls: Map<string, number>; escalations: number; next: string | null }

/** The window's calls under one route (null: as they were). */
function underRoute(
  route: TSimRoute | null,
  t: { B: number; E: number; actual: bigint; actualBy: Map<string, number> },
  cost: (k: string | null) => bigint | null,
): TRouteOutcome {
  if (!route) return { cost: t.actual, calls: t.actualBy, escalations: 0, next: null }
  const chosen = route.chosen ? refKey(route.chosen) : null
  const ladder = route.cascade?.models.map(refKey) ?? []
  const next = chosen && ladder.length ? (ladder[ladder.indexOf(chosen) + 1] ?? null) : null
  const escalations = next ? t.E : 0
  const cChosen = cost(chosen)
  const cNext = next ? cost(next) : 0n
  const calls = new Map<string, number>()
  if (chosen) calls.set(chosen, t.B)
  if (next) calls.set(next, (calls.get(next) ?? 0) + escalations)
  return { cost: cChosen !== null && cNext !== null ? cChosen * BigInt(t.B) + cNext * BigInt(escalations) : null, calls, escalations, next }
}

/** The share of the window's (non-escalation) calls whose model differs between two routes. */
function moved(a: TSimRoute | null, b: TSimRoute | null, base: TTrafficRow[], B: number): number {
  const ka = a?.chosen ? refKey(a.chosen) : null
  const kb = b?.chosen ? refKey(b.chosen) : null
  if (!a && !b) return 0
  if (a && b) return ka === kb ? 0 : 1
  const k = a ? ka : kb
  const on = base.filter((r) => k && name(r) === k).reduce((s, r) => s + r.events, 0)
  return B ? (B - on) / B : 0
}

export function simulate(i: TSimulationInputs): TSimulation {
  const windowMs = Date.parse(i.window.to) - Date.parse(i.window.from)
  const days = windowMs / DAY_MS
  const perMonth = (m: bigint) => divRound(m * BigInt(MONTH_DAYS * DAY_MS), BigInt(windowMs))
  const base = i.traffic.filter((r) => r.outcome !== 'escalation')
  const B = base.reduce((s, r) => s + r.events, 0)
  const E = i.traffic.reduce((s, r) => s + (r.outcome === 'escalation' ? r.events : 0), 0)
  const actual = i.traffic.reduce((s, r) => s + micros(r.cost_usd), 0n)
  const actualBy = new Map<string, number>()
  for (const r of i.traffic) actualBy.set(name(r), (actualBy.get(name(r)) ?? 0) + r.events)
  const t = { B, E, actual, actualBy }
  const cost = (k: string | null) => (k && i.costs[k]?.cost_per_call_usd != null ? micros(i.costs[k].cost_per_call_usd!) : null)
  const scale = (m: bigint, share: number) => divRound(m * BigInt(Math.round(share * 1e6)), 1_000_000n)

  const draftRoute: TSimRoute = { version: 0, chosen: i.chosen, cascade: i.spec.cascade }
  const draftMix = mixOf(draftRoute, i.spec.canary, i.stable ?? null)
  const baseMix: TMix = i.baseline ? mixOf(i.baseline.route, i.baseline.canary, i.baseline.stable) : [{ share: 1, route: null }]
  const run = (mix: TMix) => {
    const parts = mix.map((a) => ({ ...a, out: underRoute(a.route, t, cost) }))
    const unpriced = parts.find((x) => x.out.cost === null)
    const total = unpriced ? null : parts.reduce((s, x) => s + scale(x.out.cost!, x.share), 0n)
    const calls = new Map<string, number>()
    for (const x of parts) for (const [m, n] of x.out.calls) calls.set(m, (calls.get(m) ?? 0) + Math.round(n * x.share))
    const escalations = parts.reduce((s, x) => s + x.out.escalations * x.share, 0)
    return { total, calls, escalations, unpriced: unpriced?.route ?? null, parts }
  }
  const draft = run(draftMix)
  const baseline = run(baseMix)
  const estimated = draft.total
  const chosen = i.chosen ? refKey(i.chosen) : null
  const next = draft.parts[0].out.next
  const p = i.spec.canary ? i.spec.canary.share_pct / 100 : 1
  const escalations = next ? E : 0

  const estBy = draft.calls
  const baseBy = baseline.calls
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)
  const actualTotal = sum(actualBy)
  const estTotal = sum(estBy)
  const baseTotal = sum(baseBy)
  const shares = [...new Set([...actualBy.keys(), ...baseBy.keys(), ...estBy.keys()])]
    .map((m) => ({
      model: m,
      actual_calls: actualBy.get(m) ?? 0,
      actual_share: actualTotal ? (actualBy.get(m) ?? 0) / actualTotal : 0,
      baseline_calls: baseBy.get(m) ?? 0,
      baseline_share: baseTotal ? (baseBy.get(m) ?? 0) / baseTotal : 0,
      estimated_calls: estBy.get(m) ?? 0,
      estimated_share: estTotal ? (estBy.get(m) ?? 0) / estTotal : 0,
    }))
    .sort((a, b) => b.estimated_calls - a.estimated_calls || b.baseline_calls - a.baseline_calls || b.actual_calls - a.actual_calls)
  let shifted = 0
  for (const d of draftMix) for (const b of baseMix) shifted += d.share * b.share * moved(d.route, b.route, base, B)

  const best = i.candidates.find((c) => chosen && refKey(c) === chosen)
  const metrics = i.spec.quality_bar.map((q) => ({ metric: q.metric, min: q.min, score: best?.scores[q.metric]?.score ?? null }))
  const held = !!best && metrics.every((m) => m.score !== null && m.score >= m.min)
  const against = baseline.total
  const change = estimated === null || against === null ? null : estimated - against
  const monthChange = change === null ? null : perMonth(change)
  const ratio = change === null || against === null || against === 0n ? null : Number((change * 1_000_000n) / against) / 1_000_000
  const vs = i.baseline ? ` against v${i.baseline.route.version} in force` : ''

  let headline: string
  if (B === 0) headline = `No production ${i.step} calls in this window: nothing to replay. Pick a longer window or wait for traffic.`
  else if (!chosen) headline = 'The draft selects no model: no candidate clears the quality bar with the eval results imported.'
  else if (estimated === null) {
    // an unpriced arm always has a route (the calls as they were have their cost): its model, or its cascade's next one
    const r = draft.unpriced!
    const missing = r.chosen && cost(refKey(r.chosen)) === null ? refKey(r.chosen) : underRoute(r, t, cost).next
    headline = `No cost per call for ${missing}: add its price (Pricing) to simulate.`
  } else if (against === null) {
    const r = baseline.unpriced!
    headline = `No cost per call for ${r.chosen ? refKey(r.chosen) : '(no model)'}, the model of v${r.version} in force: add its price (Pricing) to compare with it.`
  } else {
    const sign = monthChange! < 0n ? '−' : '+'
    const abs = monthChange! < 0n ? -monthChange! : monthChange!
    headline =
      `shifting ${formatPercent(shifted, 0)} of ${i.step} calls to ${chosen}: ${sign}${formatUsd(microsToUsd(abs))}/month` +
      (ratio === null ? '' : ` (${sign}${formatPercent(Math.abs(ratio), 0)})`) +
      vs +
      `, quality bar ${held ? 'held' : 'not held'}` +
      (escalations ? `; about ${Math.round((escalations * p * MONTH_DAYS) / days)} escalations/month to ${next}` : '') +
      (i.spec.canary
        ? ` (canary: ${i.spec.canary.share_pct}% of ${i.spec.canary.stable_by === 'run_id' ? 'runs' : 'accounts'}, the rest on ${i.stable ? `v${i.stable.version}` : "the caller's default model"})`
        : '')
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
    baseline: {
      kind: i.baseline ? 'version' : 'actual',
      version: i.baseline ? i.baseline.route.version : null,
      cost_usd: against === null ? null : microsToUsd(against),
      per_month_usd: against === null ? null : microsToUsd(perMonth(against)),
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
