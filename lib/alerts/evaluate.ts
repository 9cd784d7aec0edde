import 'server-only'
import { asOrg, inTransaction, pool } from '@/lib/db'
import { enqueueNotifications } from '@/lib/queues'
import { budgetAlertCandidates } from '@/lib/budgets/alerts'
import { getDriftConfig, recordAlerts, type TAlert, type TAlertCandidate } from '@/lib/alerts'
import {
  ALERT_KINDS,
  DRIFT_KINDS,
  DEFAULT_DRIFT_CONFIG,
  detectCacheHitRateDrop,
  detectCallsPerRunGrowth,
  detectCostPerOutcomeDrift,
  detectorWindows,
  featureSloFindings,
  detectSpendAnomaly,
  detectTokenGrowth,
  detectUnpricedModels,
  detectRevenueShare,
  detectAccountAnomalies,
  hourStart,
  driftDedupeKey,
  driftSourceKey,
  type TAlertKind,
  type TDriftConfig,
  type TDriftFinding,
  type TCacheRow,
  type TOutcomeCostRow,
  type TRunsRow,
  type TTokensRow,
  type TUnpricedRow,
  type TWindows,
} from '@/lib/alerts/detectors'
import { createAlertDeliveries, requeuePendingDeliveries } from '@/lib/notifications/channels'
import { log } from '@/lib/log'
import { productionSql } from '@/lib/domain'
import { sloBreaches, type TFeatureMetricsRow } from '@/lib/metrics/views/features'
import { marginOf } from '@/lib/accounts/revenue'
import { queryAccountAnomalies, ZStepMediansQuery } from '@/lib/metrics/step-medians'

// One organization's alerts at `now`: its budgets and the five drift detectors,
// read from the hourly rollups (a handful of range reads on (org_id, hour), never
// the raw events), recorded once per dedupe key, and their notifications queued.
// The scheduled "budgets" job runs it for every organization; an ingest batch
// can run it for its organization (evaluateOrgAlerts is the entry point).

type TOptions = { kinds?: readonly TAlertKind[]; config?: TDriftConfig }

/**
 * Detectors whose windows end at the last complete hour: their answer changes
 * only when the hour does, and they read weeks of rollups (seconds on a large
 * organization: npm run bench:alerts), so they run once per organization and hour.
 * Budgets and unpriced models (which counts the current hour) run every time.
 */
export const HOURLY_KINDS: readonly TAlertKind[] = DRIFT_KINDS.filter((k) => k !== 'unpriced_model')

async function outcomeCostRows(orgId: string, w: TWindows): Promise<TOutcomeCostRow[]> {
  const { baseline, recent } = w.outcome
  const [cost, outcomes] = await Promise.all([
    pool().query<{ workflow_id: string; recent: string; baseline: string }>(
      `SELECT workflow_id, coalesce(sum(cost_usd) FILTER (WHERE hour >= $3), 0)::text AS recent, coalesce(sum(cost_usd) FILTER (WHERE hour < $3), 0)::text AS baseline
       FROM rollups_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $4 AND ${productionSql()} GROUP BY workflow_id`,
      [orgId, baseline.from, recent.from, recent.to],
    ),
    pool().query<{ workflow_id: string; recent: string; baseline: string }>(
      `SELECT workflow_id, coalesce(sum(accepted) FILTER (WHERE hour >= $3), 0)::text AS recent, coalesce(sum(accepted) FILTER (WHERE hour < $3), 0)::text AS baseline
       FROM rollups_outcomes_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $4 GROUP BY workflow_id`,
      [orgId, baseline.from, recent.from, recent.to],
    ),
  ])
  const accepted = new Map(outcomes.rows.map((r) => [r.workflow_id, r]))
  return cost.rows.flatMap((c) => {
    const o = accepted.get(c.workflow_id)
    return o
      ? [
          {
            workflow_id: c.workflow_id,
            recent_cost_usd: c.recent,
            baseline_cost_usd: c.baseline,
            recent_accepted: Number(o.recent),
            baseline_accepted: Number(o.baseline),
          },
        ]
      : []
  })
}

/** Per workflow step over the tokens windows (last 24 hours and the 4 weeks before), production traffic: calls, tokens in and out, cached input. */
type TStepWindows = TTokensRow & TCacheRow

