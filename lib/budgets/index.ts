import 'server-only'
import { inTransaction, pool } from '@/lib/db'
import { named } from '@/lib/sql'
import { recordAudit } from '@/lib/audit'
import { notFound } from '@/lib/errors'
import { parseOrThrow } from '@/lib/validation'
import { queryMetrics, ZMetricsQuery, type TMetricsQuery, type TMetricsRow } from '@/lib/metrics/query'
import { budgetStatus, budgetWindow, type TBudgetMeasure } from '@/lib/budgets/evaluate'
import { checkChannelIds } from '@/lib/notifications/channels'
import { ZBudgetCreate, type TBudgetCreate, type TBudgetPatch, type ZBudget, type ZBudgetHistory, type ZBudgetView } from '@/lib/budgets/schema'
import type { z } from 'zod'
import { burnDown, type TBurnGranularity } from '@/lib/budgets/burn-down'
import { stateHistory } from '@/lib/budgets/enforce'
import { measureBudgets } from '@/lib/budgets/measure'

// Budgets (PRODUCT.md "Budgets and alerts"): stored per organization, measured
// on the hourly rollups at read time. The organization id is in every statement.

export type TBudget = z.infer<typeof ZBudget>
export type TBudgetView = z.infer<typeof ZBudgetView>

const COLUMNS = `id::text, name, environment, workflow_id, account_id, feature, traffic_sources, period, rolling_days, metric,
  amount_usd::text AS amount_usd, thresholds, hard_cutoff, cutoff_action, throttle_per_minute, run_cap_usd::text AS run_cap_usd, run_cap_p95_multiple::float8 AS run_cap_p95_multiple, brownout_pct, owner, coalesce(channel_ids::text[], '{}') AS channel_ids, created_at, updated_at`

const trim = (v: string) => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v)

function toBudget(r: Record<string, unknown>): TBudget {
  return {
    ...(r as Omit<TBudget, 'amount_usd' | 'created_at' | 'updated_at'>),
    amount_usd: trim(r.amount_usd as string),
    run_cap_usd: r.run_cap_usd == null ? null : trim(r.run_cap_usd as string),
    run_cap_p95_multiple: (r.run_cap_p95_multiple as number | null) ?? null,
    brownout_pct: (r.brownout_pct as number | null) ?? null,
    thresholds: [...(r.thresholds as number[])].sort((a, b) => a - b),
    created_at: (r.created_at as Date).toISOString(),
    updated_at: (r.updated_at as Date).toISOString(),
  }
}

/** The metrics query for a budget's scope over [from, to). */
export function budgetMetricsQuery(b: TBudget, from: Date, to: Date, granularity: TMetricsQuery['granularity']): TMetricsQuery {
  const filter = (v: string | null) => (v === null ? undefined : [v])
  return {
    ...ZMetricsQuery.parse({}),
    from,
    to,
    granularity,
    group_by: undefined,
    environment: filter(b.environment),
    workflow_id: filter(b.workflow_id),
    account_id: filter(b.account_id),
    feature: filter(b.feature),
    traffic_source: b.traffic_sources,
  }
}

export const measureOf = (r: TMetricsRow | undefined): TBudgetMeasure => ({
  cost_usd: r?.cost_usd ?? '0.000000',
  runs: r?.runs ?? 0,
  production_cost_usd: r?.production_cost_usd ?? '0.000000',
  accepted_outcomes: r?.accepted_outcomes ?? 0,
})

/** What a budget measures in its window, from the rollups. */
export async function measureBudget(orgId: string, b: TBudget, now: Date): Promise<TBudgetView> {
  const w = budgetWindow(b, now)
  const { rows } = await queryMetrics(orgId, budgetMetricsQuery(b, w.from, w.to, 'none'))
  return { ...b, status: budgetStatus(b, w, measureOf(rows[0])) }
}

/** The organization's budgets as configured (not measured). */
export async function listBudgetRules(orgId: string): Promise<TBudget[]> {
  const r = await pool().query(`SELECT ${COLUMNS} FROM budgets WHERE org_id = $1 ORDER BY name, created_at`, [orgId])
  return r.rows.map(toBudget)
}

/** Every budget measured, in a number of queries bounded by the scope shapes, not by the budgets (lib/budgets/measure.ts). */
export async function listBudgets(orgId: string, now = new Date()): Promise<TBudgetView[]> {
  return measureBudgets(orgId, await listBudgetRules(orgId), now)
}

export async function getBudget(orgId: string, id: string): Promise<TBudget> {
  const r = await pool().query(`SELECT ${COLUMNS} FROM budgets WHERE org_id = $1 AND id = $2`, [orgId, id])
  if (!r.rows[0]) throw notFound(`No budget ${id} in this organization`)
  return toBudget(r.rows[0])
}

