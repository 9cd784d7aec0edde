import { z } from 'zod'
import { ZDay, ZRatio, ZUsd } from '@/lib/api/wire'

// Revenue per customer account and the margin after AI cost (PRODUCT.md "Bills, reconciliation and margin";
// docs/finance.md "Margin per customer account"). Client-safe: the Accounts pages type their requests with it.

/** Rows one PUT may carry (JSON or CSV). */
export const REVENUE_MAX_ROWS = 50_000
/** How many refused rows an answer lists (all are counted). */
export const REVENUE_MAX_REJECTED_LISTED = 1000
/** Months one margin read may span. */
export const MARGIN_MAX_MONTHS = 24

export const ZRevenueRow = z.object({
  account_id: z.string().meta({ description: 'the account_id your events carry' }),
  month: ZDay.meta({ description: 'the first day of the month (UTC)' }),
  revenue_usd: ZUsd.meta({ description: 'what the account paid in the month, USD' }),
})
export type TRevenueRow = z.infer<typeof ZRevenueRow>

export const ZRejectedRow = z.object({
  row: z.number().int().meta({ description: 'JSON: the position in rows, from 1; CSV: the line number in the file (1 is the header)' }),
  field: z.string().nullable().meta({ description: 'the field at fault (account_id, month, revenue_usd); null when the whole row is' }),
  reason: z.string(),
})
export type TRejectedRow = z.infer<typeof ZRejectedRow>

export const ZRevenuePutAnswer = z.object({
  upserted: z.number().int().meta({ description: 'rows written (each replaces that account and month’s revenue, if there was one)' }),
  rejected_count: z.number().int(),
  rejected: z.array(ZRejectedRow).meta({ description: `the refused rows with their reasons (the first ${REVENUE_MAX_REJECTED_LISTED})` }),
})
export type TRevenuePutAnswer = z.infer<typeof ZRevenuePutAnswer>

const DAY_RANGE = {
  from: ZDay.optional().meta({
    description:
      'first day (UTC), inclusive: its month is the first month; default the first day of the current month (with a `to` alone: the month of the day before `to`)',
  }),
  to: ZDay.optional().meta({
    description:
      'last day (UTC), exclusive: the month of the day before it is the last month; default the first day of the month after the current one (a later from: its month alone)',
  }),
}

function checkMonths(q: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (q.from && q.to && q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' })
  if (q.from && q.to && monthsBetween(q.from, q.to).length > MARGIN_MAX_MONTHS)
    ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MARGIN_MAX_MONTHS} months after from` })
}

export const ZRevenueQuery = z
  .strictObject({ ...DAY_RANGE, account_id: z.string().trim().min(1).max(200).optional().meta({ description: 'one account only' }) })
  .superRefine(checkMonths)
export type TRevenueQuery = z.infer<typeof ZRevenueQuery>
export const ZRevenueAnswer = z.object({ rows: z.array(ZRevenueRow).meta({ description: 'by month, then account' }) })

export const ZMarginQuery = ZRevenueQuery
export type TMarginQuery = TRevenueQuery

const marginFields = {
  revenue_usd: ZUsd.nullable().meta({ description: 'the revenue recorded for the months; null: none recorded ("no revenue", not 0%)' }),
  cost_usd: ZUsd.meta({ description: 'AI cost: production traffic (environment and traffic source production) in the months, to now' }),
  cost_share: ZRatio.nullable().meta({ description: 'cost_usd ÷ revenue_usd (0.25 = 25%); null without revenue (or a revenue of 0)' }),
  margin_usd: ZUsd.nullable().meta({ description: 'gross margin after AI cost: revenue_usd − cost_usd; null without revenue' }),
}
export const ZMarginMonth = z.object({ month: ZDay, ...marginFields })
export type TMarginMonth = z.infer<typeof ZMarginMonth>
export const ZAccountMargin = z.object({
  account_id: z.string(),
  ...marginFields,
  months_with_revenue: z.number().int().meta({ description: 'how many of the months have a revenue row' }),
  months: z.array(ZMarginMonth).meta({ description: 'each month of the range' }),
})
export type TAccountMargin = z.infer<typeof ZAccountMargin>

export const ZMarginAnswer = z.object({
  from_month: ZDay.meta({ description: 'the first month (its first day)' }),
  to_month: ZDay.meta({ description: 'the last month (its first day), inclusive' }),
  rows: z.array(ZAccountMargin).meta({ description: 'every account with revenue or AI cost in the months, by AI cost share (highest first; no revenue last)' }),
  totals: z.object({
    ...marginFields,
    accounts_with_revenue: z.number().int(),
    cost_without_revenue_usd: ZUsd.meta({ description: 'the AI cost of accounts with no revenue in the months (not in cost_usd)' }),
  }),
})
export type TMarginAnswer = z.infer<typeof ZMarginAnswer>

/** The first days of the months from `from`'s month to the month of the day before `to` (YYYY-MM-DD, UTC). */
export function monthsBetween(from: string, to: string): string[] {
  const last = new Date(Date.parse(`${to}T00:00:00Z`) - 1)
  const out: string[] = []
  let y = Number(from.slice(0, 4))
  let m = Number(from.slice(5, 7)) - 1
  while (y < last.getUTCFullYear() || (y === last.getUTCFullYear() && m <= last.getUTCMonth())) {
    out.push(new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10))
    if (++m === 12) {
      m = 0
      y++
    }
    if (out.length > MARGIN_MAX_MONTHS + 1) break
  }
  return out
}
