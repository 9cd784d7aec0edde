// Budget alerts: one alert per budget and period, at the highest threshold the
// budget has crossed in it; the dedupe key (budget, period) makes a breach one
// alert whose level rises (50 → 80 → 100%: each rise notifies once), however
// often it is evaluated, and a new period starts clean (the old period's alert
// resolves). Recorded with the drift alerts by
// lib/alerts/evaluate.ts, run by the "alerts" queue's repeatable job.
import { listBudgets, type TBudgetView } from '@/lib/budgets'
import { refreshEnforcement } from '@/lib/budgets/enforce'
import { publishLedgers } from '@/lib/budgets/ledger'
import { budgetTitle, type TAlert, type TAlertCandidate } from '@/lib/alerts'

export { listAlerts, acknowledgeAlert } from '@/lib/alerts'
/** Budget alerts are alerts of kind "budget" (GET /api/v1/alerts keeps their fields). */
export type TBudgetAlert = TAlert

export type TAlertKey = { period_start: string; threshold: number; state: 'warning' | 'exceeded' }

/** The alert a measured budget stands at: the highest threshold reached, keyed to its period; none below every threshold. */
export function alertKey(b: Pick<TBudgetView, 'period' | 'thresholds' | 'status'>, now: Date): TAlertKey | null {
  const used = b.status.used_ratio
  if (used === null) return null
  const reached = b.thresholds.filter((t) => used * 100 >= t)
  if (reached.length === 0) return null
  const threshold = Math.max(...reached)
  const periodStart =
    b.period === 'rolling' ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString() : b.status.window.from
  return { period_start: periodStart, threshold, state: threshold >= 100 ? 'exceeded' : 'warning' }
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
    const k = alertKey(b, now)
    if (k) {
      out.push({
        kind: 'budget',
        source_key: budgetSourceKey(b.id),
        dedupe_key: `${budgetSourceKey(b.id)}:${k.period_start}`,
        subject: b.name,
        title: budgetTitle(b.name, k.threshold, b.status.actual_usd, b.amount_usd),
        details: {
          budget_id: b.id,
          metric: b.metric,
          period: b.period,
          window: { from: b.status.window.from, to: b.status.window.to },
          // what the budget watches, so the alert can link to it
          scope: { environment: b.environment, workflow_id: b.workflow_id, account_id: b.account_id, feature: b.feature },
        },
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