/** The stored fields of a budget, by column: the INSERT and UPDATE below are written from them (named parameters, lib/sql.ts). */
const FIELDS = (b: TBudgetInput) => ({
  name: b.name,
  environment: b.environment,
  workflow_id: b.workflow_id,
  account_id: b.account_id,
  feature: b.feature,
  traffic_sources: b.traffic_sources,
  period: b.period,
  rolling_days: b.rolling_days,
  metric: b.metric,
  amount_usd: b.amount_usd,
  thresholds: b.thresholds,
  hard_cutoff: b.hard_cutoff,
  owner: b.owner,
  channel_ids: b.channel_ids ?? [],
  cutoff_action: b.cutoff_action ?? 'throttle',
  throttle_per_minute: b.throttle_per_minute ?? 60,
  run_cap_usd: b.run_cap_usd ?? null,
  run_cap_p95_multiple: b.run_cap_p95_multiple ?? null,
  brownout_pct: b.brownout_pct ?? null,
})
const FIELD_NAMES = Object.keys(FIELDS({} as TBudgetInput))

/** channel_ids may be left out (no channel named: the default channels). */
/** A budget to create; fields with a default in ZBudgetCreate may be left out. */
export type TBudgetInput = Omit<TBudgetCreate, 'channel_ids' | 'cutoff_action' | 'throttle_per_minute' | TGatewayOptions> &
  Partial<Pick<TBudgetCreate, 'channel_ids' | 'cutoff_action' | 'throttle_per_minute' | TGatewayOptions>>
type TGatewayOptions = 'run_cap_usd' | 'run_cap_p95_multiple' | 'brownout_pct'

export async function createBudget(orgId: string, b: TBudgetInput, now = new Date()): Promise<TBudgetView> {
  await checkChannelIds(orgId, b.channel_ids ?? [])
  const created = await inTransaction(async (c) => {
    const r = await c.query(
      named(
        `INSERT INTO budgets (id, org_id, ${FIELD_NAMES.join(', ')})
         VALUES (gen_random_uuid(), :org_id, ${FIELD_NAMES.map((f) => `:${f}`).join(', ')}) RETURNING ${COLUMNS}`,
        { org_id: orgId, ...FIELDS(b) },
      ),
    )
    const budget = toBudget(r.rows[0])
    await recordAudit(c, orgId, { action: 'budget.create', target: { type: 'budget', id: budget.id }, before: null, after: budget })
    return budget
  })
  return measureBudget(orgId, created, now)
}

/** Change some fields; the result must still be a valid budget (e.g. a rolling period keeps its days). */
export async function updateBudget(orgId: string, id: string, patch: TBudgetPatch, now = new Date()): Promise<TBudgetView> {
  const current = await getBudget(orgId, id)
  const { id: _id, created_at: _c, updated_at: _u, ...fields } = current
  const merged = parseOrThrow(ZBudgetCreate, { ...fields, ...patch }, 'Invalid budget')
  await checkChannelIds(orgId, merged.channel_ids)
  const updated = await inTransaction(async (c) => {
    // the row as this change replaces it (locked: a concurrent change is recorded before or after this one)
    const locked = await c.query(`SELECT ${COLUMNS} FROM budgets WHERE org_id = $1 AND id = $2 FOR UPDATE`, [orgId, id])
    if (!locked.rows[0]) throw notFound(`No budget ${id} in this organization`)
    const before = toBudget(locked.rows[0])
    const r = await c.query(
      named(
        `UPDATE budgets SET ${FIELD_NAMES.map((f) => `${f} = :${f}`).join(', ')}, updated_at = now()
         WHERE org_id = :org_id AND id = :id RETURNING ${COLUMNS}`,
        { org_id: orgId, id, ...FIELDS(merged) },
      ),
    )
    if (!r.rows[0]) throw notFound(`No budget ${id} in this organization`)
    const after = toBudget(r.rows[0])
    await recordAudit(c, orgId, { action: 'budget.update', target: { type: 'budget', id }, before, after })
    return after
  })
  return measureBudget(orgId, updated, now)
}

export async function deleteBudget(orgId: string, id: string): Promise<void> {
  await inTransaction(async (c) => {
    const r = await c.query(`DELETE FROM budgets WHERE org_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [orgId, id])
    if (!r.rows[0]) throw notFound(`No budget ${id} in this organization`)
    await recordAudit(c, orgId, { action: 'budget.delete', target: { type: 'budget', id }, before: toBudget(r.rows[0]), after: null })
  })
}

export type TBudgetHistory = z.infer<typeof ZBudgetHistory>

/** A budget's period as a series (burn-down, or value per bucket against the target) and its state changes. */
export async function budgetHistory(orgId: string, id: string, now = new Date()): Promise<TBudgetHistory> {
  const b = await getBudget(orgId, id)
  const w = budgetWindow(b, now)
  const granularity: TBurnGranularity = b.period === 'day' ? 'hour' : 'day'
  const [series, total, state_changes] = await Promise.all([
    queryMetrics(orgId, budgetMetricsQuery(b, w.from, w.to, granularity)),
    queryMetrics(orgId, budgetMetricsQuery(b, w.from, w.to, 'none')),
    stateHistory(orgId, id),
  ])
  const buckets = series.rows.map((r) => ({ ...measureOf(r), bucket: r.bucket! }))
  return {
    budget: { ...b, status: budgetStatus(b, w, measureOf(total.rows[0])) },
    granularity,
    points: burnDown(b.metric, b.amount_usd, w, granularity, buckets),
    state_changes,
  }
}
