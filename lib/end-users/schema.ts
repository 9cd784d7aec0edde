import { z } from 'zod'
import { ZInstant, ZUsd } from '@/lib/api/wire'
import { checkRange, METRICS_QUERY_FIELDS } from '@/lib/metrics/schema'

// GET /api/v1/end-users (PRODUCT.md: the event field `user_id`): the end users that cost the most, of one account or
// of the organization, each flagged when far above its account's median user.

/** The flag: a user whose cost in the range is above FLAG_MEDIAN_RATIO × its account's median user cost and above FLAG_FLOOR_USD, in an account with at least FLAG_MIN_USERS users. */
export const END_USER_FLAG = { median_ratio: 20, floor_usd: '1.000000', min_users: 5 } as const

export const ZEndUsersQuery = z
  .strictObject({
    from: METRICS_QUERY_FIELDS.from,
    to: METRICS_QUERY_FIELDS.to,
    account_id: z.string().trim().min(1, 'must not be empty').max(200, 'is at most 200 characters').optional(),
    environment: METRICS_QUERY_FIELDS.environment,
    traffic_source: METRICS_QUERY_FIELDS.traffic_source,
    limit: z.coerce.number().int().min(1).max(1000).default(20),
  })
  .superRefine(checkRange)
export type TEndUsersQuery = z.infer<typeof ZEndUsersQuery>

const count = z.number().int()

export const ZEndUserRow = z.object({
  account_id: z.string().nullable().meta({ description: 'null: calls with a user_id and no account_id' }),
  user_id: z.string(),
  calls: count,
  tokens_in: count,
  tokens_out: count,
  unpriced_events: count,
  cost_usd: ZUsd,
  share_of_account: z.number().nullable().meta({ description: "cost_usd ÷ the account's cost over all its users" }),
  account_users: count.meta({ description: 'users of the account with calls in the range' }),
  account_median_cost_usd: ZUsd.meta({ description: "the median user's cost in the account (the lower middle value for an even count)" }),
  times_median: z.number().nullable().meta({ description: 'cost_usd ÷ account_median_cost_usd; null when the median is 0' }),
  flagged: z.boolean().meta({ description: 'far above its account: see flag_rule' }),
})
export type TEndUserRow = z.infer<typeof ZEndUserRow>

export const ZEndUsersAnswer = z.object({
  from: ZInstant,
  to: ZInstant,
  account_id: z.string().nullable(),
  users_counted: count.meta({ description: 'users with calls in the range (in the account, or in the organization)' }),
  total_cost_usd: ZUsd.meta({ description: 'the cost of every call with a user_id in the scope' }),
  flag_rule: z.object({
    median_ratio: z.number(),
    floor_usd: ZUsd,
    min_users: count,
    text: z.string(),
  }),
  users: z.array(ZEndUserRow).meta({ description: 'largest cost first, up to limit' }),
})
export type TEndUsersAnswer = z.infer<typeof ZEndUsersAnswer>

export const FLAG_RULE_TEXT = `flagged when the user's cost is above ${END_USER_FLAG.median_ratio}× its account's median user and above $${Number(END_USER_FLAG.floor_usd).toFixed(2)}, in an account with ${END_USER_FLAG.min_users} users or more`
