import 'server-only'
import { formatUsdOf } from '@/lib/format'
import type { PoolClient } from 'pg'
import { inTransaction, pool } from '@/lib/db'
import { named } from '@/lib/sql'
import { recordAudit } from '@/lib/audit'
import { notFound } from '@/lib/errors'
import { DEFAULT_DRIFT_CONFIG, type TAlertKind, type TDriftConfig } from '@/lib/alerts/detectors'
import type { TAlert, TAlertListQuery, TAlertMute, TAlertState, TDriftSettingsPatch } from '@/lib/alerts/schema'

export type { TAlert, TAlertMute, TAlertState } from '@/lib/alerts/schema'

// The one list of alerts, budget and drift (table `alerts`). An alert is
// written once per dedupe key (its source, period and threshold) and resolved
// when an evaluation no longer finds its key; a muted source's alerts are
// still written, flagged muted, and not notified. The organization id is in
// every statement.

/** What an evaluation found: written unless its dedupe key was written before. */
export type TAlertCandidate = {
  kind: TAlertKind
  source_key: string
  dedupe_key: string
  subject: string
  title: string
  details: Record<string, unknown>
  budget_id: string | null
  period_start: string
  threshold: number | null
  state: TAlertState
  actual_usd: string | null
  amount_usd: string | null
}

const trim = (v: string | null) => (v === null ? null : v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v)

const SELECT = `SELECT a.id::text, a.kind, a.budget_id::text, b.name AS budget_name, a.period_start, a.threshold, a.state, a.actual_usd::text, a.amount_usd::text,
    a.fired_at, a.acknowledged_at, a.source_key, coalesce(b.name, a.subject) AS subject, a.title, a.details, a.muted, m.until AS muted_until, a.resolved_at
  FROM alerts a LEFT JOIN budgets b ON b.id = a.budget_id AND b.org_id = a.org_id
  LEFT JOIN alert_mutes m ON m.org_id = a.org_id AND m.source_key = a.source_key AND m.until > now()`

function toAlert(x: Record<string, unknown>): TAlert {
  const r = x as Record<string, never>
  // A budget alert reads with the budget's current name.
  const title = r.kind === 'budget' ? budgetTitle(r.budget_name ?? r.subject, r.threshold, r.actual_usd, r.amount_usd) : (r.title as string)
  return {
    id: r.id,
    kind: r.kind,
    budget_id: r.budget_id,
    budget_name: r.budget_name,
    period_start: (r.period_start as Date).toISOString(),
    threshold: r.threshold,
    state: r.state,
    actual_usd: trim(r.actual_usd),
    amount_usd: trim(r.amount_usd),
    fired_at: (r.fired_at as Date).toISOString(),
    acknowledged_at: (r.acknowledged_at as Date | null)?.toISOString() ?? null,
    source_key: r.source_key,
    subject: r.subject,
    title,
    details: r.details,
    muted: r.muted,
    muted_until: (r.muted_until as Date | null)?.toISOString() ?? null,
    resolved_at: (r.resolved_at as Date | null)?.toISOString() ?? null,
  }
}

export function budgetTitle(name: string, threshold: number | null, actual: string | null, amount: string | null): string {
  const a = trim(actual)
  const b = trim(amount)
  return `${name}: ${threshold}% of the budget reached${a !== null && b !== null ? ` (${formatUsdOf(a, b)})` : ''}`
}

/**
 * Write the candidates not written before (in the caller's transaction), raise
 * the level of those written at a lower threshold (a budget going 50 → 80 → 100%:
 * the same alert, fired and unacknowledged again, so its new level is notified), and
 * resolve the open alerts of `kinds` (restricted to `sourceKeys` when given)
 * whose key is no longer among the candidates. Returns the alerts that fired.
 */
