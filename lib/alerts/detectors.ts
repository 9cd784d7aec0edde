import { DAY_MS, HOUR_MS, micros, microsToUsd } from '@/lib/domain'
import { divRound } from '@/lib/cost/money'
import { formatMultiple, formatUsd } from '@/lib/format'
import type { TDriftConfig } from '@/lib/alerts/schema'
import type { TSloBreach } from '@/lib/metrics/views/features'
import type { TAccountAnomaly } from '@/lib/metrics/schema'

// Drift detectors (issue 6 "Alerts"): pure functions from rollup sums to the
// alerts they stand at. lib/alerts/evaluate.ts reads the sums from the hourly
// rollups and records what these return; each alert's dedupe key names its
// detector, subject and period, so it fires once per period however often the
// job runs.

export const DRIFT_KINDS = [
  'cost_per_outcome_drift',
  'tokens_per_call_growth',
  'output_tokens_per_call_growth',
  'calls_per_run_growth',
  'cache_hit_rate_drop',
  'feature_slo_breach',
  'unpriced_model',
  'spend_anomaly',
  'revenue_share',
  'account_step_anomaly',
] as const
export type TDriftKind = (typeof DRIFT_KINDS)[number]
export const ALERT_KINDS = ['budget', ...DRIFT_KINDS] as const
export type TAlertKind = (typeof ALERT_KINDS)[number]

export type { TDriftConfig } from '@/lib/alerts/schema'

export const DEFAULT_DRIFT_CONFIG: TDriftConfig = {
  cost_per_outcome_margin: 0.25,
  min_outcomes: 5,
  tokens_per_call_margin: 0.5,
  min_calls: 10,
  anomaly_z: 3.5,
  anomaly_min_usd: '1',
  anomaly_min_weeks: 3,
  calls_per_run_margin: 0.5,
  min_runs: 10,
  cache_hit_rate_drop: 0.3,
  revenue_share_max: 0.5,
  revenue_share_by_account: {},
}

/** What a detector says about one subject: the record lib/alerts writes. */
export type TDriftFinding = {
  kind: TDriftKind
  /** the detector's subject: a workflow, "workflow/step", "provider/model", "organization", a customer account */
  subject: string
  title: string
  /** the period it fires once in (ISO instant) */
  period_start: string
  actual_usd: string | null
  amount_usd: string | null
  details: Record<string, unknown>
}

export const driftSourceKey = (kind: TDriftKind, subject: string) => `${kind}:${subject}`
export const driftDedupeKey = (f: Pick<TDriftFinding, 'kind' | 'subject' | 'period_start'>) => `${driftSourceKey(f.kind, f.subject)}:${f.period_start}`

/** The start of the hour `now` is in: windows end there, so they hold complete hours only. */
export const hourStart = (now: Date) => new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS)
/** Monday 00:00 UTC of the week `t` is in. */
export function weekStart(t: Date): Date {
  const day = Math.floor(t.getTime() / DAY_MS) * DAY_MS
  const dow = (new Date(day).getUTCDay() + 6) % 7 // Monday 0
  return new Date(day - dow * DAY_MS)
}

export type TWindows = {
  /** complete hours up to here (exclusive) */
  end: Date
  outcome: { recent: { from: Date; to: Date }; baseline: { from: Date; to: Date } }
  tokens: { recent: { from: Date; to: Date }; baseline: { from: Date; to: Date } }
  unpriced: { from: Date; to: Date }
  /** the last complete hour, and the same hour on previous weeks, newest first */
  anomaly: { hour: Date; previous: Date[] }
}

/**
 * The windows each detector reads at `now`: cost per accepted outcome over the
 * last 7 days vs the 4 weeks before; input tokens per call over the last 24
 * hours vs the 4 weeks before; unpriced calls in the last 7 days (the current
 * hour included: a new model shows at once); the last complete hour's spend vs
 * the same hour on the 8 previous weeks.
 */