async function stepWindowRows(orgId: string, w: TWindows): Promise<TStepWindows[]> {
  const { baseline, recent } = w.tokens
  const sums = ['events', 'tokens_in', 'tokens_out', 'cached_tokens_in']
    .flatMap((m) => [
      `coalesce(sum(${m}) FILTER (WHERE hour >= $3), 0)::text AS recent_${m}`,
      `coalesce(sum(${m}) FILTER (WHERE hour < $3), 0)::text AS baseline_${m}`,
    ])
    .join(', ')
  const r = await pool().query<Record<string, string>>(
    `SELECT workflow_id, step, ${sums}
     FROM rollups_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $4 AND ${productionSql()} GROUP BY workflow_id, step`,
    [orgId, baseline.from, recent.from, recent.to],
  )
  return r.rows.map((x) => ({
    workflow_id: x.workflow_id,
    step: x.step,
    recent_calls: Number(x.recent_events),
    recent_tokens_in: Number(x.recent_tokens_in),
    recent_tokens_out: Number(x.recent_tokens_out),
    recent_cached_tokens_in: Number(x.recent_cached_tokens_in),
    baseline_calls: Number(x.baseline_events),
    baseline_tokens_in: Number(x.baseline_tokens_in),
    baseline_tokens_out: Number(x.baseline_tokens_out),
    baseline_cached_tokens_in: Number(x.baseline_cached_tokens_in),
  }))
}

/** Per workflow over the same windows: calls and runs (production traffic). */
async function runsRows(orgId: string, w: TWindows): Promise<TRunsRow[]> {
  const { baseline, recent } = w.tokens
  const r = await pool().query<Record<string, string>>(
    `SELECT workflow_id,
       coalesce(sum(events) FILTER (WHERE hour >= $3), 0)::text AS recent_calls, coalesce(sum(runs) FILTER (WHERE hour >= $3), 0)::text AS recent_runs,
       coalesce(sum(events) FILTER (WHERE hour < $3), 0)::text AS baseline_calls, coalesce(sum(runs) FILTER (WHERE hour < $3), 0)::text AS baseline_runs
     FROM rollups_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $4 AND ${productionSql()} GROUP BY workflow_id HAVING sum(runs) > 0`,
    [orgId, baseline.from, recent.from, recent.to],
  )
  return r.rows.map((x) => ({
    workflow_id: x.workflow_id,
    recent_calls: Number(x.recent_calls),
    recent_runs: Number(x.recent_runs),
    baseline_calls: Number(x.baseline_calls),
    baseline_runs: Number(x.baseline_runs),
  }))
}

/** Features with a cost SLO whose cost per action (production traffic, last 7 days) is above it: the Features page's own rule (sloBreaches). */
async function featureSloRows(orgId: string, w: TWindows) {
  const { from, to } = w.outcome.recent
  const [slos, spend] = await Promise.all([
    pool().query<{ feature: string; target: string }>(`SELECT feature, target_usd_per_action::text AS target FROM feature_slos WHERE org_id = $1`, [orgId]),
    pool().query<{ feature: string; cost_usd: string; events: string; runs: string }>(
      `SELECT feature, sum(cost_usd)::text AS cost_usd, sum(events)::text AS events, sum(runs)::text AS runs
       FROM rollups_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $3 AND ${productionSql()} GROUP BY feature`,
      [orgId, from, to],
    ),
  ])
  if (slos.rows.length === 0) return []
  const rows: TFeatureMetricsRow[] = spend.rows.map((r) => ({ feature: r.feature, cost_usd: r.cost_usd, events: Number(r.events), runs: Number(r.runs) }))
  return sloBreaches(
    rows,
    slos.rows.map((s) => ({ feature: s.feature, target_usd_per_action: s.target })),
  )
}

