import { DAY_MS } from '@/lib/domain'
import { formatPercent, formatUsd } from '@/lib/format'
import type { TMarginAnswer } from '@/lib/accounts/schema'

// How the Accounts pages ask for and show the margin after AI cost (client-safe, pure).

/** The margin read of a page's period: whole UTC days, `to` exclusive (a period ending mid-day covers that day). */
export function marginRange(period: { from: string; to: string }): { from: string; to: string } {
  const from = period.from.slice(0, 10)
  const to = new Date(Math.ceil(Date.parse(period.to) / DAY_MS) * DAY_MS).toISOString().slice(0, 10)
  return { from, to: to > from ? to : new Date(Date.parse(from) + DAY_MS).toISOString().slice(0, 10) }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const monthName = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`

/** "Nov 2026" or "Nov 2026 – Dec 2026": the whole months the margin covers. */
export function monthsLabel(a: Pick<TMarginAnswer, 'from_month' | 'to_month'>): string {
  return a.from_month === a.to_month ? monthName(a.from_month) : `${monthName(a.from_month)} – ${monthName(a.to_month)}`
}

export const NO_REVENUE = 'no revenue'

/** A share of revenue as shown: "no revenue" without one (never 0%). */
export const shareText = (share: number | null, revenue: string | null): string => (revenue === null ? NO_REVENUE : share === null ? '—' : formatPercent(share))
export const marginText = (margin: string | null): string => (margin === null ? NO_REVENUE : formatUsd(margin))
