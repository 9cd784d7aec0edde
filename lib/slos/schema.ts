import { z } from 'zod'
import { normalizeDecimal } from '@/lib/cost/money'
import { ZInstant, ZUsd } from '@/lib/api/wire'

// GET/PUT/DELETE /api/v1/feature-slos bodies: a feature's cost SLO is the most
// one action (a run) of it should cost, a positive USD decimal stored exactly
// (at most 9 decimal places, numeric(20,9)).

export const SLO_SCALE = 9

const feature = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters')

const target = z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
  const d = normalizeDecimal(v, SLO_SCALE)
  // numeric(20,9): at most 11 digits before the point.
  if (d === null || !/[1-9]/.test(d) || d.split('.')[0].length > 11) {
    ctx.addIssue({ code: 'custom', message: `must be a positive USD amount with at most ${SLO_SCALE} decimal places, e.g. 0.05` })
    return z.NEVER
  }
  return d
})

export const ZFeatureSloInput = z.strictObject({ feature, target_usd_per_action: target })
export type TFeatureSloInput = z.infer<typeof ZFeatureSloInput>

export const ZFeatureSlosPut = z.strictObject({
  slos: z
    .array(ZFeatureSloInput)
    .min(1, 'send at least one SLO')
    .max(500, 'at most 500 SLOs per request')
    .refine((xs) => new Set(xs.map((x) => x.feature)).size === xs.length, 'each feature at most once'),
})
export type TFeatureSlosPut = z.infer<typeof ZFeatureSlosPut>

export const ZFeatureSloDeleteQuery = z.strictObject({ feature })
export type TFeatureSloDeleteQuery = z.infer<typeof ZFeatureSloDeleteQuery>

export const ZFeatureSloView = z.object({
  feature: z.string(),
  target_usd_per_action: ZUsd.meta({ description: 'the most one run of the feature should cost; exact decimal string, trailing zeros trimmed' }),
  unit: z.literal('run'),
  updated_at: ZInstant,
  updated_by: z.string().nullable().meta({ description: 'the user who set it; null when set with an API key' }),
})
export type TFeatureSloView = z.infer<typeof ZFeatureSloView>

export const ZFeatureSlosResponse = z.object({ slos: z.array(ZFeatureSloView) })
export type TFeatureSlosResponse = z.infer<typeof ZFeatureSlosResponse>