export function detectorWindows(now: Date, anomalyWeeks = 8): TWindows {
  const end = hourStart(now)
  const e = end.getTime()
  return {
    end,
    outcome: { recent: { from: new Date(e - 7 * DAY_MS), to: end }, baseline: { from: new Date(e - 35 * DAY_MS), to: new Date(e - 7 * DAY_MS) } },
    tokens: { recent: { from: new Date(e - DAY_MS), to: end }, baseline: { from: new Date(e - 29 * DAY_MS), to: new Date(e - DAY_MS) } },
    unpriced: { from: new Date(e - 7 * DAY_MS), to: new Date(e + HOUR_MS) },
    anomaly: { hour: new Date(e - HOUR_MS), previous: Array.from({ length: anomalyWeeks }, (_, i) => new Date(e - HOUR_MS - (i + 1) * 7 * DAY_MS)) },
  }
}

const pct = (ratio: number) => `${Math.round(ratio * 100)}%`
/** A ratio of two non-negative integers, for display and comparison (never summed). */
const ratioOf = (a: bigint, b: bigint) => Number((a * 1_000_000n) / b) / 1_000_000

// ------------------------------------------------------------- (a) cost per accepted outcome

export type TOutcomeCostRow = { workflow_id: string; recent_cost_usd: string; recent_accepted: number; baseline_cost_usd: string; baseline_accepted: number }

/** Workflows whose cost per accepted outcome over the last 7 days is above its 4-week baseline by more than the margin. */
export function detectCostPerOutcomeDrift(rows: TOutcomeCostRow[], w: TWindows, cfg: TDriftConfig = DEFAULT_DRIFT_CONFIG): TDriftFinding[] {
  const out: TDriftFinding[] = []
  for (const r of rows) {
    if (r.recent_accepted < cfg.min_outcomes || r.baseline_accepted < cfg.min_outcomes) continue
    const recent = divRound(micros(r.recent_cost_usd), BigInt(r.recent_accepted))
    const baseline = divRound(micros(r.baseline_cost_usd), BigInt(r.baseline_accepted))
    if (baseline <= 0n) continue
    // recent > baseline × (1 + margin), in integers: margin in parts per million.
    const marginPpm = BigInt(Math.round(cfg.cost_per_outcome_margin * 1_000_000))
    if (recent * 1_000_000n <= baseline * (1_000_000n + marginPpm)) continue
    const change = ratioOf(recent, baseline) - 1
    out.push({
      kind: 'cost_per_outcome_drift',
      subject: r.workflow_id,
      period_start: weekStart(w.end).toISOString(),
      title: `${r.workflow_id}: cost per accepted outcome ${formatUsd(microsToUsd(recent), { precise: true })} over the last 7 days, up ${pct(change)} on its 4-week baseline of ${formatUsd(microsToUsd(baseline), { precise: true })}`,
      actual_usd: microsToUsd(recent),
      amount_usd: microsToUsd(baseline),
      details: {
        workflow_id: r.workflow_id,
        recent_usd_per_outcome: microsToUsd(recent),
        baseline_usd_per_outcome: microsToUsd(baseline),
        change_ratio: Number(change.toFixed(4)),
        margin: cfg.cost_per_outcome_margin,
        recent: {
          from: w.outcome.recent.from.toISOString(),
          to: w.outcome.recent.to.toISOString(),
          cost_usd: r.recent_cost_usd,
          accepted_outcomes: r.recent_accepted,
        },
        baseline: {
          from: w.outcome.baseline.from.toISOString(),
          to: w.outcome.baseline.to.toISOString(),
          cost_usd: r.baseline_cost_usd,
          accepted_outcomes: r.baseline_accepted,
        },
      },
    })
  }
  return out
}

// ------------------------------------------------------------- (b) per-call growth: tokens in, tokens out, calls per run

/** An amount per unit (tokens per call, calls per run) in a recent window and its baseline. */
type TPerUnit = { recent_units: number; recent_amount: number; baseline_units: number; baseline_amount: number }

/**
 * recent amount/units > (1 + margin) × baseline amount/units, cross-multiplied in
 * integers; null when either window has fewer than `minUnits` units or the baseline
 * amount is 0 (nothing to grow from). Else the two rates and their factor.
 */
export function perUnitGrowth(x: TPerUnit, margin: number, minUnits: number): { recent: number; baseline: number; factor: number } | null {
  if (x.recent_units < minUnits || x.baseline_units < minUnits || x.baseline_amount <= 0) return null
  const marginPpm = BigInt(Math.round(margin * 1_000_000))
  const lhs = BigInt(x.recent_amount) * BigInt(x.baseline_units) * 1_000_000n
  const rhs = BigInt(x.baseline_amount) * BigInt(x.recent_units) * (1_000_000n + marginPpm)
  if (lhs <= rhs) return null
  const recent = x.recent_amount / x.recent_units
  const baseline = x.baseline_amount / x.baseline_units
  return { recent, baseline, factor: recent / baseline }
}

