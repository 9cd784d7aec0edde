import { z } from 'zod'
import { normalizeDecimal } from '@/lib/cost/money'
import { PRICE_SCALE } from '@/lib/cost/engine'
import { ZInstant, ZUsd } from '@/lib/api/wire'

// PUT/GET /api/v1/prices bodies (issue contract): prices are decimal strings
// or numbers, stored exactly (at most 9 decimal places).

const decimal = z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
  const d = normalizeDecimal(v, PRICE_SCALE)
  if (d === null) {
    ctx.addIssue({ code: 'custom', message: `must be a non-negative decimal with at most ${PRICE_SCALE} decimal places` })
    return z.NEVER
  }
  return d
})
const name = (max = 200) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .transform((s) => s.toLowerCase())
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time, e.g. 2026-01-01T00:00:00Z' }).transform((s) => new Date(s))

export const ZTierInput = z.strictObject({
  above_input_tokens: z.number().int('must be an integer').min(0, 'must be ≥ 0'),
  input_per_mtok: decimal,
  cached_input_per_mtok: decimal.optional(),
  cache_write_per_mtok: decimal.optional(),
  output_per_mtok: decimal,
})

export const ZPriceInput = z.strictObject({
  provider: name(128),
  model: name(),
  effective_from: instant,
  input_per_mtok: decimal,
  cached_input_per_mtok: decimal.optional(),
  cache_write_per_mtok: decimal.optional(),
  output_per_mtok: decimal,
  per_request: decimal.optional(),
  tiers: z.array(ZTierInput).max(10, 'at most 10 tiers').optional(),
  keep_catalog_tiers: z.boolean({ error: 'must be true or false' }).optional().meta({
    description:
      "true, without tiers: keep the catalog entry's long-context tiers for this model, each rate scaled by this price's ratio to the catalog's base rate of the same kind (a negotiated 20% off stays 20% off above 200k tokens)",
  }),
})
export type TPriceInput = z.infer<typeof ZPriceInput>

export const ZGpuPoolInput = z.strictObject({
  pool: z.string().trim().min(1, 'must not be empty').max(200),
  gpu_type: z.string().trim().min(1, 'must not be empty').max(100),
  gpu_hour_usd: decimal,
  effective_from: instant,
})
export type TGpuPoolInput = z.infer<typeof ZGpuPoolInput>

export const ZPricesPut = z
  .strictObject({
    prices: z
      .array(
        ZPriceInput.refine((p) => !(p.keep_catalog_tiers && p.tiers?.length), {
          path: ['keep_catalog_tiers'],
          message: 'send tiers or keep_catalog_tiers, not both',
        }),
      )
      .max(1000, 'at most 1000 prices per request')
      .optional(),
    gpu_pools: z.array(ZGpuPoolInput).max(1000, 'at most 1000 pools per request').optional(),
  })
  .refine((b) => (b.prices?.length ?? 0) + (b.gpu_pools?.length ?? 0) > 0, 'send at least one of prices or gpu_pools')
export type TPricesPut = z.infer<typeof ZPricesPut>
/** the body as a client sends it (decimals as strings or numbers, instants as ISO strings) */
export type TPricesPutBody = z.input<typeof ZPricesPut>

// Queries and answers.

const range = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((s) => new Date(s))
/** GET /api/v1/prices/discrepancies: a period (default: the last 30 days). */
export const ZDiscrepanciesQuery = z.strictObject({ from: range.optional(), to: range.optional() })
export const ZCatalogQuery = z.strictObject({
  q: z.string().max(200, 'must be at most 200 characters').default('').meta({ description: 'words that provider, model id or name must all contain' }),
})

/** A price per million tokens (or per request), USD, as an exact decimal string. */
const ZPrice = ZUsd
export const ZTierPrice = z.object({
  above_input_tokens: z.number().int(),
  input_per_mtok: ZPrice,
  cached_input_per_mtok: ZPrice.nullable().optional(),
  cache_write_per_mtok: ZPrice.nullable().optional(),
  output_per_mtok: ZPrice,
})
const priceFields = {
  provider: z.string(),
  model: z.string(),
  effective_from: ZInstant,
  input_per_mtok: ZPrice,
  cached_input_per_mtok: ZPrice.nullable(),
  cache_write_per_mtok: ZPrice.nullable(),
  output_per_mtok: ZPrice,
  per_request: ZPrice.nullable(),
  tiers: z.array(ZTierPrice).nullable().meta({ description: 'prices above an input-token threshold (long-context pricing)' }),
}
export const ZPriceView = z.object(priceFields)
export type TPriceView = z.infer<typeof ZPriceView>
export const ZGpuPoolView = z.object({ pool: z.string(), gpu_type: z.string(), gpu_hour_usd: ZUsd, effective_from: ZInstant })
export type TGpuPoolView = z.infer<typeof ZGpuPoolView>
export const ZOrgPrices = z.object({ prices: z.array(ZPriceView), gpu_pools: z.array(ZGpuPoolView) })
export const ZPricesPutAnswer = ZOrgPrices.extend({
  reprice_job_ids: z.array(z.string()).meta({ description: 'the re-pricing jobs scheduled for the events the new prices cover (GET /api/v1/reprice-jobs)' }),
  warnings: z.array(z.string()).meta({
    description:
      'prices saved without tiers for a model whose catalog entry has long-context tiers: calls above the threshold are priced at the base rates (send tiers or keep_catalog_tiers: true)',
  }),
})

export const ZCatalogEntry = z.object({ ...priceFields, name: z.string().nullable() })
export type TCatalogEntry = z.infer<typeof ZCatalogEntry>
export const ZCatalogAnswer = z.object({ source: z.string().meta({ description: 'the price database and its date' }), models: z.array(ZCatalogEntry) })

export const ZUnpricedModel = z.object({
  provider: z.string().nullable(),
  model: z.string().nullable(),
  events: z.number().int(),
  first_seen: ZInstant,
  last_seen: ZInstant,
})
export type TUnpricedModel = z.infer<typeof ZUnpricedModel>
export const ZCostDiscrepancy = z.object({
  provider: z.string().nullable(),
  model: z.string().nullable(),
  events: z.number().int(),
  computed_usd: ZUsd,
  reported_usd: ZUsd,
  difference_usd: ZUsd,
})
export type TCostDiscrepancy = z.infer<typeof ZCostDiscrepancy>
export const ZDiscrepanciesAnswer = z.object({ from: ZInstant, to: ZInstant, models: z.array(ZCostDiscrepancy) })

export const REPRICE_STATUSES = ['queued', 'running', 'done', 'failed'] as const
export const ZRepriceJobView = z.object({
  id: z.string(),
  status: z.enum(REPRICE_STATUSES),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  gpu_pool: z.string().nullable(),
  from: ZInstant.nullable(),
  total: z.number().int(),
  processed: z.number().int(),
  changed: z.number().int(),
  error: z.string().nullable(),
  created_at: ZInstant,
  finished_at: ZInstant.nullable(),
})
export type TRepriceJobView = z.infer<typeof ZRepriceJobView>