export async function recordAlerts(
  c: PoolClient,
  orgId: string,
  now: Date,
  candidates: TAlertCandidate[],
  scope: { kinds: TAlertKind[]; sourceKeys?: string[] },
): Promise<TAlert[]> {
  const fired: string[] = []
  for (const k of candidates) {
    const r = await c.query<{ id: string }>(
      named(
        `INSERT INTO alerts (org_id, kind, source_key, dedupe_key, subject, title, details, budget_id, period_start, threshold, state, actual_usd, amount_usd, fired_at, muted)
         SELECT :org_id, :kind, :source_key, :dedupe_key, :subject, :title, :details, :budget_id, :period_start, :threshold, :state, :actual_usd, :amount_usd, :now,
                EXISTS (SELECT 1 FROM alert_mutes WHERE org_id = :org_id AND source_key = :source_key AND until > :now)
         -- a budget deleted since the evaluation read it gets no alert (its delete waits for this row, or this finds it gone)
         WHERE :budget_id::uuid IS NULL OR EXISTS (SELECT 1 FROM budgets WHERE id = :budget_id::uuid FOR KEY SHARE)
         ON CONFLICT (org_id, dedupe_key) DO UPDATE
           SET threshold = EXCLUDED.threshold, state = EXCLUDED.state, title = EXCLUDED.title, actual_usd = EXCLUDED.actual_usd,
               amount_usd = EXCLUDED.amount_usd, details = EXCLUDED.details, fired_at = EXCLUDED.fired_at, acknowledged_at = NULL, muted = EXCLUDED.muted
           WHERE alerts.threshold < EXCLUDED.threshold
         RETURNING id::text`,
        {
          org_id: orgId,
          kind: k.kind,
          source_key: k.source_key,
          dedupe_key: k.dedupe_key,
          subject: k.subject,
          title: k.title,
          details: JSON.stringify(k.details),
          budget_id: k.budget_id,
          period_start: k.period_start,
          threshold: k.threshold,
          state: k.state,
          actual_usd: k.actual_usd,
          amount_usd: k.amount_usd,
          now,
        },
      ),
    )
    if (r.rows[0]) fired.push(r.rows[0].id)
  }
  // An alert whose condition holds again in its period (or that an evaluation running at the same time,
  // on rollups read a moment earlier, resolved) is open again; it does not fire twice.
  await c.query(`UPDATE alerts SET resolved_at = NULL WHERE org_id = $1 AND resolved_at IS NOT NULL AND dedupe_key = ANY($2::text[])`, [
    orgId,
    candidates.map((k) => k.dedupe_key),
  ])
  await c.query(
    `UPDATE alerts SET resolved_at = $2
     WHERE org_id = $1 AND resolved_at IS NULL AND kind = ANY($3::text[]) AND ($4::text[] IS NULL OR source_key = ANY($4::text[])) AND dedupe_key <> ALL($5::text[])`,
    [orgId, now, scope.kinds, scope.sourceKeys ?? null, candidates.map((k) => k.dedupe_key)],
  )
  if (fired.length === 0) return []
  const r = await c.query(`${SELECT} WHERE a.org_id = $1 AND a.id = ANY($2::int8[]) ORDER BY a.id`, [orgId, fired])
  return r.rows.map(toAlert)
}

