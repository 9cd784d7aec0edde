// Budget alerts: each evaluation records every threshold a budget has crossed
// in its current period; the unique key (budget, period, threshold) makes a
// crossing fire once, however often it is evaluated, and a new period starts
// clean. Evaluated by the "budgets" queue's repeatable job (workers/index.ts).
import { pool } from '@/lib/db'
import { notFound } from '@/lib/errors'
import { listBudgets, type TBudgetView } from '@/lib/budgets'
import { refreshEnforcement } from '@/lib/budgets/enforce'

export type TAlertKey = { period_start: string; threshold: number; state: 'warning' | 'exceeded' }

/** The alerts a measured budget stands at: one per threshold reached, keyed to its period. */
export function alertKeys(b: Pick<TBudgetView, 'period' | 'thresholds' | 'status'>, now: Date): TAlertKey[] {
  const used = b.status.used_ratio
  if (used === null) return []
  const periodStart = b.period === 'rolling'
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString()
    : b.status.window.from
  return b.thresholds
    .filter((t) => used * 100 >= t)
    .map((t) => ({ period_start: periodStart, threshold: t, state: t >= 100 ? 'exceeded' : 'warning' }))
}

export type TBudgetAlert = {
  id: string
  budget_id: string
  budget_name: string
  period_start: string
  threshold: number
  state: 'warning' | 'exceeded'
  actual_usd: string
  amount_usd: string
  fired_at: string
  acknowledged_at: string | null
}

/** Measure one organization's budgets at `now`, publish what decide enforces, and record the crossings not recorded yet; returns the alerts that fired. */
export async function evaluateOrgBudgets(orgId: string, now = new Date()): Promise<TBudgetAlert[]> {
  const fired: TBudgetAlert[] = []
  const budgets = await listBudgets(orgId, now)
  await refreshEnforcement(orgId, budgets, now)
  for (const b of budgets) {
    for (const k of alertKeys(b, now)) {
      const r = await pool().query<{ id: string; fired_at: Date }>(
        `INSERT INTO budget_alerts (org_id, budget_id, period_start, threshold, state, actual_usd, amount_usd, fired_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (budget_id, period_start, threshold) DO NOTHING RETURNING id::text, fired_at`,
        [orgId, b.id, k.period_start, k.threshold, k.state, b.status.actual_usd, b.amount_usd, now],
      )
      if (r.rows[0]) {
        fired.push({ id: r.rows[0].id, budget_id: b.id, budget_name: b.name, period_start: k.period_start, threshold: k.threshold, state: k.state,
          actual_usd: b.status.actual_usd!, amount_usd: b.amount_usd, fired_at: r.rows[0].fired_at.toISOString(), acknowledged_at: null })
      }
    }
  }
  return fired
}

/** Every organization with budgets. */
export async function evaluateAllBudgets(now = new Date()): Promise<number> {
  const orgs = await pool().query<{ org_id: string }>(`SELECT DISTINCT org_id::text FROM budgets`)
  let fired = 0
  for (const o of orgs.rows) fired += (await evaluateOrgBudgets(o.org_id, now)).length
  return fired
}

const trim = (v: string) => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v)

/** The organization's alerts, newest first. */
export async function listAlerts(orgId: string, limit = 100): Promise<TBudgetAlert[]> {
  const r = await pool().query(
    `SELECT a.id::text, a.budget_id::text, b.name AS budget_name, a.period_start, a.threshold, a.state, a.actual_usd::text, a.amount_usd::text, a.fired_at, a.acknowledged_at
     FROM budget_alerts a JOIN budgets b ON b.id = a.budget_id WHERE a.org_id = $1 ORDER BY a.fired_at DESC, a.id DESC LIMIT $2`,
    [orgId, limit],
  )
  return r.rows.map((x) => ({
    ...x, actual_usd: trim(x.actual_usd), amount_usd: trim(x.amount_usd),
    period_start: x.period_start.toISOString(), fired_at: x.fired_at.toISOString(), acknowledged_at: x.acknowledged_at?.toISOString() ?? null,
  }))
}

export async function acknowledgeAlert(orgId: string, id: string): Promise<void> {
  const r = await pool().query(`UPDATE budget_alerts SET acknowledged_at = coalesce(acknowledged_at, now()) WHERE org_id = $1 AND id = $2`, [orgId, id])
  if (r.rowCount === 0) throw notFound(`No alert ${id} in this organization`)
}
