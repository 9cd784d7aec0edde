// Budget alerts: each evaluation records every threshold a budget has crossed
// in its current period; the dedupe key (budget, period, threshold) makes a
// crossing fire once, however often it is evaluated, and a new period starts
// clean (the old period's alerts resolve). Recorded with the drift alerts by
// lib/alerts/evaluate.ts, run by the "alerts" queue's repeatable job.
import { listBudgets, type TBudgetView } from '@/lib/budgets'
import { refreshEnforcement } from '@/lib/budgets/enforce'
import { publishLedgers } from '@/lib/budgets/ledger'
import { budgetTitle, type TAlert, type TAlertCandidate } from '@/lib/alerts'

export { listAlerts, acknowledgeAlert } from '@/lib/alerts'
/** Budget alerts are alerts of kind "budget" (GET /api/v1/alerts keeps their fields). */
export type TBudgetAlert = TAlert

export type TAlertKey = { period_start: string; threshold: number; state: 'warning' | 'exceeded' }

/** The alerts a measured budget stands at: one per threshold reached, keyed to its period. */
export function alertKeys(b: Pick<TBudgetView, 'period' | 'thresholds' | 'status'>, now: Date): TAlertKey[] {
  const used = b.status.used_ratio
  if (used === null) return []
  const periodStart =
    b.period === 'rolling' ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString() : b.status.window.from
  return b.thresholds.filter((t) => used * 100 >= t).map((t) => ({ period_start: periodStart, threshold: t, state: t >= 100 ? 'exceeded' : 'warning' }))
}

export const budgetSourceKey = (budgetId: string) => `budget:${budgetId}`

/**
 * Every budget of the organization measured at `now`, as alert candidates.
 * The same measurement also keeps the budgets' state history and publishes
 * the gates POST /api/v1/decide enforces (lib/budgets/enforce.ts).
 */
export async function budgetAlertCandidates(orgId: string, now: Date): Promise<TAlertCandidate[]> {
  const out: TAlertCandidate[] = []
  const measuredAt = Date.now()
  const budgets = await listBudgets(orgId, now)
  await refreshEnforcement(orgId, budgets, now, measuredAt)
  await publishLedgers(orgId, budgets, now)
  for (const b of budgets) {
    for (const k of alertKeys(b, now)) {
      out.push({
        kind: 'budget',
        source_key: budgetSourceKey(b.id),
        dedupe_key: `${budgetSourceKey(b.id)}:${k.period_start}:${k.threshold}`,
        subject: b.name,
        title: budgetTitle(b.name, k.threshold, b.status.actual_usd, b.amount_usd),
        details: { budget_id: b.id, metric: b.metric, period: b.period, window: { from: b.status.window.from, to: b.status.window.to } },
        budget_id: b.id,
        period_start: k.period_start,
        threshold: k.threshold,
        state: k.state,
        actual_usd: b.status.actual_usd,
        amount_usd: b.amount_usd,
      })
    }
  }
  return out
}
