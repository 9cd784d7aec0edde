import { pool } from '@/lib/db'
import { notFound } from '@/lib/errors'
import { parseOrThrow } from '@/lib/validation'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { budgetStatus, budgetWindow, type TBudgetMetric, type TBudgetPeriod, type TBudgetStatus } from '@/lib/budgets/evaluate'
import { checkChannelIds } from '@/lib/notifications/channels'
import { ZBudgetCreate, type TBudgetCreate, type TBudgetPatch } from '@/lib/budgets/schema'

// Budgets (PRODUCT.md "Budgets and alerts"): stored per organization, measured
// on the hourly rollups at read time. The organization id is in every statement.

export type TBudget = Omit<TBudgetCreate, 'period' | 'metric'> & {
  id: string
  period: TBudgetPeriod
  metric: TBudgetMetric
  created_at: string
  updated_at: string
}
export type TBudgetView = TBudget & { status: TBudgetStatus }

const COLUMNS = `id::text, name, environment, workflow_id, account_id, feature, traffic_sources, period, rolling_days, metric,
  amount_usd::text AS amount_usd, thresholds, hard_cutoff, owner, coalesce(channel_ids::text[], '{}') AS channel_ids, created_at, updated_at`

const trim = (v: string) => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v)

function toBudget(r: Record<string, unknown>): TBudget {
  return {
    ...(r as Omit<TBudget, 'amount_usd' | 'created_at' | 'updated_at'>),
    amount_usd: trim(r.amount_usd as string),
    thresholds: [...(r.thresholds as number[])].sort((a, b) => a - b),
    created_at: (r.created_at as Date).toISOString(),
    updated_at: (r.updated_at as Date).toISOString(),
  }
}

/** What a budget measures in its window, from the rollups. */
export async function measureBudget(orgId: string, b: TBudget, now: Date): Promise<TBudgetView> {
  const w = budgetWindow(b, now)
  const q = ZMetricsQuery.parse({})
  const filter = (v: string | null) => (v === null ? undefined : [v])
  const { rows } = await queryMetrics(orgId, {
    ...q, from: w.from, to: w.to, granularity: 'none', group_by: undefined,
    environment: filter(b.environment), workflow_id: filter(b.workflow_id), account_id: filter(b.account_id), feature: filter(b.feature),
    traffic_source: b.traffic_sources,
  })
  const r = rows[0]
  const measure = { cost_usd: r?.cost_usd ?? '0.000000', runs: r?.runs ?? 0, production_cost_usd: r?.production_cost_usd ?? '0.000000', accepted_outcomes: r?.accepted_outcomes ?? 0 }
  return { ...b, status: budgetStatus(b, w, measure) }
}

export async function listBudgets(orgId: string, now = new Date()): Promise<TBudgetView[]> {
  const r = await pool().query(`SELECT ${COLUMNS} FROM budgets WHERE org_id = $1 ORDER BY name, created_at`, [orgId])
  return Promise.all(r.rows.map((row) => measureBudget(orgId, toBudget(row), now)))
}

export async function getBudget(orgId: string, id: string): Promise<TBudget> {
  const r = await pool().query(`SELECT ${COLUMNS} FROM budgets WHERE org_id = $1 AND id = $2`, [orgId, id])
  if (!r.rows[0]) throw notFound(`No budget ${id} in this organization`)
  return toBudget(r.rows[0])
}

const VALUES = (b: TBudgetInput) => [b.name, b.environment, b.workflow_id, b.account_id, b.feature, b.traffic_sources, b.period, b.rolling_days, b.metric, b.amount_usd, b.thresholds, b.hard_cutoff, b.owner, b.channel_ids ?? []]

/** channel_ids may be left out (no channel named: the default channels). */
type TBudgetInput = Omit<TBudgetCreate, 'channel_ids'> & { channel_ids?: string[] }

export async function createBudget(orgId: string, b: TBudgetInput, now = new Date()): Promise<TBudgetView> {
  await checkChannelIds(orgId, b.channel_ids ?? [])
  const r = await pool().query(
    `INSERT INTO budgets (id, org_id, name, environment, workflow_id, account_id, feature, traffic_sources, period, rolling_days, metric, amount_usd, thresholds, hard_cutoff, owner, channel_ids)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING ${COLUMNS}`,
    [orgId, ...VALUES(b)],
  )
  return measureBudget(orgId, toBudget(r.rows[0]), now)
}

/** Change some fields; the result must still be a valid budget (e.g. a rolling period keeps its days). */
export async function updateBudget(orgId: string, id: string, patch: TBudgetPatch, now = new Date()): Promise<TBudgetView> {
  const current = await getBudget(orgId, id)
  const { id: _id, created_at: _c, updated_at: _u, ...fields } = current
  const merged = parseOrThrow(ZBudgetCreate, { ...fields, ...patch }, 'Invalid budget')
  await checkChannelIds(orgId, merged.channel_ids)
  const r = await pool().query(
    `UPDATE budgets SET name = $3, environment = $4, workflow_id = $5, account_id = $6, feature = $7, traffic_sources = $8, period = $9,
       rolling_days = $10, metric = $11, amount_usd = $12, thresholds = $13, hard_cutoff = $14, owner = $15, channel_ids = $16, updated_at = now()
     WHERE org_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [orgId, id, ...VALUES(merged)],
  )
  if (!r.rows[0]) throw notFound(`No budget ${id} in this organization`)
  return measureBudget(orgId, toBudget(r.rows[0]), now)
}

export async function deleteBudget(orgId: string, id: string): Promise<void> {
  const r = await pool().query(`DELETE FROM budgets WHERE org_id = $1 AND id = $2`, [orgId, id])
  if (r.rowCount === 0) throw notFound(`No budget ${id} in this organization`)
}
