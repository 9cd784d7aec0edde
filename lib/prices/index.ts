import 'server-only'
import { named } from '@/lib/sql'
import { inTransaction, pool } from '@/lib/db'
import type { TCostDiscrepancy, TGpuPoolView, TPriceView, TPricesPut, TUnpricedModel } from '@/lib/prices/schema'
import { scheduleReprice, type TRepriceScope } from '@/lib/reprice'
import { conflict } from '@/lib/errors'
import { fleetPoolNames } from '@/lib/gpu'
import { recordAudit } from '@/lib/audit'
import { badRequest } from '@/lib/errors'
import { catalogModelPrice } from '@/lib/cost/catalog'
import { scaleCatalogTiers, tiersDroppedWarning, type TTier } from '@/lib/prices/tiers'

const PRICE_COLUMNS = `provider, model, effective_from, input_per_mtok::text, cached_input_per_mtok::text, cache_write_per_mtok::text, output_per_mtok::text, per_request::text, tiers`
const GPU_PRICE_COLUMNS = `pool, gpu_type, gpu_hour_usd::text, effective_from`

// An organization's own prices (overrides of the shipped catalog) and GPU
// pool prices. Writing one re-prices exactly the events it can cover.

export async function listOrgPrices(orgId: string): Promise<{ prices: TPriceView[]; gpu_pools: TGpuPoolView[] }> {
  const [p, g] = await Promise.all([
    pool().query<TPriceView & { effective_from: Date }>(
      `SELECT provider, model, effective_from, input_per_mtok::text, cached_input_per_mtok::text, cache_write_per_mtok::text,
              output_per_mtok::text, per_request::text, tiers
       FROM prices WHERE org_id = $1 ORDER BY provider, model, effective_from`,
      [orgId],
    ),
    pool().query<TGpuPoolView & { effective_from: Date }>(
      `SELECT pool, gpu_type, gpu_hour_usd::text, effective_from FROM gpu_pool_prices WHERE org_id = $1 ORDER BY pool, effective_from`,
      [orgId],
    ),
  ])
  const trim = (v: string | null) => (v === null ? null : v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v)
  return {
    prices: p.rows.map((r) => ({
      ...r,
      effective_from: r.effective_from.toISOString(),
      input_per_mtok: trim(r.input_per_mtok)!,
      cached_input_per_mtok: trim(r.cached_input_per_mtok),
      cache_write_per_mtok: trim(r.cache_write_per_mtok),
      output_per_mtok: trim(r.output_per_mtok)!,
      per_request: trim(r.per_request),
    })),
    gpu_pools: g.rows.map((r) => ({ ...r, gpu_hour_usd: trim(r.gpu_hour_usd)!, effective_from: r.effective_from.toISOString() })),
  }
}

/**
 * The tiers each price is saved with: its own, or (keep_catalog_tiers) the catalog's scaled by the same discount; and
 * a warning for each price saved without tiers over a catalog entry that has some.
 */
export function resolveTiers(prices: TPricesPut['prices']): { tiers: (TTier[] | undefined)[]; warnings: string[] } {
  const warnings: string[] = []
  const errors: string[] = []
  const tiers = (prices ?? []).map((p, i) => {
    if (p.tiers?.length) return p.tiers
    const catalog = catalogModelPrice(p.provider, p.model, p.effective_from) ?? catalogModelPrice(p.provider, p.model, new Date())
    const catalogTiers = catalog?.tiers ?? []
    if (p.keep_catalog_tiers) {
      if (!catalog || catalogTiers.length === 0) {
        errors.push(`prices.${i}.keep_catalog_tiers: the catalog has no long-context tiers for ${p.provider}/${p.model}`)
        return undefined
      }
      return scaleCatalogTiers(p, catalog)
    }
    if (catalogTiers.length) warnings.push(tiersDroppedWarning(p.provider, p.model, catalogTiers))
    return p.tiers
  })
  if (errors.length) throw badRequest('Invalid prices', { errors })
  return { tiers, warnings }
}

