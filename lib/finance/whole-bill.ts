import 'server-only'
import { micros, microsToUsd } from '@/lib/domain'
import { scenarioCostBetween } from '@/lib/gpu/scenarios'
import { addBill, billMicrosOf, billParts, ZERO_BILL } from '@/lib/finance/parts'
import type { TWholeBill, TWholeBillMonth } from '@/lib/finance/schema'
import type { TScenarioCostMonth } from '@/lib/scenarios/schema'

// What the organization pays over a period, the whole bill: API inference, the
// GPU pools' paid capacity (idle included, as on the fleet page) and finance's
// line items, each its own part, in exact micro-dollars. Read month by month
// through the same code as Scenario cost (lib/gpu/scenarios.ts), so a month's
// total is Scenario cost's total for it. Stable: the monthly report, the
// forecast and the finance overview read it.

export { billMicrosOf, billParts, type TBillMicros } from '@/lib/finance/parts'
export { WHOLE_BILL_LABELS, WHOLE_BILL_PARTS, ZWholeBill, ZWholeBillParts } from '@/lib/finance/schema'
export type { TWholeBill, TWholeBillMonth, TWholeBillParts, TWholeBillPool } from '@/lib/finance/schema'

const monthKey = (t: number) => new Date(t).toISOString().slice(0, 7)
const nextMonthOf = (t: number) => {
  const d = new Date(t)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}

/**
 * The whole bill over [from, to) (to capped at now: capacity not yet run is
 * not yet paid). Cut at calendar months (UTC); a month's line items count when
 * the period holds its first instant (a line item is a month's cost, counted
 * once, in full). Each month's parts are Scenario cost's (they add up to the month's exact sum rounded once).
 */
export async function wholeBill(orgId: string, period: { from: Date; to: Date }, now = new Date()): Promise<TWholeBill> {
  return (await wholeBillDetailed(orgId, period, now)).bill
}

/** The whole bill and, month by month, the Scenario cost it was read from (the monthly report shows both). */
export async function wholeBillDetailed(
  orgId: string,
  period: { from: Date; to: Date },
  now = new Date(),
): Promise<{ bill: TWholeBill; scenarioMonths: TScenarioCostMonth[] }> {
  const from = period.from.getTime()
  const to = Math.min(period.to.getTime(), now.getTime())
  const slices: { month: string; from: number; to: number }[] = []
  for (let t = from; t < to; t = nextMonthOf(t)) slices.push({ month: monthKey(t), from: t, to: Math.min(nextMonthOf(t), to) })
  const built = await Promise.all(slices.map((s) => scenarioCostBetween(orgId, s.month, new Date(s.from), new Date(s.to), now)))
  let sum = ZERO_BILL
  const months: TWholeBillMonth[] = []
  const pools = new Map<string, { role: string; paid: bigint; used: bigint }>()
  slices.forEach((s, i) => {
    const m = built[i].built
    const b = billMicrosOf(m)
    sum = addBill(sum, b)
    months.push({ month: s.month, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString(), ...billParts(b) })
    for (const p of m.pools) {
      const a = pools.get(p.pool) ?? { role: p.role, paid: 0n, used: 0n }
      a.paid += micros(p.cost_usd)
      a.used += micros(p.used_by_calls_usd)
      pools.set(p.pool, a)
    }
  })
  const bill: TWholeBill = {
    from: new Date(from).toISOString(),
    to: new Date(Math.max(from, to)).toISOString(),
    ...billParts(sum),
    months,
    pools: [...pools]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([pool, a]) => ({ pool, role: a.role, paid_usd: microsToUsd(a.paid), used_by_calls_usd: microsToUsd(a.used) })),
  }
  return { bill, scenarioMonths: built.map((b) => b.built) }
}

/** The whole bill of a calendar month (YYYY-MM; to now for the running month). */
export function wholeBillOfMonth(orgId: string, month: string, now = new Date()): Promise<TWholeBill> {
  const from = Date.parse(`${month}-01T00:00:00.000Z`)
  return wholeBill(orgId, { from: new Date(from), to: new Date(nextMonthOf(from)) }, now)
}
