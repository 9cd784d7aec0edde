import { micros, microsToUsd } from '@/lib/domain'
import type { TAccountMargin, TMarginAnswer, TMarginMonth } from '@/lib/accounts/schema'

// Margin after AI cost, pure and exact: revenue and cost in integer micro-dollars, the share a ratio of two
// integers (6 decimals, truncated) computed once for display and comparison, never summed.

/** cost ÷ revenue to 6 decimals (truncated); null without a positive revenue. */
export function costShare(costMicros: bigint, revenueMicros: bigint | null): number | null {
  if (revenueMicros === null || revenueMicros <= 0n) return null
  return Number((costMicros * 1_000_000n) / revenueMicros) / 1_000_000
}

function figures(revenue: bigint | null, cost: bigint) {
  return {
    revenue_usd: revenue === null ? null : microsToUsd(revenue),
    cost_usd: microsToUsd(cost),
    cost_share: costShare(cost, revenue),
    margin_usd: revenue === null ? null : microsToUsd(revenue - cost),
  }
}

/** account → month (YYYY-MM-01) → micro-dollars */
export type TByAccountMonth = Map<string, Map<string, bigint>>

/**
 * Every account with revenue or cost in the months: per month and over all of them. An account's revenue is the sum
 * of its revenue rows (null when it has none: "no revenue", not 0%); its cost covers every month of the range.
 */
export function accountMargins(months: string[], revenue: TByAccountMonth, cost: TByAccountMonth): TMarginAnswer {
  const accounts = [...new Set([...revenue.keys(), ...cost.keys()])]
  const rows: TAccountMargin[] = accounts.map((account_id) => {
    const rev = revenue.get(account_id)
    const c = cost.get(account_id)
    let revTotal: bigint | null = null
    let costTotal = 0n
    let withRevenue = 0
    const perMonth: TMarginMonth[] = months.map((month) => {
      const r = rev?.get(month) ?? null
      const x = c?.get(month) ?? 0n
      if (r !== null) {
        revTotal = (revTotal ?? 0n) + r
        withRevenue++
      }
      costTotal += x
      return { month, ...figures(r, x) }
    })
    return { account_id, ...figures(revTotal, costTotal), months_with_revenue: withRevenue, months: perMonth }
  })
  rows.sort(byShareDesc)
  let revenueSum = 0n
  let costWith = 0n
  let costWithout = 0n
  let counted = 0
  for (const r of rows) {
    const c = sumMonths(r.months, 'cost_usd')
    if (r.revenue_usd === null) costWithout += c
    else {
      counted++
      revenueSum += sumMonths(r.months, 'revenue_usd')
      costWith += c
    }
  }
  return {
    from_month: months[0],
    to_month: months[months.length - 1],
    rows,
    totals: {
      ...(counted ? figures(revenueSum, costWith) : figures(null, costWith)),
      accounts_with_revenue: counted,
      cost_without_revenue_usd: microsToUsd(costWithout),
    },
  }
}

function sumMonths(months: TMarginMonth[], field: 'cost_usd' | 'revenue_usd'): bigint {
  return months.reduce((s, m) => s + (m[field] === null ? 0n : micros(m[field])), 0n)
}

/** Highest AI cost share first; accounts without revenue last (by cost); ties by account. */
function byShareDesc(a: TAccountMargin, b: TAccountMargin): number {
  if (a.cost_share !== null && b.cost_share !== null && a.cost_share !== b.cost_share) return b.cost_share - a.cost_share
  if ((a.cost_share === null) !== (b.cost_share === null)) return a.cost_share === null ? 1 : -1
  return a.account_id.localeCompare(b.account_id)
}