export type TTokensRow = {
  workflow_id: string
  step: string
  recent_calls: number
  recent_tokens_in: number
  baseline_calls: number
  baseline_tokens_in: number
  /** output tokens (the output detector); absent rows are read as 0 */
  recent_tokens_out?: number
  baseline_tokens_out?: number
}

const TOKEN_SIDES = {
  in: { kind: 'tokens_per_call_growth', words: 'input', recent: 'recent_tokens_in', baseline: 'baseline_tokens_in', field: 'tokens_in' },
  out: { kind: 'output_tokens_per_call_growth', words: 'output', recent: 'recent_tokens_out', baseline: 'baseline_tokens_out', field: 'tokens_out' },
} as const

/**
 * Workflow steps whose input (or output) tokens per call over the last 24 hours grew past the
 * 4-week baseline by more than the margin: the prompt that silently tripled, the answer that
 * doubled after a prompt change ("did the new prompt increase output tokens?").
 */
export function detectTokenGrowth(rows: TTokensRow[], w: TWindows, cfg: TDriftConfig = DEFAULT_DRIFT_CONFIG, side: 'in' | 'out' = 'in'): TDriftFinding[] {
  const s = TOKEN_SIDES[side]
  const out: TDriftFinding[] = []
  for (const r of rows) {
    const recentAmount = r[s.recent] ?? 0
    const baselineAmount = r[s.baseline] ?? 0
    const g = perUnitGrowth(
      { recent_units: r.recent_calls, recent_amount: recentAmount, baseline_units: r.baseline_calls, baseline_amount: baselineAmount },
      cfg.tokens_per_call_margin,
      cfg.min_calls,
    )
    if (!g) continue
    out.push({
      kind: s.kind,
      subject: `${r.workflow_id}/${r.step}`,
      period_start: weekStart(w.end).toISOString(),
      title: `${r.workflow_id} / ${r.step}: ${s.words} tokens per call ${formatMultiple(g.factor, 1, 'before')} (${Math.round(g.baseline).toLocaleString('en-US')} → ${Math.round(g.recent).toLocaleString('en-US')})`,
      actual_usd: null,
      amount_usd: null,
      details: {
        workflow_id: r.workflow_id,
        step: r.step,
        recent_tokens_per_call: Math.round(g.recent),
        baseline_tokens_per_call: Math.round(g.baseline),
        factor: Number(g.factor.toFixed(3)),
        margin: cfg.tokens_per_call_margin,
        recent: { from: w.tokens.recent.from.toISOString(), to: w.tokens.recent.to.toISOString(), calls: r.recent_calls, [s.field]: recentAmount },
        baseline: { from: w.tokens.baseline.from.toISOString(), to: w.tokens.baseline.to.toISOString(), calls: r.baseline_calls, [s.field]: baselineAmount },
      },
    })
  }
  return out
}

export type TRunsRow = { workflow_id: string; recent_runs: number; recent_calls: number; baseline_runs: number; baseline_calls: number }

/**
 * Workflows whose calls per run over the last 24 hours grew past the 4-week baseline by more
 * than the margin ("eight turns instead of three"). Runs are the distinct `run_id`s (each
 * counted in the hour of its first call), so only workflows that send run ids can fire.
 */
export function detectCallsPerRunGrowth(rows: TRunsRow[], w: TWindows, cfg: TDriftConfig = DEFAULT_DRIFT_CONFIG): TDriftFinding[] {
  const out: TDriftFinding[] = []
  for (const r of rows) {
    const g = perUnitGrowth(
      { recent_units: r.recent_runs, recent_amount: r.recent_calls, baseline_units: r.baseline_runs, baseline_amount: r.baseline_calls },
      cfg.calls_per_run_margin,
      cfg.min_runs,
    )
    if (!g) continue
    out.push({
      kind: 'calls_per_run_growth',
      subject: r.workflow_id,
      period_start: weekStart(w.end).toISOString(),
      title: `${r.workflow_id}: ${g.recent.toFixed(1)} calls per run over the last 24 hours, ${formatMultiple(g.factor, 1, 'before')} its 4-week baseline of ${g.baseline.toFixed(1)}`,
      actual_usd: null,
      amount_usd: null,
      details: {
        workflow_id: r.workflow_id,
        recent_calls_per_run: Number(g.recent.toFixed(3)),
        baseline_calls_per_run: Number(g.baseline.toFixed(3)),
        factor: Number(g.factor.toFixed(3)),
        margin: cfg.calls_per_run_margin,
        recent: { from: w.tokens.recent.from.toISOString(), to: w.tokens.recent.to.toISOString(), runs: r.recent_runs, calls: r.recent_calls },
        baseline: { from: w.tokens.baseline.from.toISOString(), to: w.tokens.baseline.to.toISOString(), runs: r.baseline_runs, calls: r.baseline_calls },
      },
    })
  }
  return out
}

