import { divRound, fromScaled, toScaled } from '@/lib/cost/money'
import { resolveModelKey } from '@/lib/cost/models'

// PRODUCT.md "Cost":
//   cost = ((I − R − W)·p_in + R·p_cached_in + W·p_cache_write + O·p_out) / 1e6
//          + Q·p_request + (G / 3600)·p_gpu_hour(pool)
// Prices (USD per million tokens) become integers scaled by 1e9; tokens ×
// that integer is then exactly the cost in USD scaled by 1e15 (the /1e6 is a
// shift of scale). Everything is summed at that scale and rounded once, to
// 1e-12 USD, at the end: a 10-token embedding call still costs something.

export const PRICE_SCALE = 9
export const COST_SCALE = 12 // stored: numeric(30,12)
const WORK_SCALE = PRICE_SCALE + 6

export type TTierPrice = {
  above_input_tokens: number
  input_per_mtok: string
  cached_input_per_mtok?: string | null
  cache_write_per_mtok?: string | null
  output_per_mtok: string
}

export type TModelPrice = {
  provider: string
  model: string
  effective_from: Date
  input_per_mtok: string
  cached_input_per_mtok?: string | null
  cache_write_per_mtok?: string | null
  output_per_mtok: string
  per_request?: string | null
  tiers?: TTierPrice[] | null
  /** null/undefined: the default catalog; set: the organization's override */
  org_id?: string | null
}

export type TGpuPoolPrice = { pool: string; gpu_type: string; gpu_hour_usd: string; effective_from: Date }

export type TCostInput = {
  provider?: string | null
  model?: string | null
  timestamp: Date
  tokens_in?: number
  cached_tokens_in?: number
  cache_write_tokens?: number
  tokens_out?: number
  requests?: number
  gpu_seconds?: number | string | null
  gpu_pool?: string | null
}

export type TCostResult =
  | { priced: true; cost_usd: string; cache_savings_usd: string; price_effective_from: Date | null }
  | { priced: false; reason: 'no_model_price' | 'no_gpu_pool_price' }

type TRates = { pIn: bigint; pCached: bigint; pWrite: bigint; pOut: bigint }

function rates(r: { input_per_mtok: string; cached_input_per_mtok?: string | null; cache_write_per_mtok?: string | null; output_per_mtok: string }): TRates {
  const pIn = toScaled(r.input_per_mtok, PRICE_SCALE)
  return {
    pIn,
    // A missing cache price means no discount (cache read) or no surcharge (write): p_in.
    pCached: r.cached_input_per_mtok != null ? toScaled(r.cached_input_per_mtok, PRICE_SCALE) : pIn,
    pWrite: r.cache_write_per_mtok != null ? toScaled(r.cache_write_per_mtok, PRICE_SCALE) : pIn,
    pOut: toScaled(r.output_per_mtok, PRICE_SCALE),
  }
}

/** The tier for a call: the highest threshold strictly below its input size (null: the base rates); it applies to every token. */
export function tierFor(price: TModelPrice, tokensIn: number): TTierPrice | null {
  let chosen: TTierPrice | null = null
  for (const t of price.tiers ?? []) {
    if (tokensIn > t.above_input_tokens && (!chosen || t.above_input_tokens > chosen.above_input_tokens)) chosen = t
  }
  return chosen
}

export function ratesFor(price: TModelPrice, tokensIn: number): TRates {
  return rates(tierFor(price, tokensIn) ?? price)
}