/** Upsert (same provider, model and effective_from replaces) and schedule re-pricing of what they cover. */
export async function putOrgPrices(orgId: string, body: TPricesPut): Promise<{ reprice_job_ids: string[]; warnings: string[] }> {
  const { tiers, warnings } = resolveTiers(body.prices)
  const owned = await fleetPoolNames(
    orgId,
    (body.gpu_pools ?? []).map((g) => g.pool),
  )
  if (owned.length) {
    throw conflict(
      `GPU pool${owned.length > 1 ? 's' : ''} ${owned.join(', ')} ${owned.length > 1 ? 'are' : 'is'} priced by the GPU fleet: change the price with PATCH /api/v1/gpu/pools (a new version)`,
    )
  }
  const scopes: TRepriceScope[] = []
  await inTransaction(async (client) => {
    for (const [i, p] of (body.prices ?? []).entries()) {
      const before = await client.query(
        `SELECT ${PRICE_COLUMNS} FROM prices WHERE org_id = $1 AND provider = $2 AND model = $3 AND effective_from = $4 FOR UPDATE`,
        [orgId, p.provider, p.model, p.effective_from],
      )
      const after = await client.query(
        named(
          `INSERT INTO prices (id, org_id, provider, model, effective_from, input_per_mtok, cached_input_per_mtok, cache_write_per_mtok, output_per_mtok, per_request, tiers)
           VALUES (gen_random_uuid(), :org_id, :provider, :model, :effective_from, :input_per_mtok, :cached_input_per_mtok, :cache_write_per_mtok,
                   :output_per_mtok, :per_request, :tiers::jsonb)
           ON CONFLICT (org_id, provider, model, effective_from) DO UPDATE SET
             input_per_mtok = EXCLUDED.input_per_mtok, cached_input_per_mtok = EXCLUDED.cached_input_per_mtok,
             cache_write_per_mtok = EXCLUDED.cache_write_per_mtok, output_per_mtok = EXCLUDED.output_per_mtok,
             per_request = EXCLUDED.per_request, tiers = EXCLUDED.tiers
           RETURNING ${PRICE_COLUMNS}`,
          {
            org_id: orgId,
            provider: p.provider,
            model: p.model,
            effective_from: p.effective_from,
            input_per_mtok: p.input_per_mtok,
            cached_input_per_mtok: p.cached_input_per_mtok ?? null,
            cache_write_per_mtok: p.cache_write_per_mtok ?? null,
            output_per_mtok: p.output_per_mtok,
            per_request: p.per_request ?? null,
            tiers: tiers[i]?.length ? JSON.stringify(tiers[i]) : null,
          },
        ),
      )
      const id = `${p.provider}/${p.model}@${after.rows[0].effective_from.toISOString()}`
      await recordAudit(client, orgId, { action: 'price.set', target: { type: 'price', id }, before: before.rows[0] ?? null, after: after.rows[0] })
      scopes.push({ provider: p.provider, model: p.model, gpuPool: null, from: p.effective_from })
    }
    for (const g of body.gpu_pools ?? []) {
      const before = await client.query(`SELECT ${GPU_PRICE_COLUMNS} FROM gpu_pool_prices WHERE org_id = $1 AND pool = $2 AND effective_from = $3 FOR UPDATE`, [
        orgId,
        g.pool,
        g.effective_from,
      ])
      const after = await client.query(
        `INSERT INTO gpu_pool_prices (id, org_id, pool, gpu_type, gpu_hour_usd, effective_from) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)
         ON CONFLICT (org_id, pool, effective_from) DO UPDATE SET gpu_type = EXCLUDED.gpu_type, gpu_hour_usd = EXCLUDED.gpu_hour_usd
         RETURNING ${GPU_PRICE_COLUMNS}`,
        [orgId, g.pool, g.gpu_type, g.gpu_hour_usd, g.effective_from],
      )
      const id = `${g.pool}@${after.rows[0].effective_from.toISOString()}`
      await recordAudit(client, orgId, {
        action: 'gpu_pool_price.set',
        target: { type: 'gpu_pool_price', id },
        before: before.rows[0] ?? null,
        after: after.rows[0],
      })
      scopes.push({ provider: null, model: null, gpuPool: g.pool, from: g.effective_from })
    }
  })
  const reprice_job_ids = await scheduleReprice(orgId, scopes)
  return { reprice_job_ids, warnings }
}

export type { TCostDiscrepancy, TUnpricedModel }

export async function listUnpriced(orgId: string): Promise<TUnpricedModel[]> {
  const r = await pool().query<{ provider: string | null; model: string | null; events: string; first_seen: Date; last_seen: Date }>(
    `SELECT provider, model, count(*)::text AS events, min(timestamp) AS first_seen, max(timestamp) AS last_seen
     FROM inference_events WHERE org_id = $1 AND cost_usd IS NULL GROUP BY provider, model ORDER BY count(*) DESC LIMIT 200`,
    [orgId],
  )
  return r.rows.map((x) => ({ ...x, events: Number(x.events), first_seen: x.first_seen.toISOString(), last_seen: x.last_seen.toISOString() }))
}

/** Where the provider-reported cost differs from ours by more than 1% (per event), summed by model. */
export async function listDiscrepancies(orgId: string, from: Date, to: Date): Promise<TCostDiscrepancy[]> {
  const r = await pool().query<{
    provider: string | null
    model: string | null
    events: string
    computed_usd: string
    reported_usd: string
    difference_usd: string
  }>(
    `SELECT provider, model, count(*)::text AS events, round(sum(cost_usd), 6)::text AS computed_usd,
            round(sum(reported_cost_usd), 6)::text AS reported_usd, round(sum(cost_usd - reported_cost_usd), 6)::text AS difference_usd
     FROM inference_events
     WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3 AND reported_cost_usd IS NOT NULL AND cost_usd IS NOT NULL
       AND abs(cost_usd - reported_cost_usd) > 0.01 * greatest(reported_cost_usd, cost_usd)
     GROUP BY provider, model ORDER BY abs(sum(cost_usd - reported_cost_usd)) DESC LIMIT 200`,
    [orgId, from, to],
  )
  return r.rows.map((x) => ({ ...x, events: Number(x.events) }))
}
