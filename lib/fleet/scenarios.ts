import { z } from 'zod'
import { pool } from '@/lib/db'
import { notFound } from '@/lib/errors'
import { normalizeDecimal, toScaled } from '@/lib/cost/money'
import { listPools } from '@/lib/fleet'
import { poolCost } from '@/lib/fleet/cost'
import { versionsOf } from '@/lib/fleet/summary'
import { buildScenarioCost, type TCallRow, type TScenarioCostMonth } from '@/lib/fleet/scenario-cost'

// Scenario cost per month, read from: the month's calls grouped by scenario,
// traffic source, environment and pool (raw events: the rollups key neither
// scenario_id nor gpu_pool), the pools' versions, the accepted outcomes from
// the daily outcome rollups, and finance's line items.

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-11')

export const ZScenarioCostQuery = z.strictObject({ month: month.optional() })

export const ZLineItemCreate = z.strictObject({
  scenario: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  month,
  category: z.enum(['engineering', 'operations'], { error: 'must be engineering or operations' }),
  amount_usd: z.union([z.string(), z.number()], { error: 'must be a decimal string or number' }).transform((v, ctx) => {
    const d = normalizeDecimal(v, 6)
    if (d === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative amount with at most 6 decimal places' })
      return z.NEVER
    }
    return d
  }),
  note: z.string().trim().min(1, 'must say what the amount is (e.g. "on-call rotation, 0.5 FTE")').max(500, 'must be at most 500 characters'),
})
export type TLineItemCreate = z.infer<typeof ZLineItemCreate>
export type TLineItem = { id: string; scenario: string; month: string; category: 'engineering' | 'operations'; amount_usd: string; note: string; created_at: string }

const monthStart = (m: string) => new Date(`${m}-01T00:00:00.000Z`)
const nextMonth = (m: string) => {
  const d = monthStart(m)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
}
export const monthOf = (d: Date) => d.toISOString().slice(0, 7)

export async function listLineItems(orgId: string, m?: string): Promise<TLineItem[]> {
  const r = await pool().query<{ id: string; scenario: string; month: Date; category: 'engineering' | 'operations'; amount_usd: string; note: string; created_at: Date }>(
    `SELECT id, scenario, month, category, amount_usd::text, note, created_at FROM scenario_line_items
     WHERE org_id = $1 AND ($2::date IS NULL OR month = $2::date) ORDER BY month DESC, scenario, created_at`,
    [orgId, m ? `${m}-01` : null],
  )
  return r.rows.map((x) => ({ ...x, month: monthOf(x.month), amount_usd: x.amount_usd.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''), created_at: x.created_at.toISOString() }))
}

export async function createLineItem(orgId: string, b: TLineItemCreate): Promise<TLineItem> {
  const r = await pool().query<{ id: string }>(
    `INSERT INTO scenario_line_items (id, org_id, scenario, month, category, amount_usd, note) VALUES (gen_random_uuid(), $1, $2, $3::date, $4, $5, $6) RETURNING id`,
    [orgId, b.scenario, `${b.month}-01`, b.category, b.amount_usd, b.note],
  )
  return (await listLineItems(orgId, b.month)).find((x) => x.id === r.rows[0].id)!
}

export async function deleteLineItem(orgId: string, id: string): Promise<void> {
  const r = await pool().query('DELETE FROM scenario_line_items WHERE org_id = $1 AND id = $2', [orgId, id])
  if (r.rowCount === 0) throw notFound(`No line item with id ${id}`)
}

export type TScenarioCostAnswer = TScenarioCostMonth & { from: string; to: string; months: string[]; line_items: TLineItem[] }

/** One month (default: the current one, to now). */
export async function scenarioCost(orgId: string, m: string | undefined, now = new Date()): Promise<TScenarioCostAnswer> {
  const mm = m ?? monthOf(now)
  const from = monthStart(mm)
  const to = new Date(Math.min(nextMonth(mm).getTime(), now.getTime()))
  const [calls, outcomes, pools, items] = await Promise.all([
    pool().query<{ scenario: string; traffic_source: string; environment: string; gpu_pool: string | null; cost_usd: string; gpu_seconds: number; gpu_cost_usd: string }>(
      `SELECT coalesce(nullif(e.scenario_id, ''), e.workflow_id) AS scenario, e.traffic_source, e.environment, e.gpu_pool,
              coalesce(sum(e.cost_usd), 0)::text AS cost_usd,
              coalesce(sum(e.gpu_seconds), 0)::float8 AS gpu_seconds,
              round(coalesce(sum(e.gpu_seconds * p.gpu_hour_usd / 3600), 0), 12)::text AS gpu_cost_usd
       FROM inference_events e
       LEFT JOIN LATERAL (SELECT gpu_hour_usd FROM gpu_pool_prices p WHERE p.org_id = e.org_id AND p.pool = e.gpu_pool AND p.effective_from <= e.timestamp
                          ORDER BY p.effective_from DESC LIMIT 1) p ON e.gpu_pool IS NOT NULL
       WHERE e.org_id = $1 AND e.timestamp >= $2 AND e.timestamp < $3
       GROUP BY 1, 2, 3, 4`,
      [orgId, from, to],
    ),
    pool().query<{ workflow_id: string; accepted: string }>(
      `SELECT workflow_id, sum(accepted)::text AS accepted FROM rollups_outcomes_daily_workflows WHERE org_id = $1 AND day >= $2 AND day < $3 GROUP BY workflow_id`,
      [orgId, from, to],
    ),
    listPools(orgId, now),
    listLineItems(orgId, mm),
  ])
  const callRows: TCallRow[] = calls.rows.map((c) => ({ ...c, month: mm }))
  const built = buildScenarioCost(
    mm,
    callRows,
    pools.map((p) => ({ name: p.name, role: p.role, serves: p.serves, allocation: p.allocation, shares: p.shares, cost_micros: new Map([[mm, poolCost(versionsOf(p), from, to).cost_micros]]) })),
    items.map((i) => ({ month: i.month, scenario: i.scenario, category: i.category, amount_micros: toScaled(i.amount_usd, 6) })),
    // Outcomes are reported per workflow: they count for the scenario named like the workflow.
    outcomes.rows.map((o) => ({ month: mm, scenario: o.workflow_id, accepted: Number(o.accepted) })),
  )
  const months = Array.from({ length: 6 }, (_, i) => monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1))))
  return { ...built, from: from.toISOString(), to: to.toISOString(), months, line_items: items }
}
