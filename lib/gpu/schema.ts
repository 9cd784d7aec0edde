import { z } from 'zod'
import { normalizeDecimal } from '@/lib/cost/money'
import { POOL_ROLES } from '@/lib/gpu/cost'
import { ZDay, ZInstant, ZRatio, ZUsd, ZUuid } from '@/lib/api/wire'

// /api/v1/gpu queries, bodies and answers (client-safe).

const usd = (scale: number) =>
  z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
    const d = normalizeDecimal(v, scale)
    if (d === null) {
      ctx.addIssue({ code: 'custom', message: `must be a non-negative decimal with at most ${scale} decimal places` })
      return z.NEVER
    }
    return d
  })
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time, e.g. 2026-11-01T00:00:00Z' }).transform((s) => new Date(s))
const label = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)

export const ALLOCATIONS = ['gpu_seconds', 'share', 'even'] as const
export const PRICINGS = ['hourly', 'amortized'] as const

const poolFields = {
  role: z.enum(POOL_ROLES, { error: `must be one of ${POOL_ROLES.join(', ')}` }),
  gpu_type: label(100),
  region: label(100).nullable().optional(),
  serves: z.array(label(200), { error: 'must be a list of scenario or workflow ids' }).max(100, 'at most 100 scenarios').optional(),
  allocation: z.enum(ALLOCATIONS, { error: `must be one of ${ALLOCATIONS.join(', ')}` }).optional(),
  shares: z
    .record(label(200), z.number({ error: 'must be a number' }).positive('must be > 0').finite(), { error: 'must be an object of scenario → weight' })
    .nullable()
    .optional(),
}

const versionFields = {
  gpu_count: z.number({ error: 'must be an integer' }).int('must be an integer').min(0, 'must be ≥ 0').max(100_000, 'must be at most 100000'),
  effective_from: instant.optional(),
  pricing: z.enum(PRICINGS, { error: 'must be hourly or amortized' }),
  gpu_hour_usd: usd(9).optional(),
  purchase_usd_per_gpu: usd(6).optional(),
  amortization_months: z.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be ≥ 1').max(240, 'must be at most 240').optional(),
  power_hosting_usd_per_gpu_hour: usd(9).optional(),
}

type TPriceFields = { pricing?: 'hourly' | 'amortized'; gpu_hour_usd?: string; purchase_usd_per_gpu?: string; amortization_months?: number }

/** An hourly pool needs gpu_hour_usd; an amortized one the purchase price and months (power/hosting defaults to 0). */
function requirePriceFields(b: TPriceFields, ctx: z.RefinementCtx) {
  if (b.pricing === 'hourly' && b.gpu_hour_usd === undefined)
    ctx.addIssue({ code: 'custom', path: ['gpu_hour_usd'], message: 'is required when pricing is hourly' })
  if (b.pricing === 'amortized') {
    if (b.purchase_usd_per_gpu === undefined) ctx.addIssue({ code: 'custom', path: ['purchase_usd_per_gpu'], message: 'is required when pricing is amortized' })
    if (b.amortization_months === undefined) ctx.addIssue({ code: 'custom', path: ['amortization_months'], message: 'is required when pricing is amortized' })
  }
}

function sharesNeedServes(b: { allocation?: string; shares?: Record<string, number> | null; serves?: string[] }, ctx: z.RefinementCtx) {
  if (b.shares && b.serves) {
    for (const k of Object.keys(b.shares))
      if (!b.serves.includes(k)) ctx.addIssue({ code: 'custom', path: ['shares', k], message: 'is not one of the scenarios the pool serves' })
  }
}

export const ZPoolCreate = z
  .strictObject({
    name: label(200).regex(/^[\w.:/-]+$/, 'may hold letters, digits and . _ - : / only (it is the gpu_pool events carry)'),
    ...poolFields,
    ...versionFields,
  })
  .superRefine((b, ctx) => {
    requirePriceFields(b, ctx)
    sharesNeedServes(b, ctx)
    if (b.allocation === 'share' && !b.shares) ctx.addIssue({ code: 'custom', path: ['shares'], message: 'is required when allocation is share' })
  })
