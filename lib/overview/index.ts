import 'server-only'
import { wholeBill } from '@/lib/finance/whole-bill'
import type { TOverviewAnswer } from '@/lib/overview/schema'

/** The month to date (UTC) as the whole bill (lib/finance/whole-bill.ts), at `now`. */
export async function overviewMonth(orgId: string, now = new Date()): Promise<TOverviewAnswer> {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
  return { as_of: now.toISOString(), month_to_date: await wholeBill(orgId, { from, to: now }, now) }
}