export type TCacheRow = {
  workflow_id: string
  step: string
  recent_calls: number
  recent_tokens_in: number
  recent_cached_tokens_in: number
  baseline_calls: number
  baseline_tokens_in: number
  baseline_cached_tokens_in: number
}

/** A step's baseline cache hit rate must be at least this for a fall to mean anything (a 2% → 1% "halving" is noise). */
export const MIN_BASELINE_CACHE_HIT_RATE = 0.1

/**
 * Workflow steps whose prompt-cache hit rate (cached input tokens ÷ input tokens, as on the
 * workflow page) over the last 24 hours fell below (1 − drop) × its 4-week baseline: a prompt
 * change that moved the static prefix, a provider cache that stopped hitting.
 */
export function detectCacheHitRateDrop(rows: TCacheRow[], w: TWindows, cfg: TDriftConfig = DEFAULT_DRIFT_CONFIG): TDriftFinding[] {
  const out: TDriftFinding[] = []
  const minPpm = BigInt(Math.round(MIN_BASELINE_CACHE_HIT_RATE * 1_000_000))
  const keepPpm = BigInt(Math.round((1 - cfg.cache_hit_rate_drop) * 1_000_000))
  for (const r of rows) {
    if (r.recent_calls < cfg.min_calls || r.baseline_calls < cfg.min_calls || r.recent_tokens_in <= 0 || r.baseline_tokens_in <= 0) continue
    const bCached = BigInt(r.baseline_cached_tokens_in)
    const bIn = BigInt(r.baseline_tokens_in)
    if (bCached * 1_000_000n < bIn * minPpm) continue
    // recent_cached/recent_in < keep × baseline_cached/baseline_in, cross-multiplied
    if (BigInt(r.recent_cached_tokens_in) * bIn * 1_000_000n >= bCached * BigInt(r.recent_tokens_in) * keepPpm) continue
    const recent = r.recent_cached_tokens_in / r.recent_tokens_in
    const baseline = r.baseline_cached_tokens_in / r.baseline_tokens_in
    out.push({
      kind: 'cache_hit_rate_drop',
      subject: `${r.workflow_id}/${r.step}`,
      period_start: weekStart(w.end).toISOString(),
      title: `${r.workflow_id} / ${r.step}: prompt-cache hit rate ${pct(recent)} over the last 24 hours, down from ${pct(baseline)} (4-week baseline)`,
      actual_usd: null,
      amount_usd: null,
      details: {
        workflow_id: r.workflow_id,
        step: r.step,
        recent_cache_hit_rate: Number(recent.toFixed(4)),
        baseline_cache_hit_rate: Number(baseline.toFixed(4)),
        drop: cfg.cache_hit_rate_drop,
        recent: {
          from: w.tokens.recent.from.toISOString(),
          to: w.tokens.recent.to.toISOString(),
          calls: r.recent_calls,
          tokens_in: r.recent_tokens_in,
          cached_tokens_in: r.recent_cached_tokens_in,
        },
        baseline: {
          from: w.tokens.baseline.from.toISOString(),
          to: w.tokens.baseline.to.toISOString(),
          calls: r.baseline_calls,
          tokens_in: r.baseline_tokens_in,
          cached_tokens_in: r.baseline_cached_tokens_in,
        },
      },
    })
  }
  return out
}