export type TPoolCreate = z.infer<typeof ZPoolCreate>

/**
 * A change: pool fields apply at once; a size or price change is a new version
 * from effective_from (default now), carrying what it does not name from the
 * version in force then. `name` identifies the pool on PATCH /api/v1/gpu/pools.
 */
export const ZPoolPatch = z
  .strictObject({
    name: label(200).optional(),
    ...poolFields,
    role: poolFields.role.optional(),
    gpu_type: poolFields.gpu_type.optional(),
    gpu_count: versionFields.gpu_count.optional(),
    effective_from: versionFields.effective_from,
    pricing: versionFields.pricing.optional(),
    gpu_hour_usd: versionFields.gpu_hour_usd,
    purchase_usd_per_gpu: versionFields.purchase_usd_per_gpu,
    amortization_months: versionFields.amortization_months,
    power_hosting_usd_per_gpu_hour: versionFields.power_hosting_usd_per_gpu_hour,
  })
  .superRefine((b, ctx) => {
    requirePriceFields(b, ctx)
    sharesNeedServes(b, ctx)
  })
export type TPoolPatch = z.infer<typeof ZPoolPatch>

export const VERSION_KEYS = ['gpu_count', 'pricing', 'gpu_hour_usd', 'purchase_usd_per_gpu', 'amortization_months', 'power_hosting_usd_per_gpu_hour'] as const

export const MAX_SAMPLES = 10_000

/** One sample: gpu_index absent means the pool's mean over its GPUs. */
export const ZSample = z.strictObject({
  timestamp: instant,
  pool: label(200),
  gpu_index: z.number({ error: 'must be an integer' }).int('must be an integer').min(0, 'must be ≥ 0').max(9999, 'must be at most 9999').nullable().optional(),
  utilization_pct: z.number({ error: 'must be a number from 0 to 100' }).min(0, 'must be ≥ 0').max(100, 'must be ≤ 100'),
  memory_used_mib: z.number({ error: 'must be a number' }).min(0, 'must be ≥ 0').nullable().optional(),
})
export type TSample = z.infer<typeof ZSample>

export const ZSamplesEnvelope = z.strictObject({
  samples: z
    .array(z.unknown(), { error: 'must be an array of samples' })
    .min(1, 'must hold at least one sample')
    .max(MAX_SAMPLES, `at most ${MAX_SAMPLES} samples per request`),
})

export const ZFleetQuery = z.strictObject({
  days: z.coerce.number({ error: 'must be a number of days' }).int('must be an integer').min(1, 'must be ≥ 1').max(365, 'must be at most 365').default(30),
})

// Answers.

export const ZPoolId = z.strictObject({ id: z.uuid({ error: 'must be a pool id (a UUID)' }) })

const ZGpuUsd = ZUsd.meta({ description: 'USD per GPU-hour, an exact decimal string' })
export const ZPoolVersionView = z.object({
  effective_from: ZInstant,
  gpu_count: z.number().int(),
  pricing: z.enum(PRICINGS),
  gpu_hour_usd: ZGpuUsd.nullable().meta({ description: 'hourly pricing: USD per GPU-hour' }),
  purchase_usd_per_gpu: ZUsd.nullable().meta({ description: 'amortized pricing: the purchase price of one GPU' }),
  amortization_months: z.number().int().nullable(),
  power_hosting_usd_per_gpu_hour: ZUsd.nullable(),
  effective_gpu_hour_usd: ZGpuUsd.meta({ description: 'what one GPU-hour costs under this version (amortized: purchase ÷ hours + power and hosting)' }),
})
export type TPoolVersionView = z.infer<typeof ZPoolVersionView>

