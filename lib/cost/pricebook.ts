import 'server-only'
import { pool } from '@/lib/db'
import { env } from '@/lib/env'
import { catalogModelPrice } from '@/lib/cost/catalog'
import { PriceBook, type TGpuPoolPrice, type TModelPrice, type TTierPrice } from '@/lib/cost/engine'

// An organization's price book: the shipped catalog plus its own rows.
// Workers cache it briefly; a price change re-prices through its own job.

const cache = new Map<string, { at: number; book: PriceBook }>()

export async function loadPriceBook(orgId: string): Promise<PriceBook> {
  const hit = cache.get(orgId)
  if (hit && Date.now() - hit.at < env().PRICE_CACHE_MS) return hit.book
  const [prices, pools] = await Promise.all([
    pool().query<{
      provider: string
      model: string
      effective_from: Date
      input_per_mtok: string
      cached_input_per_mtok: string | null
      cache_write_per_mtok: string | null
      output_per_mtok: string
      per_request: string | null
      tiers: TTierPrice[] | null
    }>(
      `SELECT provider, model, effective_from, input_per_mtok::text, cached_input_per_mtok::text, cache_write_per_mtok::text,
              output_per_mtok::text, per_request::text, tiers FROM prices WHERE org_id = $1`,
      [orgId],
    ),
    pool().query<{ pool: string; gpu_type: string; gpu_hour_usd: string; effective_from: Date }>(
      'SELECT pool, gpu_type, gpu_hour_usd::text, effective_from FROM gpu_pool_prices WHERE org_id = $1',
      [orgId],
    ),
  ])
  const own: TModelPrice[] = prices.rows.map((r) => ({ ...r, org_id: orgId }))
  const book = new PriceBook(own, pools.rows as TGpuPoolPrice[], catalogModelPrice)
  cache.set(orgId, { at: Date.now(), book })
  return book
}

export function forgetPriceBook(orgId: string): void {
  cache.delete(orgId)
}
