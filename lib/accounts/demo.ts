import 'server-only'
import { marginOf, putRevenue } from '@/lib/accounts/revenue'
import { micros } from '@/lib/domain'

// The demo organization's revenue per account (lib/demo/seed.ts), built from the demo's own AI cost so the margin
// has a story: most customers pay 7 to 25 times what they cost in AI, globex — whose integration doubled its
// retrieval calls in the last 30 days (lib/demo/generate.ts) — has a thin margin last month and this month's AI
// cost already past half its revenue (the revenue_share alert fires), and fourth-coffee, still onboarding, has no
// revenue yet ("no revenue" on the Accounts page, not 0%).

export const THIN_MARGIN_ACCOUNT = 'globex'
export const NO_REVENUE_ACCOUNT = 'fourth-coffee'
/** AI cost ÷ revenue per month, oldest first (the current month last: its cost is the month to date). */
const THIN_SHARES = [0.32, 0.78, 0.62]
const SHARES = [0.04, 0.06, 0.09, 0.12, 0.14]
const MONTHS_BACK = 3

export async function seedDemoRevenue(orgId: string, now: Date): Promise<number> {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (MONTHS_BACK - 1), 1)).toISOString().slice(0, 10)
  const margin = await marginOf(orgId, { from }, now)
  const rows: { account_id: string; month: string; revenue_usd: string }[] = []
  margin.rows.forEach((a, i) => {
    if (a.account_id === NO_REVENUE_ACCOUNT) return
    a.months.forEach((m, k) => {
      const cost = micros(m.cost_usd)
      if (cost <= 0n) return // before onboarding, after churn: no invoice
      const share = a.account_id === THIN_MARGIN_ACCOUNT ? THIN_SHARES[k + THIN_SHARES.length - a.months.length] : SHARES[i % SHARES.length]
      // whole dollars, at least $50: what an invoice reads
      const dollars = (cost * 1_000_000n) / BigInt(Math.round(share * 1_000_000)) / 1_000_000n
      rows.push({ account_id: a.account_id, month: m.month, revenue_usd: String(dollars < 50n ? 50n : dollars) })
    })
  })
  if (rows.length === 0) return 0
  const req = new Request('http://demo.invalid/api/v1/accounts/revenue', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rows }),
  })
  return (await putRevenue(orgId, req)).upserted
}
