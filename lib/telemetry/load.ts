import 'server-only'
import { pool } from '@/lib/db'
import { DAY_MS } from '@/lib/domain'
import { telemetryHealth, type THealthRow } from '@/lib/telemetry/health'
import { HEALTH_FIELDS, type THealthField, type TTelemetryHealthAnswer, type TTelemetryHealthQuery } from '@/lib/telemetry/schema'

// GET /api/v1/telemetry-health: one scan of the range's raw events (the
// (org_id, timestamp) index), grouped by source, workflow and step; the names
// of the API keys and members that sent them. At most 31 days.

/** How each field reads as missing, in SQL over inference_events. */
export const MISSING_SQL: Record<THealthField, string> = {
  workflow_id: `'workflow_id' = ANY(defaulted)`,
  step: `'step' = ANY(defaulted)`,
  account_id: 'account_id IS NULL',
  outcome: `'outcome' = ANY(defaulted)`,
  scenario_id: 'scenario_id IS NULL',
  owner: 'owner IS NULL',
}
const ANY_MISSING = HEALTH_FIELDS.map((f) => `(${MISSING_SQL[f]})`).join(' OR ')
const UNLABELED = `defaulted && ARRAY['workflow_id', 'step']`

export async function loadTelemetryHealth(orgId: string, q: TTelemetryHealthQuery, now = new Date()): Promise<TTelemetryHealthAnswer> {
  const to = q.to ?? now
  const from = q.from ?? new Date(to.getTime() - 7 * DAY_MS)
  const measures = [...HEALTH_FIELDS.map((f) => [f, MISSING_SQL[f]] as const), ['any', ANY_MISSING] as const, ['unlabeled', UNLABELED] as const]
  const [r, names] = await Promise.all([
    pool().query<Record<string, string | null>>(
      `SELECT source, workflow_id, step, count(*)::text AS calls, coalesce(sum(cost_usd), 0)::text AS cost_usd,
         count(*) FILTER (WHERE cost_usd IS NULL)::text AS unpriced_calls,
         ${measures.map(([k, cond]) => `count(*) FILTER (WHERE ${cond})::text AS "${k}_calls", coalesce(sum(cost_usd) FILTER (WHERE ${cond}), 0)::text AS "${k}_cost"`).join(',\n         ')}
       FROM inference_events WHERE org_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3
       GROUP BY source, workflow_id, step`,
      [orgId, from.toISOString(), to.toISOString()],
    ),
    pool().query<{ source: string; name: string }>(
      `SELECT 'key:' || id AS source, name || ' (' || prefix || '…)' AS name FROM api_keys WHERE org_id = $1
       UNION ALL
       SELECT 'member:' || u.id, coalesce(u.name, u.email) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1`,
      [orgId],
    ),
  ])
  const pair = (x: Record<string, string | null>, k: string) => ({ calls: Number(x[`${k}_calls`]), cost_usd: x[`${k}_cost`] ?? '0' })
  const rows: THealthRow[] = r.rows.map((x) => ({
    source: x.source,
    workflow_id: x.workflow_id ?? '',
    step: x.step ?? '',
    calls: Number(x.calls),
    cost_usd: x.cost_usd ?? '0',
    unpriced_calls: Number(x.unpriced_calls),
    missing: Object.fromEntries([...HEALTH_FIELDS, 'any'].map((f) => [f, pair(x, f)])) as THealthRow['missing'],
    unlabeled: pair(x, 'unlabeled'),
  }))
  return telemetryHealth({ from, to, rows, names: new Map(names.rows.map((n) => [n.source, n.name])) })
}
