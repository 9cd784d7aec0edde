import { z } from 'zod'
import { ZInstant, ZUsd } from '@/lib/api/wire'
import { DAY_MS, ENVIRONMENTS, TRAFFIC_SOURCES } from '@/lib/domain'
import { commaList, isoDateParam } from '@/lib/query-params'

// GET /api/v1/changes: the query and the answer (client-safe).

export const MAX_PERIOD_DAYS = 400

export const CHANGE_PARTS = ['volume', 'tokens', 'mix', 'price', 'retries'] as const
export type TChangePart = (typeof CHANGE_PARTS)[number]

const dateParam = isoDateParam
const list = commaList

export const ZChangesQuery = z
  .strictObject({
    a_from: dateParam.meta({ description: 'period A (the earlier one) start, ISO-8601' }),
    a_to: dateParam.meta({ description: 'period A end (exclusive)' }),
    b_from: dateParam.meta({ description: 'period B (the later one) start' }),
    b_to: dateParam.meta({ description: 'period B end (exclusive)' }),
    workflow_id: z.string().min(1, 'must not be empty').optional(),
    account_id: z.string().min(1, 'must not be empty').optional(),
    environment: list(ENVIRONMENTS).optional().meta({ description: 'comma list' }),
    traffic_source: list(TRAFFIC_SOURCES).optional().meta({ description: 'comma list' }),
  })
  .superRefine((q, ctx) => {
    for (const p of ['a', 'b'] as const) {
      const from = q[`${p}_from`]
      const to = q[`${p}_to`]
      // a date that failed its own check is still the raw string here (zod runs object refinements after non-aborting issues)
      if (!(from instanceof Date) || !(to instanceof Date)) continue
      if (from >= to) ctx.addIssue({ code: 'custom', path: [`${p}_to`], message: `must be after ${p}_from` })
      else if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS)
        ctx.addIssue({ code: 'custom', path: [`${p}_to`], message: `a period is at most ${MAX_PERIOD_DAYS} days` })
    }
  })
export type TChangesQuery = z.infer<typeof ZChangesQuery>

export const ZChangePartResult = z.object({
  part: z.enum(CHANGE_PARTS),
  label: z.string(),
  usd: ZUsd.meta({ description: 'exact, signed, 6 decimals' }),
  explanation: z.string().meta({ description: 'one plain line with the largest piece of evidence' }),
})
export type TChangePartResult = z.infer<typeof ZChangePartResult>

export const ZContributor = z.object({
  key: z.string().meta({ description: "what the row is: workflow_id; workflow_id/step; account_id; provider/model ('' for none)" }),
  workflow_id: z.string().optional(),
  step: z.string().optional(),
  account_id: z.string().optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
  a_usd: ZUsd,
  b_usd: ZUsd,
  delta_usd: ZUsd,
})
export type TContributor = z.infer<typeof ZContributor>

export const ZChangesPeriod = z.object({ from: ZInstant, to: ZInstant, cost_usd: ZUsd, events: z.number().int(), runs: z.number().int() })
export type TChangesPeriod = z.infer<typeof ZChangesPeriod>

export const ZChangesResponse = z.object({
  delta_usd: ZUsd,
  delta_ratio: z.number().nullable().meta({ description: 'delta ÷ A; null when A is 0' }),
  parts: z.array(ZChangePartResult),
  a: ZChangesPeriod,
  b: ZChangesPeriod,
  contributors: z.object({ workflows: z.array(ZContributor), steps: z.array(ZContributor), accounts: z.array(ZContributor), models: z.array(ZContributor) }),
})
export type TChangesResponse = z.infer<typeof ZChangesResponse>
