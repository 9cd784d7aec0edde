import 'server-only'
import { inTransaction, pool } from '@/lib/db'
import { recordAudit } from '@/lib/audit'
import { notFound } from '@/lib/errors'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { DAILY_ROLLUPS, HOURLY_ROLLUP } from '@/lib/rollups/tables'
import { planSource, sourceSql } from '@/lib/metrics/source'
import { listPools } from '@/lib/gpu'
import { poolCost } from '@/lib/gpu/cost'
import { versionsOf } from '@/lib/gpu/summary'
import { buildScenarioCost, type TCallRow } from '@/lib/gpu/scenario-cost'
import type { TLineItem, TLineItemCreate, TScenarioCostAnswer } from '@/lib/scenarios/schema'

// Scenario cost per month, read from: the month's calls grouped by scenario,
// traffic source, environment and pool (raw events: the rollups key neither
// scenario_id nor gpu_pool), the pools' versions, the accepted outcomes from
// the daily outcome rollups, and finance's line items.

export { ZLineItemCreate, ZScenarioCostQuery } from '@/lib/scenarios/schema'
export type { TLineItem, TLineItemCreate, TScenarioCostAnswer } from '@/lib/scenarios/schema'

const monthStart = (m: string) => new Date(`${m}-01T00:00:00.000Z`)
const nextMonth = (m: string) => {
  const d = monthStart(m)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
}
export const monthOf = (d: Date) => d.toISOString().slice(0, 7)

export async function listLineItems(orgId: string, m?: string): Promise<TLineItem[]> {
  const r = await pool().query<TLineItemRow>(
    `SELECT ${LINE_ITEM_COLUMNS} FROM scenario_line_items
     WHERE org_id = $1 AND ($2::date IS NULL OR month = $2::date) ORDER BY month DESC, scenario, created_at`,
    [orgId, m ? `${m}-01` : null],
  )
  return r.rows.map(lineItemOf)
}

const LINE_ITEM_COLUMNS = 'id, scenario, month, category, amount_usd::text, note, created_at'
type TLineItemRow = { id: string; scenario: string; month: Date; category: 'engineering' | 'operations'; amount_usd: string; note: string; created_at: Date }
const lineItemOf = (x: TLineItemRow): TLineItem => ({
  ...x,
  month: monthOf(x.month),
  amount_usd: x.amount_usd.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''),
  created_at: x.created_at.toISOString(),
})

export async function createLineItem(orgId: string, b: TLineItemCreate): Promise<TLineItem> {
  return inTransaction(async (c) => {
    const r = await c.query<TLineItemRow>(
      `INSERT INTO scenario_line_items (id, org_id, scenario, month, category, amount_usd, note) VALUES (gen_random_uuid(), $1, $2, $3::date, $4, $5, $6) RETURNING ${LINE_ITEM_COLUMNS}`,
      [orgId, b.scenario, `${b.month}-01`, b.category, b.amount_usd, b.note],
    )
    const item = lineItemOf(r.rows[0])
    await recordAudit(c, orgId, { action: 'line_item.create', target: { type: 'line_item', id: item.id }, before: null, after: item })
    return item
  })
}

export async function deleteLineItem(orgId: string, id: string): Promise<void> {
  await inTransaction(async (c) => {
    const r = await c.query<TLineItemRow>(`DELETE FROM scenario_line_items WHERE org_id = $1 AND id = $2 RETURNING ${LINE_ITEM_COLUMNS}`, [orgId, id])
    if (!r.rows[0]) throw notFound(`No line item with id ${id}`)
    await recordAudit(c, orgId, { action: 'line_item.delete', target: { type: 'line_item', id }, before: lineItemOf(r.rows[0]), after: null })
  })
}

type TCallSums = {
  scenario: string
  traffic_source: string
  environment: string
  gpu_pool: string | null
  cost_usd: string
  gpu_seconds: number
  gpu_cost_usd: string
}

/**
 * A month's calls by scenario, traffic source, environment and GPU pool. The
 * calls that carry a scenario_id or a gpu_pool are read from the events (two
 * partial indexes hold just them); every other call's scenario is its
 * workflow, which the rollups key: their sums by workflow, less what the
 * tagged calls add to them. Exact: the rollups hold the same numeric sums.
 * (All from the events, a month of a 10M-event organization took 6.3 s.)
 */
