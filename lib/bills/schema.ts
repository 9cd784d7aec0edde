import { z } from 'zod'
import { ZDay, ZInstant, ZRatio, ZUsd, ZUuid } from '@/lib/api/wire'

// Bills and reconciliation (PRODUCT.md "Bills, reconciliation and margin"): the query strings and answers
// (client-safe: the Bills and Reconciliation pages type their requests with them). docs/finance.md explains the figures.

/** The files POST /api/v1/bills reads (lib/bills/parse.ts). */
export const BILL_FORMATS = ['simple', 'focus', 'openai', 'anthropic'] as const
export type TBillFormat = (typeof BILL_FORMATS)[number]

/** How many refused lines an import's answer lists (all are counted). */
export const MAX_REJECTED_LISTED = 1000

export const ZBillImportQuery = z.strictObject({
  source: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(100, 'at most 100 characters')
    .meta({ description: 'the name of this bill (e.g. openai-2026-11): importing a source again replaces it' }),
  format: z
    .enum(BILL_FORMATS, { error: `must be one of: ${BILL_FORMATS.join(', ')}` })
    .optional()
    .meta({ description: 'the file format; default: recognized from the CSV header or the JSON shape' }),
})
export type TBillImportQuery = z.infer<typeof ZBillImportQuery>

export const ZBillImport = z.object({
  id: ZUuid,
  source: z.string(),
  format: z.enum(BILL_FORMATS),
  imported_at: ZInstant,
  lines: z.number().int().meta({ description: 'lines kept' }),
  rejected: z.number().int().meta({ description: 'lines refused' }),
  total_usd: ZUsd.meta({ description: 'the sum of the kept lines' }),
  first_day: ZDay.nullable().meta({ description: 'the earliest day a kept line bills' }),
  last_day: ZDay.nullable(),
})
export type TBillImport = z.infer<typeof ZBillImport>

export const ZRejectedLine = z.object({
  line: z.number().int().meta({ description: 'CSV: the line number in the file (1 is the header); JSON: the cost item’s position, from 1, in file order' }),
  reason: z.string(),
})
export type TRejectedLine = z.infer<typeof ZRejectedLine>

export const ZBillImportAnswer = z.object({
  import: ZBillImport,
  replaced: z.boolean().meta({ description: 'true when an import of the same source was replaced' }),
  rejected: z.array(ZRejectedLine).meta({ description: `the refused lines with their reasons (the first ${MAX_REJECTED_LISTED}; import.rejected counts all)` }),
})

export const ZBillId = z.object({ id: ZUuid })

// ─── reconciliation ───────────────────────────────────────────────────────────

export const RECONCILE_FLAG_RATIO = 0.01
export const RECONCILE_MAX_DAYS = 400

const DAY_RANGE = {
  from: ZDay.optional().meta({ description: 'first day (UTC), inclusive; default 30 days before `to`' }),
  to: ZDay.optional().meta({
    description:
      'last day (UTC), exclusive; default tomorrow (today included); with a `from` alone, at least the day after `from` and at most 400 days after it',
  }),
}

