import 'server-only'
import { pool } from '@/lib/db'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { envClause, hoursOfRange, USER_ROLLUP } from '@/lib/rollups/keyed'
import { planSource, sourceSql, type TRange, type TSourcePlan } from '@/lib/metrics/source'
import { END_USER_FLAG, FLAG_RULE_TEXT, type TEndUserRow, type TEndUsersAnswer, type TEndUsersQuery } from '@/lib/end-users/schema'
import { isFlagged } from '@/lib/end-users/flag'

// GET /api/v1/end-users: rollups_weekly_users for the whole ISO weeks, rollups_daily_users for the whole days,
// rollups_hourly_users for the hours around them (kept by the ingest worker: lib/rollups/keyed.ts), never the raw
// events. Each account's median user is computed over all its users in the range, in PostgreSQL; only the top `limit`
// rows travel. The account's figures are windows over its users (the median as percentile_disc(0.5) takes it: the
// ⌈n/2⌉-th cost), not a join of the users with their own aggregate: PostgreSQL estimates such an aggregate at a row or
// two when the rollups' statistics are missing or old, and then rescans it once per user (lib/metrics/step-medians.ts
// met it).

/** The user rollups' columns an end-users read sums. */
const SUMS = ['events', 'tokens_in', 'tokens_out', 'unpriced_events', 'cost_usd']

/**
 * Where an end-users read's rows come from: the metrics engine's plan (lib/metrics/source.ts) over the user rollups.
 * Every measure is a sum, so ragged ends are read as their whole day or week minus the rest (`additive`): a 90-day
 * range's twelve ragged days of one account's users were 20k rows of rollups_daily_users on the 10M-event bench
 * organization, and are two weeks' 4k rows and a day's now. A user whose calls all fall in the subtracted days sums
 * to zero calls and is left out by the read's HAVING.
 */
export function endUsersPlan(range: TRange): TSourcePlan {
  const daily = [{ table: USER_ROLLUP.daily, dims: USER_ROLLUP.dims, weekly: USER_ROLLUP.weekly }]
  return planSource(daily, USER_ROLLUP.dims, range, 'none', [{ table: USER_ROLLUP.hourly, dims: USER_ROLLUP.dims }], { additive: true })
}

export async function loadEndUsers(orgId: string, q: TEndUsersQuery): Promise<TEndUsersAnswer> {
  const { from, to } = hoursOfRange(q)
  const params: unknown[] = [orgId]
  const clauses: string[] = []
  if (q.account_id) {
    params.push(q.account_id)
    clauses.push(`account_id = $${params.length}`)
  }
  const env = envClause(q, params)
  if (env) clauses.push(env)
  const src = sourceSql(endUsersPlan({ from, to }), USER_ROLLUP.hourly, ['account_id', 'user_id', ...SUMS], clauses, params, SUMS)
  params.push(q.limit)
  const limit = `$${params.length}`
  const r = await pool().query<{
    account_id: string
    user_id: string
    calls: string
    tokens_in: string
    tokens_out: string
    unpriced_events: string
    cost_usd: string
    account_cost_usd: string
    account_users: number
    median_usd: string
    users_counted: number
    total_cost_usd: string
  }>(
    `WITH u AS (
       SELECT account_id, user_id, sum(events) AS calls, sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out,
         sum(unpriced_events) AS unpriced_events, round(sum(cost_usd), 6) AS cost
       FROM ${src}
       GROUP BY account_id, user_id HAVING sum(events) > 0),
     w AS (SELECT u.*, count(*) OVER acct AS users, sum(cost) OVER acct AS account_cost, row_number() OVER (acct ORDER BY cost) AS rn
           FROM u WINDOW acct AS (PARTITION BY account_id)),
     a AS (SELECT w.*, max(cost) FILTER (WHERE rn = (users + 1) / 2) OVER (PARTITION BY account_id) AS median FROM w),
     t AS (SELECT count(*)::int AS users, coalesce(sum(cost), 0) AS cost FROM u)
     SELECT a.account_id, a.user_id, a.calls::text, a.tokens_in::text, a.tokens_out::text, a.unpriced_events::text, a.cost::text AS cost_usd,
       a.account_cost::text AS account_cost_usd, a.users::int AS account_users, a.median::text AS median_usd, t.users AS users_counted,
       t.cost::text AS total_cost_usd
     FROM t LEFT JOIN a ON true
     ORDER BY a.cost DESC NULLS LAST, a.account_id COLLATE "C", a.user_id COLLATE "C"
     LIMIT ${limit}`,
    params,
  )
  const first = r.rows[0]
  const money = (s: string) => fromScaled(toScaled(s, 6), 6)
  const users = r.rows
    .filter((x) => x.user_id !== null)
    .map((x): TEndUserRow => {
      const cost = toScaled(x.cost_usd, 6)
      const median = toScaled(x.median_usd, 6)
      const accountCost = toScaled(x.account_cost_usd, 6)
      return {
        account_id: x.account_id === '' ? null : x.account_id,
        user_id: x.user_id,
        calls: Number(x.calls),
        tokens_in: Number(x.tokens_in),
        tokens_out: Number(x.tokens_out),
        unpriced_events: Number(x.unpriced_events),
        cost_usd: money(x.cost_usd),
        share_of_account: accountCost > 0n ? Number(cost) / Number(accountCost) : null,
        account_users: x.account_users,
        account_median_cost_usd: money(x.median_usd),
        times_median: median > 0n ? Number(cost) / Number(median) : null,
        flagged: isFlagged(x.cost_usd, x.median_usd, x.account_users),
      }
    })
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    account_id: q.account_id ?? null,
    users_counted: first?.users_counted ?? 0,
    total_cost_usd: money(first?.total_cost_usd ?? '0'),
    flag_rule: { ...END_USER_FLAG, text: FLAG_RULE_TEXT },
    users,
  }
}