export async function callsByScenario(orgId: string, from: Date, to: Date): Promise<TCallSums[]> {
  const params: unknown[] = [orgId]
  const src = sourceSql(
    planSource(DAILY_ROLLUPS, ['workflow_id', 'traffic_source', 'environment'], { from, to }, 'none'),
    HOURLY_ROLLUP.table,
    ['workflow_id', 'traffic_source', 'environment', 'events', 'cost_usd', 'gpu_seconds'],
    [],
    params,
  )
  const [tagged, all] = await Promise.all([
    pool().query<TCallSums & { workflow_id: string; events: string }>(
      `SELECT coalesce(nullif(e.scenario_id, ''), e.workflow_id) AS scenario, e.workflow_id, e.traffic_source, e.environment, e.gpu_pool,
              count(*)::text AS events, coalesce(sum(e.cost_usd), 0)::text AS cost_usd,
              coalesce(sum(e.gpu_seconds), 0)::text AS gpu_seconds,
              round(coalesce(sum(e.gpu_seconds * p.gpu_hour_usd / 3600), 0), 12)::text AS gpu_cost_usd
       FROM inference_events e
       LEFT JOIN LATERAL (SELECT gpu_hour_usd FROM gpu_pool_prices p WHERE p.org_id = e.org_id AND p.pool = e.gpu_pool AND p.effective_from <= e.timestamp
                          ORDER BY p.effective_from DESC LIMIT 1) p ON e.gpu_pool IS NOT NULL
       WHERE e.org_id = $1 AND e.timestamp >= $2 AND e.timestamp < $3 AND (e.scenario_id IS NOT NULL AND e.scenario_id <> '' OR e.gpu_pool IS NOT NULL)
       GROUP BY 1, 2, 3, 4, 5`,
      [orgId, from, to],
    ),
    pool().query<{ workflow_id: string; traffic_source: string; environment: string; events: string; cost_usd: string; gpu_seconds: string }>(
      `SELECT workflow_id, traffic_source, environment, sum(events)::text AS events, sum(cost_usd)::text AS cost_usd, sum(gpu_seconds)::text AS gpu_seconds
       FROM ${src} GROUP BY 1, 2, 3`,
      params,
    ),
  ])
  const key = (w: string, t: string, e: string) => JSON.stringify([w, t, e])
  const rest = new Map(
    all.rows.map((r) => [
      key(r.workflow_id, r.traffic_source, r.environment),
      {
        events: BigInt(r.events),
        cost: toScaled(r.cost_usd, 12),
        gpu: toScaled(r.gpu_seconds, 6),
      },
    ]),
  )
  type TAcc = Pick<TCallSums, 'scenario' | 'traffic_source' | 'environment' | 'gpu_pool'> & { cost: bigint; gpu: bigint; gpuCost: bigint }
  const out = new Map<string, TAcc>()
  for (const r of tagged.rows) {
    const k = key(r.workflow_id, r.traffic_source, r.environment)
    const left = rest.get(k)
    if (left) {
      left.events -= BigInt(r.events)
      left.cost -= toScaled(r.cost_usd, 12)
      left.gpu -= toScaled(r.gpu_seconds, 6)
    }
    // a scenario's rows from several workflows fold into one
    const ok = JSON.stringify([r.scenario, r.traffic_source, r.environment, r.gpu_pool])
    const o = out.get(ok) ?? {
      scenario: r.scenario,
      traffic_source: r.traffic_source,
      environment: r.environment,
      gpu_pool: r.gpu_pool,
      cost: 0n,
      gpu: 0n,
      gpuCost: 0n,
    }
    o.cost += toScaled(r.cost_usd, 12)
    o.gpu += toScaled(r.gpu_seconds, 6)
    o.gpuCost += toScaled(r.gpu_cost_usd, 12)
    out.set(ok, o)
  }
  for (const [k, r] of rest) {
    if (r.events <= 0n) continue
    const [workflow, traffic_source, environment] = JSON.parse(k) as string[]
    const ok = JSON.stringify([workflow, traffic_source, environment, null])
    const o = out.get(ok) ?? { scenario: workflow, traffic_source, environment, gpu_pool: null, cost: 0n, gpu: 0n, gpuCost: 0n }
    o.cost += r.cost
    o.gpu += r.gpu
    out.set(ok, o)
  }
  return [...out.values()].map(({ cost, gpu, gpuCost, ...r }) => ({
    ...r,
    cost_usd: fromScaled(cost, 12),
    gpu_seconds: Number(fromScaled(gpu, 6)),
    gpu_cost_usd: fromScaled(gpuCost, 12),
  }))
}

/** One month (default: the current one, to now). */
export async function scenarioCost(orgId: string, m: string | undefined, now = new Date()): Promise<TScenarioCostAnswer> {
  const mm = m ?? monthOf(now)
  const from = monthStart(mm)
  const to = new Date(Math.min(nextMonth(mm).getTime(), now.getTime()))
  const { built, items } = await scenarioCostBetween(orgId, mm, from, to, now)
  const months = Array.from({ length: 6 }, (_, i) => monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1))))
  return { ...built, from: from.toISOString(), to: to.toISOString(), months, line_items: items }
}

/**
 * Scenario cost over [from, to), a span inside the month `mm`: the calls and
 * the pools' paid capacity of the span; the month's line items when the span
 * holds the month's first instant (a line item is a month's cost, counted
 * once). Scenario cost's month and the whole bill (lib/finance/whole-bill.ts)
 * both read it, so they are the same sums.
 */
export async function scenarioCostBetween(
  orgId: string,
  mm: string,
  from: Date,
  to: Date,
  now = new Date(),
): Promise<{ built: ReturnType<typeof buildScenarioCost>; items: TLineItem[] }> {
  const withItems = from.getTime() <= monthStart(mm).getTime() && to.getTime() > monthStart(mm).getTime()
  const [calls, outcomes, pools, items] = await Promise.all([
    callsByScenario(orgId, from, to),
    pool().query<{ workflow_id: string; accepted: string }>(
      `SELECT workflow_id, sum(accepted)::text AS accepted FROM rollups_outcomes_daily_workflows WHERE org_id = $1 AND day >= $2 AND day < $3 GROUP BY workflow_id`,
      [orgId, from, to],
    ),
    listPools(orgId, now),
    withItems ? listLineItems(orgId, mm) : Promise.resolve([] as TLineItem[]),
  ])
  const callRows: TCallRow[] = calls.map((c) => ({ ...c, month: mm }))
  const built = buildScenarioCost(
    mm,
    callRows,
    pools.map((p) => ({
      name: p.name,
      role: p.role,
      serves: p.serves,
      allocation: p.allocation,
      shares: p.shares,
      cost_micros: new Map([[mm, poolCost(versionsOf(p), from, to).cost_micros]]),
    })),
    items.map((i) => ({ month: i.month, scenario: i.scenario, category: i.category, amount_micros: toScaled(i.amount_usd, 6) })),
    // Outcomes are reported per workflow: they count for the scenario named like the workflow.
    outcomes.rows.map((o) => ({ month: mm, scenario: o.workflow_id, accepted: Number(o.accepted) })),
  )
  return { built, items }
}
