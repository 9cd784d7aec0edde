import { divRound, fromScaled, toScaled } from '@/lib/cost/money'

// GPU vs API per pool (seed 001's open-weight self-hosting): what a pool's calls cost per million tokens at its
// real utilization — the pool's paid capacity over the window, idle hours included, over the tokens it served —
// beside what the same calls would cost through an API: the open-weight model it runs at a hosted provider's list
// price (same_model), or the API models the same workflow steps use, at the rate they were billed (same_steps).
// Pure: lib/gpu/self-hosting-query.ts reads the figures. docs/gpu-fleet.md explains them.

export type TTokenMix = { calls: number; tokens_in: number; tokens_out: number }
/** An API way to serve a model's calls: a list price per million tokens, or the blended rate observed on the same steps. */
export type TApiAlternative =
  | { basis: 'same_model'; provider: string; model: string; input_per_mtok: string; output_per_mtok: string }
  | { basis: 'same_steps'; provider: string; model: string; usd_per_mtok: string }

/** The mix's cost with the alternative, in micro-dollars (rounded half up). */
export function costAtMix(mix: TTokenMix, alt: TApiAlternative): bigint {
  if (alt.basis === 'same_steps') return divRound(BigInt(mix.tokens_in + mix.tokens_out) * toScaled(alt.usd_per_mtok, 6), 1_000_000n)
  // prices in nano-dollars per million tokens: tokens × nano/M = micro × 10^9 … ÷ 10^9
  const nano = BigInt(mix.tokens_in) * toScaled(alt.input_per_mtok, 9) + BigInt(mix.tokens_out) * toScaled(alt.output_per_mtok, 9)
  return divRound(nano, 1_000_000_000n)
}

/** USD per million tokens, 6 decimals; null without tokens. */
export function perMtok(micros: bigint, tokens: number): string | null {
  return tokens > 0 ? fromScaled(divRound(micros * 1_000_000n, BigInt(tokens)), 6) : null
}

export type TModelComparison = {
  model: string
  mix: TTokenMix
  /** the cheapest alternative for these calls, with what they would cost through it */
  cheapest: (TApiAlternative & { cost_micros: bigint }) | null
}

/** Each model's cheapest API alternative for its own calls (null when none is known). */
export function cheapestAlternatives(models: { model: string; mix: TTokenMix; alternatives: TApiAlternative[] }[]): TModelComparison[] {
  return models.map(({ model, mix, alternatives }) => {
    let cheapest: TModelComparison['cheapest'] = null
    for (const a of alternatives) {
      const cost = costAtMix(mix, a)
      if (cost > 0n && (cheapest === null || cost < cheapest.cost_micros)) cheapest = { ...a, cost_micros: cost }
    }
    return { model, mix, cheapest }
  })
}

export type TPoolVerdict = {
  /** the API cost of the calls that have an alternative (the others are `unmatched_calls`) */
  api_micros: bigint
  unmatched_calls: number
  /** paid ÷ API cost: below 1 self-hosting is cheaper */
  ratio: number | null
  verdict: 'self_hosting_cheaper' | 'api_cheaper' | 'unknown'
  /** the average utilization at which the paid capacity would equal the API cost of the calls it would then serve (the same mix); > 1: never */
  break_even_utilization: number | null
}

/**
 * A pool against its calls' API cost. Only a pool whose every call has an alternative gets a verdict: comparing
 * the whole paid capacity with part of the calls would flatter the API.
 */
export function poolVerdict(paidMicros: bigint, avgUtilization: number | null, models: TModelComparison[]): TPoolVerdict {
  const api = models.reduce((s, m) => s + (m.cheapest?.cost_micros ?? 0n), 0n)
  const unmatched = models.reduce((s, m) => s + (m.cheapest ? 0 : m.mix.calls), 0)
  if (api === 0n || unmatched > 0) return { api_micros: api, unmatched_calls: unmatched, ratio: null, verdict: 'unknown', break_even_utilization: null }
  const ratio = Number(paidMicros) / Number(api)
  return {
    api_micros: api,
    unmatched_calls: 0,
    ratio,
    verdict: paidMicros <= api ? 'self_hosting_cheaper' : 'api_cheaper',
    // the calls (and their API cost) grow with the utilization; the paid capacity does not
    break_even_utilization: avgUtilization && avgUtilization > 0 ? avgUtilization * ratio : null,
  }
}
