import { divRound, fromScaled, toScaled, trimTrailingZeros } from '@/lib/cost/money'
import { formatCount } from '@/lib/format'

// Long-context tiers of a negotiated price (docs/prices.md "Long-context tiers"). Pure and client-safe: the server
// scales the catalog's tiers for PUT /api/v1/prices with keep_catalog_tiers, and the price form previews the same.

const SCALE = 9 // PRICE_SCALE (lib/cost/engine.ts): prices are exact to 9 decimals

type TRates = { input_per_mtok: string; cached_input_per_mtok?: string | null; cache_write_per_mtok?: string | null; output_per_mtok: string }
export type TTier = TRates & { above_input_tokens: number }

const plain = (n: bigint) => {
  const s = fromScaled(n, SCALE)
  return s.includes('.') ? trimTrailingZeros(s).replace(/\.$/, '') : s
}

/**
 * The catalog's tiers scaled by the same discount as this price: each tier rate × (this price's base rate ÷ the
 * catalog's base rate of the same kind), rounded half up to 9 decimals. A kind the catalog or this price leaves out
 * (cached input, cache write) scales with the input rate; an output base of 0 in the catalog keeps the input ratio.
 */
export function scaleCatalogTiers(price: TRates, catalog: TRates & { tiers?: readonly TTier[] | null }): TTier[] {
  const n = (v: string | null | undefined) => (v == null ? null : toScaled(v, SCALE))
  const catIn = n(catalog.input_per_mtok)!
  const ownIn = n(price.input_per_mtok)!
  const ratio = (own: bigint | null, cat: bigint | null): [bigint, bigint] => (own !== null && cat !== null && cat > 0n ? [own, cat] : [ownIn, catIn])
  const rIn = ratio(ownIn, catIn)
  const rCached = ratio(n(price.cached_input_per_mtok), n(catalog.cached_input_per_mtok))
  const rWrite = ratio(n(price.cache_write_per_mtok), n(catalog.cache_write_per_mtok))
  const rOut = ratio(n(price.output_per_mtok), n(catalog.output_per_mtok))
  const scale = (v: string, [own, cat]: [bigint, bigint]) => (cat > 0n ? plain(divRound(toScaled(v, SCALE) * own, cat)) : v)
  return (catalog.tiers ?? []).map((t) => ({
    above_input_tokens: t.above_input_tokens,
    input_per_mtok: scale(t.input_per_mtok, rIn),
    ...(t.cached_input_per_mtok != null ? { cached_input_per_mtok: scale(t.cached_input_per_mtok, rCached) } : {}),
    ...(t.cache_write_per_mtok != null ? { cache_write_per_mtok: scale(t.cache_write_per_mtok, rWrite) } : {}),
    output_per_mtok: scale(t.output_per_mtok, rOut),
  }))
}

/** "above 200,000 input tokens: $6 in, $22.5 out" */
export function tierText(t: TTier): string {
  const extra = [
    t.cached_input_per_mtok != null ? `$${t.cached_input_per_mtok} cached` : null,
    t.cache_write_per_mtok != null ? `$${t.cache_write_per_mtok} cache write` : null,
  ]
    .filter(Boolean)
    .join(', ')
  return `above ${formatCount(t.above_input_tokens)} input tokens: $${t.input_per_mtok} in${extra ? `, ${extra}` : ''}, $${t.output_per_mtok} out per M`
}

/** The warning for a price without tiers over a catalog entry with some: those calls would be under-priced. */
export function tiersDroppedWarning(provider: string, model: string, catalogTiers: readonly TTier[]): string {
  const first = Math.min(...catalogTiers.map((t) => t.above_input_tokens))
  return `${provider}/${model}: the catalog prices calls above ${formatCount(first)} input tokens at higher rates (long-context tiers); this price has no tiers, so those calls are priced at its base rates. Send tiers, or keep_catalog_tiers: true to keep the catalog's scaled by the same discount.`
}
