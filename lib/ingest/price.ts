import { COST_SCALE, type PriceBook, type TCostResult } from '@/lib/cost/engine'
import { fromScaled } from '@/lib/cost/money'
import type { TIngestEvent } from '@/lib/ingest/schema'

// The price the ingest worker stores for an event: the organization's price
// book, except for a call answered from a response cache, which cost nothing
// (PRODUCT.md, the gateway: "cost 0"), whatever its model and requests.

const ZERO = fromScaled(0n, COST_SCALE)
const RESPONSE_CACHE_HIT: TCostResult = { priced: true, cost_usd: ZERO, cache_savings_usd: ZERO, price_effective_from: null }

export function priceIngestEvent(book: Pick<PriceBook, 'price'>, e: TIngestEvent): TCostResult {
  if (e.response_cache_hit === true) return RESPONSE_CACHE_HIT
  return book.price({ ...e, timestamp: new Date(e.timestamp) })
}