async function unpricedRows(orgId: string, w: TWindows): Promise<TUnpricedRow[]> {
  const r = await pool().query<{ provider: string; model: string; unpriced: string; first_hour: Date; last_hour: Date }>(
    `SELECT provider, model, sum(unpriced_events)::text AS unpriced, min(hour) FILTER (WHERE unpriced_events > 0) AS first_hour, max(hour) FILTER (WHERE unpriced_events > 0) AS last_hour
     FROM rollups_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $3 AND unpriced_events > 0 GROUP BY provider, model ORDER BY provider, model`,
    [orgId, w.unpriced.from, w.unpriced.to],
  )
  return r.rows.map((x) => ({
    provider: x.provider,
    model: x.model,
    unpriced_events: Number(x.unpriced),
    first_hour: x.first_hour.toISOString(),
    last_hour: x.last_hour.toISOString(),
  }))
}

async function anomalyFindings(orgId: string, w: TWindows, cfg: TDriftConfig): Promise<TDriftFinding[]> {
  const hours = [w.anomaly.hour, ...w.anomaly.previous]
  const [first, spend] = await Promise.all([
    pool().query<{ first: Date | null }>(`SELECT min(hour) AS first FROM rollups_hourly WHERE org_id = $1`, [orgId]),
    pool().query<{ hour: Date; usd: string }>(
      `SELECT hour, sum(cost_usd)::text AS usd FROM rollups_hourly WHERE org_id = $1 AND hour = ANY($2::timestamptz[]) GROUP BY hour`,
      [orgId, hours],
    ),
  ])
  const firstHour = first.rows[0]?.first
  if (!firstHour) return []
  const byHour = new Map(spend.rows.map((r) => [r.hour.getTime(), r.usd]))
  // Weeks before the organization's first data are unknown, not $0.
  const previous = w.anomaly.previous.filter((h) => h.getTime() >= firstHour.getTime()).map((h) => ({ hour: h, usd: byHour.get(h.getTime()) ?? '0' }))
  return detectSpendAnomaly(w.anomaly.hour, byHour.get(w.anomaly.hour.getTime()) ?? '0', previous, cfg)
}

/** This month's AI cost (to now) and revenue of every account with revenue recorded for the month. */
async function revenueShareRows(orgId: string, now: Date) {
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10)
  const margin = await marginOf(orgId, { from: month }, now)
  return margin.rows.flatMap((r) => (r.revenue_usd === null ? [] : [{ account_id: r.account_id, month, revenue_usd: r.revenue_usd, cost_usd: r.cost_usd }]))
}

/** Every account × step the account page flags, over the last 7 days of production traffic (the cost per outcome's recent window). */
async function accountAnomalyRows(orgId: string, w: TWindows) {
  const { from, to } = w.outcome.recent
  const q = ZStepMediansQuery.parse({ from: from.toISOString(), to: to.toISOString(), environment: 'production', traffic_source: 'production' })
  return (await queryAccountAnomalies(orgId, q)).rows
}

const driftCandidate = (f: TDriftFinding): TAlertCandidate => ({
  kind: f.kind,
  source_key: driftSourceKey(f.kind, f.subject),
  dedupe_key: driftDedupeKey(f),
  subject: f.subject,
  title: f.title,
  details: f.details,
  budget_id: null,
  period_start: f.period_start,
  threshold: null,
  state: 'warning',
  actual_usd: f.actual_usd,
  amount_usd: f.amount_usd,
})