/** A feature's cost per action over the last 7 days above its cost SLO (the Features page's "breached"), once a week per feature. */
export function featureSloFindings(breaches: TSloBreach[], w: TWindows): TDriftFinding[] {
  return breaches.map((b) => ({
    kind: 'feature_slo_breach' as const,
    subject: b.feature,
    period_start: weekStart(w.end).toISOString(),
    title: `${b.feature}: ${formatUsd(b.cost_per_action_usd, { precise: true })} per action over the last 7 days, above its cost SLO of ${formatUsd(b.target_usd_per_action, { precise: true })}`,
    actual_usd: b.cost_per_action_usd,
    amount_usd: b.target_usd_per_action,
    details: {
      feature: b.feature,
      cost_per_action_usd: b.cost_per_action_usd,
      target_usd_per_action: b.target_usd_per_action,
      runs: b.runs,
      from: w.outcome.recent.from.toISOString(),
      to: w.outcome.recent.to.toISOString(),
    },
  }))
}

// ------------------------------------------------------------- (c) unpriced model

export type TUnpricedRow = { provider: string; model: string; unpriced_events: number; first_hour: string; last_hour: string }

/** Each model with unpriced calls: fires once per model (its period is "ever"), recovers when it gets a price and the rollups re-price. */
export function detectUnpricedModels(rows: TUnpricedRow[]): TDriftFinding[] {
  return rows
    .filter((r) => r.unpriced_events > 0)
    .map((r) => {
      const subject = `${r.provider || '(no provider)'}/${r.model || '(no model)'}`
      return {
        kind: 'unpriced_model' as const,
        subject,
        period_start: '1970-01-01T00:00:00.000Z',
        title: `${subject} has no price: ${r.unpriced_events.toLocaleString('en-US')} call${r.unpriced_events === 1 ? '' : 's'} not in spend`,
        actual_usd: null,
        amount_usd: null,
        details: { provider: r.provider, model: r.model, unpriced_events: r.unpriced_events, first_hour: r.first_hour, last_hour: r.last_hour },
      }
    })
}

