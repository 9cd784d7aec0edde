import { endpoint } from '@/lib/http/endpoint'
import { ZMarginAnswer, ZMarginQuery, ZRevenueAnswer, ZRevenuePutAnswer, ZRevenueQuery } from '@/lib/accounts/schema'

// Revenue per customer account and the margin after AI cost (PRODUCT.md "Bills, reconciliation and margin";
// docs/finance.md "Margin per customer account"): revenue written with a "write" key or revenue.write (finance,
// admin); read, with the margin, with a "read" key or accounts.read (the roles that see the Accounts pages).

const TAG = 'Accounts'
const READ = { tag: TAG, scope: 'read', permission: 'accounts.read' } as const

/** Kept in step with lib/accounts/revenue.ts (REVENUE_MAX_BYTES): this module stays client-safe. */
const MAX_BYTES = 8 * 1024 * 1024

export const putRevenue = endpoint({
  method: 'PUT',
  path: '/api/v1/accounts/revenue',
  tag: TAG,
  scope: 'write',
  permission: 'revenue.write',
  summary: 'Set revenue per customer account and month',
  description:
    'application/json {"rows": [{"account_id", "month", "revenue_usd"}]} or text/csv with the header account_id,month,revenue_usd. month is YYYY-MM or its first day YYYY-MM-01; revenue_usd a USD decimal (string or number, at least 0, at most 6 decimals). Upsert per row: each (account_id, month) sent replaces that account and month’s revenue; accounts and months not sent keep theirs (nothing is deleted). Rows that cannot be read are refused with their row number (JSON: position from 1; CSV: line number, 1 is the header), field and reason; the others are kept. 400 when no row could be read (nothing changes).',
  body: {
    raw: {
      contentTypes: ['application/json', 'text/csv', 'text/plain'],
      maxBytes: MAX_BYTES,
      description: 'the rows as JSON {"rows": [{account_id, month, revenue_usd}]}, or a CSV account_id,month,revenue_usd (UTF-8, header first)',
    },
  },
  responses: { 200: { description: 'How many rows were written, and the refused rows', schema: ZRevenuePutAnswer } },
})

export const listRevenue = endpoint({
  method: 'GET',
  path: '/api/v1/accounts/revenue',
  ...READ,
  summary: 'Revenue per customer account and month',
  description: 'The revenue rows of the months from `from`’s month to the month of the day before `to` (default: the current month).',
  query: ZRevenueQuery,
  responses: { 200: { description: 'The rows', schema: ZRevenueAnswer } },
  example: { query: { from: '2026-11-01', to: '2026-12-01' } },
})

export const accountMargin = endpoint({
  method: 'GET',
  path: '/api/v1/accounts/margin',
  ...READ,
  summary: 'AI cost as a share of each account’s revenue, and gross margin',
  description:
    'Per customer account over whole months (from `from`’s month to the month of the day before `to`; default the current month): the revenue recorded with PUT /api/v1/accounts/revenue, the AI cost (production traffic: environment and traffic source production, to now), AI cost ÷ revenue, and the gross margin after AI cost (revenue − AI cost), in total and per month. An account without revenue has null revenue, share and margin ("no revenue"), never 0%.',
  query: ZMarginQuery,
  responses: { 200: { description: 'The accounts, highest AI cost share first, and their totals', schema: ZMarginAnswer } },
  example: { query: { from: '2026-11-01', to: '2026-12-01' } },
})