/** What the detectors and budgets stand at for one organization at `now` (no writes). */
export async function alertCandidates(orgId: string, now: Date, opts: TOptions = {}): Promise<TAlertCandidate[]> {
  const kinds = new Set(opts.kinds ?? ALERT_KINDS)
  const cfg = opts.config ?? DEFAULT_DRIFT_CONFIG
  const w = detectorWindows(now)
  const parts = await Promise.all([
    kinds.has('budget') ? budgetAlertCandidates(orgId, now) : [],
    kinds.has('cost_per_outcome_drift') ? outcomeCostRows(orgId, w).then((rows) => detectCostPerOutcomeDrift(rows, w, cfg).map(driftCandidate)) : [],
    kinds.has('tokens_per_call_growth') || kinds.has('output_tokens_per_call_growth') || kinds.has('cache_hit_rate_drop')
      ? stepWindowRows(orgId, w).then((rows) =>
          [
            ...(kinds.has('tokens_per_call_growth') ? detectTokenGrowth(rows, w, cfg, 'in') : []),
            ...(kinds.has('output_tokens_per_call_growth') ? detectTokenGrowth(rows, w, cfg, 'out') : []),
            ...(kinds.has('cache_hit_rate_drop') ? detectCacheHitRateDrop(rows, w, cfg) : []),
          ].map(driftCandidate),
        )
      : [],
    kinds.has('calls_per_run_growth') ? runsRows(orgId, w).then((rows) => detectCallsPerRunGrowth(rows, w, cfg).map(driftCandidate)) : [],
    kinds.has('feature_slo_breach') ? featureSloRows(orgId, w).then((b) => featureSloFindings(b, w).map(driftCandidate)) : [],
    kinds.has('unpriced_model') ? unpricedRows(orgId, w).then((rows) => detectUnpricedModels(rows).map(driftCandidate)) : [],
    kinds.has('spend_anomaly') ? anomalyFindings(orgId, w, cfg).then((f) => f.map(driftCandidate)) : [],
    kinds.has('revenue_share') ? revenueShareRows(orgId, now).then((rows) => detectRevenueShare(rows, cfg).map(driftCandidate)) : [],
    kinds.has('account_step_anomaly') ? accountAnomalyRows(orgId, w).then((rows) => detectAccountAnomalies(rows, w).map(driftCandidate)) : [],
  ])
  return parts.flat()
}

/**
 * Evaluate one organization at `now`: record the alerts not recorded yet,
 * resolve those whose condition went away, and queue a notification per alert ×
 * channel (muted sources: none). Returns the alerts that fired.
 */
export async function evaluateOrgAlerts(orgId: string, now = new Date(), opts: TOptions = {}): Promise<TAlert[]> {
  const hour = hourStart(now)
  const last = await pool().query<{ hour: Date }>(`SELECT hour FROM alert_evaluations WHERE org_id = $1`, [orgId])
  const hourlyDone = last.rows[0]?.hour.getTime() === hour.getTime()
  // Kinds not evaluated now keep their alerts as they are (none is resolved for want of a candidate).
  const kinds = (opts.kinds ?? ALERT_KINDS).filter((k) => !(hourlyDone && HOURLY_KINDS.includes(k)))
  const config = opts.config ?? (await getDriftConfig(orgId))
  const candidates = await alertCandidates(orgId, now, { ...opts, kinds, config })
  const { fired, deliveries } = await inTransaction(async (c) => {
    if (kinds.some((k) => HOURLY_KINDS.includes(k))) {
      await c.query(
        `INSERT INTO alert_evaluations (org_id, hour, evaluated_at) VALUES ($1, $2, now()) ON CONFLICT (org_id) DO UPDATE SET hour = EXCLUDED.hour, evaluated_at = now()`,
        [orgId, hour],
      )
    }
    const fired = await recordAlerts(c, orgId, now, candidates, { kinds })
    return { fired, deliveries: await createAlertDeliveries(c, orgId, fired) }
  })
  // After the commit; if Redis is away the deliveries stay pending and the next evaluation queues them (requeuePendingDeliveries).
  await enqueueNotifications(deliveries.map((deliveryId) => ({ orgId, deliveryId }))).catch((err) =>
    log({ component: 'alerts', org_id: orgId }).error({ err, deliveries: deliveries.length }, 'could not queue notifications'),
  )
  return fired
}

/** Every organization (the scheduled job), then any delivery left pending without a job. */
export async function evaluateAllAlerts(now = new Date()): Promise<{ organizations: number; fired: number; requeued: number }> {
  const orgs = await pool().query<{ id: string }>(`SELECT id::text FROM organizations ORDER BY id`)
  let fired = 0
  const failed: string[] = []
  for (const o of orgs.rows) {
    // One organization's failure must not hold back the others' alerts; the job still fails so it shows.
    try {
      fired += (await asOrg(o.id, () => evaluateOrgAlerts(o.id, now))).length
    } catch (e) {
      failed.push(`${o.id}: ${(e as Error).message}`)
    }
  }
  const requeued = await requeuePendingDeliveries(60, now)
  if (failed.length) throw new Error(`alert evaluation failed for ${failed.length} organization(s): ${failed.slice(0, 3).join('; ')}`)
  return { organizations: orgs.rows.length, fired, requeued }
}