/** Price one event with already-chosen prices (null: no price for that component). */
export function computeCost(ev: TCostInput, price: TModelPrice | null, pool: TGpuPoolPrice | null): TCostResult {
  const I = BigInt(ev.tokens_in ?? 0)
  const R = BigInt(ev.cached_tokens_in ?? 0)
  const W = BigInt(ev.cache_write_tokens ?? 0)
  const O = BigInt(ev.tokens_out ?? 0)
  const Q = BigInt(ev.requests ?? 1)
  const hasGpu = ev.gpu_seconds != null && Number(ev.gpu_seconds) > 0

  // A self-hosted call is priced by its GPU time; a token price is optional then.
  if (!price && !hasGpu) return { priced: false, reason: 'no_model_price' }
  if (hasGpu && !pool) return { priced: false, reason: 'no_gpu_pool_price' }

  let work = 0n // USD × 10^15
  let savings = 0n
  if (price) {
    const r = ratesFor(price, Number(I))
    work += (I - R - W) * r.pIn + R * r.pCached + W * r.pWrite + O * r.pOut // (USD/Mtok ×1e9) × tokens = USD ×1e15
    if (price.per_request != null) work += Q * toScaled(price.per_request, PRICE_SCALE) * 1_000_000n
    savings = R * (r.pIn - r.pCached) - W * (r.pWrite - r.pIn)
  }
  if (hasGpu && pool) {
    const G = toScaled(ev.gpu_seconds as number | string, 6) // seconds × 1e6
    const pHour = toScaled(pool.gpu_hour_usd, PRICE_SCALE) // USD/h × 1e9
    work += divRound(G * pHour, 3600n) // USD × 1e15
  }
  const k = 10n ** BigInt(WORK_SCALE - COST_SCALE)
  return {
    priced: true,
    cost_usd: fromScaled(divRound(work, k), COST_SCALE),
    cache_savings_usd: fromScaled(divRound(savings, k), COST_SCALE),
    price_effective_from: price?.effective_from ?? null,
  }
}

/** The default catalog's price in force for a call (lib/cost/catalog.ts catalogModelPrice), or null. */
export type TCatalogLookup = (provider: string | null | undefined, model: string, at: Date) => TModelPrice | null

/**
 * A price book for one organization: its overrides (and any explicit catalog
 * rows), each versioned by effective_from, over the default catalog lookup.
 * Lookups pick the row in force at the event's timestamp: the organization's
 * override first, then an explicit catalog row, then the catalog lookup.
 */
export class PriceBook {
  private models = new Map<string, TModelPrice[]>() // key → rows sorted by effective_from desc, overrides first
  private pools = new Map<string, TGpuPoolPrice[]>()

  constructor(
    prices: TModelPrice[],
    pools: TGpuPoolPrice[] = [],
    private catalog: TCatalogLookup | null = null,
  ) {
    for (const p of prices) {
      const key = modelKey(p.provider, p.model)
      const list = this.models.get(key) ?? []
      list.push(p)
      this.models.set(key, list)
    }
    for (const list of this.models.values()) {
      list.sort((a, b) => Number(!!b.org_id) - Number(!!a.org_id) || b.effective_from.getTime() - a.effective_from.getTime())
    }
    for (const p of pools) {
      const list = this.pools.get(p.pool) ?? []
      list.push(p)
      this.pools.set(p.pool, list)
    }
    for (const list of this.pools.values()) list.sort((a, b) => b.effective_from.getTime() - a.effective_from.getTime())
  }

  modelPrice(provider: string | null | undefined, model: string | null | undefined, at: Date): TModelPrice | null {
    if (!model) return null
    const key = resolveModelKey(provider ?? null, model, (k) => this.models.has(k))
    if (key) {
      const list = this.models.get(key)!
      const t = at.getTime()
      // Overrides come first in the list: an override in force wins over any catalog row.
      const row = list.find((p) => p.org_id && p.effective_from.getTime() <= t) ?? list.find((p) => !p.org_id && p.effective_from.getTime() <= t)
      if (row) return row
    }
    // No row in force (none, or an override that starts later): the default catalog.
    return this.catalog?.(provider, model, at) ?? null
  }

  poolPrice(pool: string | null | undefined, at: Date): TGpuPoolPrice | null {
    if (!pool) return null
    return this.pools.get(pool)?.find((p) => p.effective_from.getTime() <= at.getTime()) ?? null
  }

  price(ev: TCostInput): TCostResult {
    return computeCost(ev, this.modelPrice(ev.provider, ev.model, ev.timestamp), this.poolPrice(ev.gpu_pool, ev.timestamp))
  }
}

export function modelKey(provider: string | null | undefined, model: string): string {
  return `${(provider ?? '').toLowerCase()}/${model.toLowerCase()}`
}