export const ZPoolView = z.object({
  id: ZUuid,
  name: z.string().meta({ description: 'the gpu_pool events carry' }),
  role: z.string().meta({ description: POOL_ROLES.join(', ') }),
  gpu_type: z.string(),
  region: z.string().nullable(),
  serves: z.array(z.string()).meta({ description: 'the scenarios or workflows the pool serves' }),
  allocation: z.enum(ALLOCATIONS),
  shares: z.record(z.string(), z.number()).nullable().meta({ description: 'allocation share: scenario → weight' }),
  current: ZPoolVersionView.nullable().meta({ description: 'the version in force now (null: the pool starts later)' }),
  versions: z.array(ZPoolVersionView),
  created_at: ZInstant,
  updated_at: ZInstant,
})
export type TPoolView = z.infer<typeof ZPoolView>

export const ZPoolAnswer = z.object({ pool: ZPoolView })
export const ZPoolChangeAnswer = z.object({
  pool: ZPoolView,
  reprice_job_ids: z
    .array(z.string())
    .meta({ description: 'the re-pricing jobs scheduled for the events the new size or price covers (GET /api/v1/reprice-jobs)' }),
})

export const ZSamplesQuery = z.strictObject({
  pool: label(200).optional().meta({ description: 'CSV body: the pool the samples are of (required then)' }),
  utc_offset: z
    .string()
    .max(20, 'must be at most 20 characters')
    .optional()
    .meta({ description: 'CSV body: the offset of the timestamps, e.g. +02:00 (default UTC)' }),
})

export const ZSamplesAnswer = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int().meta({ description: 'samples already stored (same pool, GPU and timestamp), counted once' }),
  rejected: z.array(
    z.object({
      index: z.number().int().optional().meta({ description: "JSON body: the sample's index" }),
      line: z.number().int().optional().meta({ description: 'CSV body: the line number' }),
      errors: z.array(z.string()),
    }),
  ),
})
export type TSamplesAnswer = z.infer<typeof ZSamplesAnswer>

const ZShare = ZRatio
export const ZFleetPool = z.object({
  id: ZUuid,
  name: z.string(),
  role: z.string(),
  gpu_type: z.string(),
  region: z.string().nullable(),
  serves: z.array(z.string()),
  gpu_count: z.number().int(),
  gpu_hour_usd: ZUsd.nullable().meta({ description: 'the effective price per GPU-hour now (null: no version in force)' }),
  monthly_usd: ZUsd.meta({ description: 'run-rate: GPUs × price × 730 h' }),
  period_cost_usd: ZUsd,
  idle_cost_usd: ZUsd.meta({ description: 'the share of the measured hours’ cost the GPUs were idle' }),
  unmeasured_cost_usd: ZUsd.meta({ description: 'the cost of hours without utilization samples' }),
  avg_utilization: ZShare.nullable(),
  p95_utilization: ZShare.nullable(),
  hours_measured: z.number().int(),
  hours: z.number().int(),
})
export type TFleetPool = z.infer<typeof ZFleetPool>
export const ZFleetRole = z.object({
  role: z.string(),
  pools: z.number().int(),
  gpus: z.number().int(),
  monthly_usd: ZUsd,
  share: ZShare.meta({ description: 'of the monthly run-rate' }),
  period_cost_usd: ZUsd,
  idle_cost_usd: ZUsd,
})
export type TFleetRole = z.infer<typeof ZFleetRole>
export const ZFleetHint = z.object({
  pool: z.string(),
  role: z.string(),
  text: z.string(),
  needed_gpus: z.number().int(),
  gpu_count: z.number().int(),
  release_gpus: z.number().int(),
  avg_utilization: ZShare,
  p95_utilization: ZShare,
  headroom: ZShare,
  window_days: z.number().int(),
  hours_measured: z.number().int(),
  saving_per_month_usd: ZUsd,
})
export type TFleetHint = z.infer<typeof ZFleetHint>
export const ZFleetSummary = z.object({
  period: z.object({ from: ZInstant, to: ZInstant, days: z.number().int() }),
  totals: z.object({
    pools: z.number().int(),
    gpus: z.number().int(),
    monthly_usd: ZUsd,
    period_cost_usd: ZUsd,
    idle_cost_usd: ZUsd,
    unmeasured_cost_usd: ZUsd,
    avg_utilization: ZShare.nullable(),
  }),
  roles: z.array(ZFleetRole),
  pools: z.array(ZFleetPool),
  utilization: z.array(
    z.object({
      day: ZDay,
      values: z.record(z.string(), ZShare.nullable()).meta({ description: 'daily mean utilization (0–1) per pool name; null: no samples that day' }),
    }),
  ),
  hints: z.array(ZFleetHint).meta({ description: 'right-sizing hints, largest saving first' }),
  right_sizing: z.object({
    window_days: z.number().int(),
    headroom: ZShare,
    saving_per_month_usd: ZUsd.meta({ description: "the hints' savings per month together (each pool sized on the last window_days days)" }),
    rule: z.string(),
  }),
})
export type TFleetSummary = z.infer<typeof ZFleetSummary>

