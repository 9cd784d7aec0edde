import { z } from 'zod'
import { normalizeDecimal } from '@/lib/cost/money'
import { PRICE_SCALE } from '@/lib/cost/engine'

// PUT/GET /api/v1/prices bodies (issue contract): prices are decimal strings
// or numbers, stored exactly (at most 9 decimal places).

const decimal = z
  .union([z.string(), z.number()], { error: 'must be a decimal string or number' })
  .transform((v, ctx) => {
    const d = normalizeDecimal(v, PRICE_SCALE)
    if (d === null) {
      ctx.addIssue({ code: 'custom', message: `must be a non-negative decimal with at most ${PRICE_SCALE} decimal places` })
      return z.NEVER
    }
    return d
  })
const name = (max = 200) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).transform((s) => s.toLowerCase())
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
    prices: z.array(ZPriceInput).max(1000, 'at most 1000 prices per request').optional(),
    gpu_pools: z.array(ZGpuPoolInput).max(1000, 'at most 1000 pools per request').optional(),
  })
  .refine((b) => (b.prices?.length ?? 0) + (b.gpu_pools?.length ?? 0) > 0, 'send at least one of prices or gpu_pools')
export type TPricesPut = z.infer<typeof ZPricesPut>

export type TPriceView = {
  provider: string; model: string; effective_from: string; input_per_mtok: string; cached_input_per_mtok: string | null
  cache_write_per_mtok: string | null; output_per_mtok: string; per_request: string | null
  tiers: { above_input_tokens: number; input_per_mtok: string; cached_input_per_mtok?: string | null; cache_write_per_mtok?: string | null; output_per_mtok: string }[] | null
}
export type TGpuPoolView = { pool: string; gpu_type: string; gpu_hour_usd: string; effective_from: string }