/** The organization's alerts, newest first, filtered by kind and state. */
export async function listAlerts(orgId: string, q: Partial<TAlertListQuery> = {}): Promise<TAlert[]> {
  const where = ['a.org_id = $1']
  const params: unknown[] = [orgId]
  if (q.kind?.length) {
    params.push(q.kind)
    where.push(`a.kind = ANY($${params.length}::text[])`)
  }
  if (q.state === 'open') where.push('a.acknowledged_at IS NULL AND a.resolved_at IS NULL AND m.until IS NULL')
  if (q.state === 'acknowledged') where.push('a.acknowledged_at IS NOT NULL')
  if (q.state === 'resolved') where.push('a.resolved_at IS NOT NULL')
  if (q.state === 'muted') where.push('(a.muted OR m.until IS NOT NULL)')
  params.push(q.limit ?? 100)
  const r = await pool().query(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY a.fired_at DESC, a.id DESC LIMIT $${params.length}`, params)
  return r.rows.map(toAlert)
}

export async function getAlert(orgId: string, id: string): Promise<TAlert> {
  const r = await pool().query(`${SELECT} WHERE a.org_id = $1 AND a.id = $2`, [orgId, id])
  if (!r.rows[0]) throw notFound(`No alert ${id} in this organization`)
  return toAlert(r.rows[0])
}

export async function acknowledgeAlert(orgId: string, id: string): Promise<void> {
  await inTransaction(async (c) => {
    const before = await c.query<{ acknowledged_at: Date | null }>(`SELECT acknowledged_at FROM alerts WHERE org_id = $1 AND id = $2 FOR UPDATE`, [orgId, id])
    if (!before.rows[0]) throw notFound(`No alert ${id} in this organization`)
    const r = await c.query<{ acknowledged_at: Date }>(
      `UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, now()) WHERE org_id = $1 AND id = $2 RETURNING acknowledged_at`,
      [orgId, id],
    )
    await recordAudit(c, orgId, { action: 'alert.acknowledge', target: { type: 'alert', id }, before: before.rows[0], after: r.rows[0] })
  })
}

/** Mute the source of an alert (its budget, or its detector and subject) until `until`; muting again moves the end. */
export async function muteAlertSource(orgId: string, alertId: string, until: Date, userId: string | null): Promise<TAlertMute> {
  const a = await getAlert(orgId, alertId)
  const label = a.kind === 'budget' ? `budget ${a.budget_name ?? a.subject}` : `${a.kind.replaceAll('_', ' ')}: ${a.subject}`
  return inTransaction(async (c) => {
    const before = await c.query(`SELECT id::text, source_key, label, until, created_at FROM alert_mutes WHERE org_id = $1 AND source_key = $2 FOR UPDATE`, [
      orgId,
      a.source_key,
    ])
    const r = await c.query(
      `INSERT INTO alert_mutes (id, org_id, source_key, label, until, created_by) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)
       ON CONFLICT (org_id, source_key) DO UPDATE SET until = EXCLUDED.until, label = EXCLUDED.label, created_by = EXCLUDED.created_by, created_at = now()
       RETURNING id::text, source_key, label, until, created_at`,
      [orgId, a.source_key, label, until, userId],
    )
    const mute = toMute(r.rows[0])
    await recordAudit(c, orgId, {
      action: 'alert_mute.set',
      target: { type: 'alert_mute', id: mute.id },
      before: before.rows[0] ? toMute(before.rows[0]) : null,
      after: mute,
    })
    return mute
  })
}

const toMute = (r: { id: string; source_key: string; label: string; until: Date; created_at: Date }): TAlertMute => ({
  id: r.id,
  source_key: r.source_key,
  label: r.label,
  until: r.until.toISOString(),
  created_at: r.created_at.toISOString(),
})

/** Mutes still in force. */
export async function listMutes(orgId: string, now = new Date()): Promise<TAlertMute[]> {
  const r = await pool().query(`SELECT id::text, source_key, label, until, created_at FROM alert_mutes WHERE org_id = $1 AND until > $2 ORDER BY until`, [
    orgId,
    now,
  ])
  return r.rows.map(toMute)
}

export async function unmute(orgId: string, muteId: string): Promise<void> {
  await inTransaction(async (c) => {
    const r = await c.query(`DELETE FROM alert_mutes WHERE org_id = $1 AND id = $2 RETURNING id::text, source_key, label, until, created_at`, [orgId, muteId])
    if (!r.rows[0]) throw notFound(`No mute ${muteId} in this organization`)
    await recordAudit(c, orgId, { action: 'alert_mute.delete', target: { type: 'alert_mute', id: muteId }, before: toMute(r.rows[0]), after: null })
  })
}

/** The organization's drift detector settings: its own over the defaults. */
export async function getDriftConfig(orgId: string, client?: PoolClient): Promise<TDriftConfig> {
  const r = await (client ?? pool()).query<{ config: Partial<TDriftConfig> }>(`SELECT config FROM alert_settings WHERE org_id = $1`, [orgId])
  return { ...DEFAULT_DRIFT_CONFIG, ...(r.rows[0]?.config ?? {}) }
}

export async function updateDriftConfig(orgId: string, patch: TDriftSettingsPatch): Promise<TDriftConfig> {
  return inTransaction(async (c) => {
    await c.query(`SELECT 1 FROM alert_settings WHERE org_id = $1 FOR UPDATE`, [orgId])
    const before = await getDriftConfig(orgId, c)
    await c.query(
      `INSERT INTO alert_settings (org_id, config, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (org_id) DO UPDATE SET config = alert_settings.config || EXCLUDED.config, updated_at = now()`,
      [orgId, JSON.stringify(patch)],
    )
    const after = await getDriftConfig(orgId, c)
    await recordAudit(c, orgId, { action: 'alert_settings.update', target: { type: 'alert_settings', id: null }, before, after })
    return after
  })
}