// ------------------------------------------------------------- (d) hourly spend anomaly

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Robust z-score of x against history (Iglewicz and Hoaglin's modified z):
 * 0.6745·(x − median)/MAD; when MAD is 0 (over half the values equal), the mean
 * absolute deviation × 1.2533 stands in; when that is 0 too, any rise is infinite.
 */
export function robustZ(x: number, history: number[]): { median: number; mad: number; z: number } {
  if (history.length === 0) throw new Error('robustZ needs history')
  const med = median(history)
  const mad = median(history.map((h) => Math.abs(h - med)))
  if (mad > 0) return { median: med, mad, z: (0.6745 * (x - med)) / mad }
  const meanAd = history.reduce((s, h) => s + Math.abs(h - med), 0) / history.length
  if (meanAd > 0) return { median: med, mad, z: (x - med) / (1.253314 * meanAd) }
  return { median: med, mad, z: x > med ? Infinity : x < med ? -Infinity : 0 }
}

/** The last complete hour's spend (USD decimal) against the same hour-of-week on previous weeks with data: fires on an upward anomaly only. */
export function detectSpendAnomaly(
  hour: Date,
  spendUsd: string,
  previousUsd: { hour: Date; usd: string }[],
  cfg: TDriftConfig = DEFAULT_DRIFT_CONFIG,
): TDriftFinding[] {
  if (previousUsd.length < cfg.anomaly_min_weeks) return []
  const x = micros(spendUsd)
  const hist = previousUsd.map((p) => micros(p.usd))
  // micro-dollars as numbers are exact below 2^53 (9 billion USD an hour); the statistic is not money.
  const { median: med, mad, z } = robustZ(Number(x), hist.map(Number))
  const medMicros = BigInt(Math.round(med))
  if (z < cfg.anomaly_z || x - medMicros < micros(cfg.anomaly_min_usd)) return []
  const zText = Number.isFinite(z) ? z.toFixed(1) : '∞'
  const hh = hour.toISOString().slice(11, 13)
  return [
    {
      kind: 'spend_anomaly',
      subject: 'organization',
      period_start: hour.toISOString(),
      title: `Spend ${hour.toISOString().slice(0, 10)} ${hh}:00–${hh}:59 UTC: ${formatUsd(microsToUsd(x))} in the hour vs a median ${formatUsd(microsToUsd(medMicros))} for that hour on the ${hist.length} previous weeks (robust z ${zText})`,
      actual_usd: microsToUsd(x),
      amount_usd: microsToUsd(medMicros),
      details: {
        hour: hour.toISOString(),
        spend_usd: microsToUsd(x),
        median_usd: microsToUsd(medMicros),
        mad_usd: microsToUsd(BigInt(Math.round(mad))),
        z: Number.isFinite(z) ? Number(z.toFixed(3)) : null,
        threshold_z: cfg.anomaly_z,
        min_excess_usd: cfg.anomaly_min_usd,
        previous: previousUsd.map((p) => ({ hour: p.hour.toISOString(), spend_usd: p.usd })),
      },
    },
  ]
}

// ------------------------------------------------------------- (e) AI cost share of an account's revenue

export type TRevenueShareRow = { account_id: string; month: string; revenue_usd: string; cost_usd: string }

/** The share an account's AI cost may reach: its own setting, else the organization's. */
export const revenueShareLimit = (account: string, cfg: TDriftConfig): number => cfg.revenue_share_by_account[account] ?? cfg.revenue_share_max

/**
 * Customer accounts whose AI cost this month (to now) is above the set share of the month's revenue: fires once per
 * account and month. An account without revenue (or a revenue of 0) has no share: it never fires.
 */
export function detectRevenueShare(rows: TRevenueShareRow[], cfg: TDriftConfig = DEFAULT_DRIFT_CONFIG): TDriftFinding[] {
  const out: TDriftFinding[] = []
  for (const r of rows) {
    const revenue = micros(r.revenue_usd)
    const cost = micros(r.cost_usd)
    if (revenue <= 0n) continue
    const limit = revenueShareLimit(r.account_id, cfg)
    // cost > revenue × limit, in integers: the limit in parts per million.
    if (cost * 1_000_000n <= revenue * BigInt(Math.round(limit * 1_000_000))) continue
    const share = ratioOf(cost, revenue)
    const month = r.month.slice(0, 7)
    out.push({
      kind: 'revenue_share',
      subject: r.account_id,
      period_start: new Date(`${r.month.slice(0, 10)}T00:00:00.000Z`).toISOString(),
      title: `${r.account_id}: AI cost ${formatUsd(microsToUsd(cost))} is ${pct(share)} of its ${month} revenue of ${formatUsd(microsToUsd(revenue))} (above ${pct(limit)})`,
      actual_usd: microsToUsd(cost),
      amount_usd: microsToUsd(revenue),
      details: {
        account_id: r.account_id,
        month: r.month.slice(0, 10),
        revenue_usd: microsToUsd(revenue),
        cost_usd: microsToUsd(cost),
        cost_share: share,
        limit,
        margin_usd: microsToUsd(revenue - cost),
      },
    })
  }
  return out
}

// ------------------------------------------------------------- (f) an account whose calls per run at a step stand out

/**
 * The account page's anomaly flags (isStepAnomaly in lib/metrics/views/account-detail.ts, read for every account by
 * queryAccountAnomalies over the last 7 days of production traffic) as alerts: one per account × step and week, so a
 * customer whose integration triggers a double retrieval is raised once a week while it lasts, not every hour.
 */
export function detectAccountAnomalies(rows: TAccountAnomaly[], w: TWindows): TDriftFinding[] {
  return rows.map((r) => {
    const where = `${r.workflow_id ?? '(no workflow)'}/${r.step ?? '(no step)'}`
    const factor = r.median_calls_per_run > 0 ? r.calls_per_run / r.median_calls_per_run : null
    return {
      kind: 'account_step_anomaly' as const,
      subject: `${r.account_id}:${where}`,
      period_start: weekStart(w.end).toISOString(),
      title: `${r.account_id}: ${r.calls_per_run.toFixed(2)} calls per run at ${where} over the last 7 days, where the median account makes ${r.median_calls_per_run.toFixed(2)}${factor ? ` (${formatMultiple(factor)})` : ''}`,
      actual_usd: null,
      amount_usd: null,
      details: {
        account_id: r.account_id,
        workflow_id: r.workflow_id,
        step: r.step,
        calls: r.calls,
        runs: r.runs,
        calls_per_run: Number(r.calls_per_run.toFixed(4)),
        median_calls_per_run: Number(r.median_calls_per_run.toFixed(4)),
        peers: r.peers,
        window: { from: w.outcome.recent.from.toISOString(), to: w.outcome.recent.to.toISOString() },
      },
    }
  })
}