/** from before to, at most RECONCILE_MAX_DAYS apart (the reconciliation and the FOCUS export). */
function checkDayRange(q: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (q.from && q.to && q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
  if (q.from && q.to && Date.parse(q.to) - Date.parse(q.from) > RECONCILE_MAX_DAYS * 86_400_000)
    ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${RECONCILE_MAX_DAYS} days after from` })
}

export const ZReconciliationQuery = z
  .strictObject({
    ...DAY_RANGE,
    granularity: z.enum(['day', 'month'], { error: 'must be day or month' }).default('day').meta({ description: 'rows per day (default) or per month' }),
  })
  .superRefine(checkDayRange)
export type TReconciliationQuery = z.infer<typeof ZReconciliationQuery>

/** The likely causes of a flagged reconciliation row (lib/bills/causes.ts reads them from the data). */
export const CAUSE_KINDS = [
  'unpriced_events',
  'not_reported',
  'not_billed',
  'non_model_charges',
  'price_change',
  'rate_differs',
  'missing_cache_writes',
  'billed_above',
  'billed_below',
] as const
export type TCauseKind = (typeof CAUSE_KINDS)[number]

export const ZReconciliationCause = z.object({
  kind: z.enum(CAUSE_KINDS).meta({
    description:
      'unpriced_events, not_reported (billed, no event), not_billed (computed, no bill line), non_model_charges, price_change (the billed ÷ computed ratio steps on one day), rate_differs (a steady ratio off 1), missing_cache_writes (cached reads with no cache-write tokens where the price charges writes), billed_above, billed_below',
  }),
  message: z.string().meta({ description: 'the cause in one sentence, with the figures it was read from' }),
})

export const ZReconciliationRow = z.object({
  day: ZDay.meta({ description: 'the day (UTC); with granularity=month the first day of the month' }),
  provider: z.string().meta({ description: 'normalised: lowercase, aliases merged (bedrock → aws)' }),
  model: z.string().nullable().meta({
    description: 'normalised: lowercase, without a provider/ prefix or a dated snapshot suffix; null: bill lines naming no model (tax, tools, storage)',
  }),
  computed_usd: ZUsd.meta({ description: 'what Outlay computed from the events (the cost rollups, every environment and traffic source)' }),
  billed_usd: ZUsd.meta({ description: 'what the imported bills charge' }),
  difference_usd: ZUsd.meta({ description: 'billed_usd − computed_usd: positive when the bill charges more than the events explain' }),
  difference_ratio: ZRatio.nullable().meta({ description: 'difference_usd ÷ billed_usd; null when nothing was billed' }),
  flagged: z.boolean().meta({ description: 'the difference is past 1% of the billed amount (or anything computed where nothing was billed)' }),
  unpriced_events: z.number().int().meta({ description: 'events of the row Outlay could not price (a likely cause of a positive difference)' }),
  causes: z.array(ZReconciliationCause).meta({ description: 'a flagged row’s likely causes read from the data, most telling first; empty when not flagged' }),
})
export type TReconciliationRow = z.infer<typeof ZReconciliationRow>

export const ZReconciliationAnswer = z.object({
  from: ZDay,
  to: ZDay.meta({ description: 'exclusive' }),
  granularity: z.enum(['day', 'month']),
  rows: z.array(ZReconciliationRow).meta({ description: 'per provider × model × day (or month) of the billed providers, by day, then provider and model' }),
  totals: z.object({
    computed_usd: ZUsd,
    billed_usd: ZUsd,
    difference_usd: ZUsd,
    difference_ratio: ZRatio.nullable(),
    flagged_rows: z.number().int(),
    unexplained_usd: ZUsd.meta({
      description: 'billed spend no event explains: the sum over the rows of max(0, billed − computed) (traffic Outlay never received, or priced lower)',
    }),
    unexplained_share: ZRatio.nullable().meta({ description: 'unexplained_usd ÷ billed_usd; null when nothing was billed' }),
    unbilled_computed_usd: ZUsd.meta({
      description: 'computed cost outside the rows: providers without a bill in the range, and days before or after their bills’ period',
    }),
    providers: z.array(z.string()).meta({ description: 'the providers the bills cover (normalised)' }),
    after_period: z.array(z.object({ provider: z.string(), last_billed_day: ZDay, computed_usd: ZUsd })).meta({
      description:
        'per provider, the computed cost on the days after its bills’ last day to the end of that month: events after the bill’s period (a bill exported before the month closed), not compared',
    }),
  }),
})
export type TReconciliationAnswer = z.infer<typeof ZReconciliationAnswer>

// ─── FOCUS export ─────────────────────────────────────────────────────────────

/** GET /api/v1/exports/focus: the days to export (the reconciliation's range: the same defaults and limit). */
export const ZFocusExportQuery = z.strictObject(DAY_RANGE).superRefine(checkDayRange)
export type TFocusExportQuery = z.infer<typeof ZFocusExportQuery>