// GPU vs API (GET /api/v1/gpu/self-hosting): lib/gpu/self-hosting.ts.

export const ZSelfHostingAlternative = z.object({
  basis: z.enum(['same_model', 'same_steps']).meta({
    description:
      'same_model: the open-weight model the pool runs, at a hosted API provider’s list price (the catalog); same_steps: an API model the same workflow steps use, at the blended rate it was billed there',
  }),
  provider: z.string(),
  model: z.string(),
  cost_usd: ZUsd.meta({ description: 'what the pool’s calls of this model would cost through it' }),
  usd_per_mtok: ZUsd.nullable().meta({ description: 'that cost per million tokens (input and output)' }),
})

export const ZSelfHostingPool = z.object({
  pool: z.string(),
  role: z.string(),
  gpu_type: z.string(),
  paid_usd: ZUsd.meta({ description: 'the pool’s paid capacity over the window, idle hours included (the fleet page’s period cost)' }),
  avg_utilization: ZShare.nullable(),
  calls: z.number().int(),
  tokens: z.number().int().meta({ description: 'input + output tokens of its calls in the window' }),
  usd_per_mtok: ZUsd.nullable().meta({ description: 'paid_usd per million tokens served: the cost at its real utilization' }),
  api_cost_usd: ZUsd.meta({ description: 'the cheapest API alternative of each of its models, summed' }),
  api_usd_per_mtok: ZUsd.nullable(),
  ratio: ZRatio.nullable().meta({ description: 'paid ÷ API cost: below 1 self-hosting is cheaper; null without a verdict' }),
  verdict: z.enum(['self_hosting_cheaper', 'api_cheaper', 'unknown']).meta({
    description: 'unknown when some calls have no API alternative, or the pool served no call',
  }),
  break_even_utilization: ZRatio.nullable().meta({
    description: 'the average utilization at which the paid capacity equals the API cost of the calls it would then serve; above 1: never',
  }),
  unmatched_calls: z.number().int().meta({ description: 'calls of models no API alternative is known for' }),
  models: z.array(
    z.object({
      model: z.string(),
      calls: z.number().int(),
      tokens_in: z.number().int(),
      tokens_out: z.number().int(),
      alternative: ZSelfHostingAlternative.nullable().meta({ description: 'the cheapest known; null: none' }),
    }),
  ),
})

export const ZSelfHostingAnswer = z.object({
  period: z.object({ from: ZInstant, to: ZInstant, days: z.number().int() }),
  pools: z.array(ZSelfHostingPool).meta({ description: 'every pool, as the fleet page lists them' }),
})
export type TSelfHostingAnswer = z.infer<typeof ZSelfHostingAnswer>
