// The rollup tables and their keys. rollups_hourly keys every dimension; the
// daily tables sum it per UTC day over fewer dimensions, so a 30- or 90-day
// page reads thousands of rows instead of millions (npm run bench:dashboard).
// Every writer (ingest, outcomes, re-pricing) moves all of them in one
// transaction; lib/metrics/source.ts reads the narrowest that can answer.

import { DIMENSIONS, OUTCOME_DIMENSIONS, type TDimension, type TOutcomeDimension } from '@/lib/domain'

/** rollups_hourly keys every dimension of lib/domain.ts, in this (column) order. */
export const ROLLUP_DIMENSIONS = DIMENSIONS
export type TRollupDimension = TDimension

export type TRollupTable = {
  table: string
  /** the time column: `hour` (start of the UTC hour), `day` (start of the UTC day) or `week` (Monday 00:00 UTC) */
  time: 'hour' | 'day' | 'week'
  dims: readonly TRollupDimension[]
  /** a daily table's twin per ISO week, same key: it answers the whole weeks of a long range */
  weekly?: string
}

export const HOURLY_ROLLUP: TRollupTable = { table: 'rollups_hourly', time: 'hour', dims: ROLLUP_DIMENSIONS }

/**
 * Narrowest first: a query reads the first one whose key holds every dimension
 * it groups or filters by. Environment and traffic source are in every key
 * (every view filters by them, and production_cost_usd splits by them).
 * Rows over the 90 days of the bench dataset (10M events): about 23k, 40k,
 * 80k, 230k, 600k and 1.5M, against 4.8M hourly rows.
 */
export const DAILY_ROLLUPS: readonly TRollupTable[] = [
  { table: 'rollups_daily_models', time: 'day', dims: ['environment', 'traffic_source', 'provider', 'model', 'outcome'] },
  { table: 'rollups_daily_workflows', time: 'day', dims: ['environment', 'traffic_source', 'workflow_id', 'feature', 'outcome'] },
  { table: 'rollups_daily_accounts', time: 'day', dims: ['environment', 'traffic_source', 'account_id', 'outcome'] },
  { table: 'rollups_daily_steps', time: 'day', dims: ROLLUP_DIMENSIONS.filter((d) => d !== 'account_id'), weekly: 'rollups_weekly_steps' },
  // every account's workflows and steps, without model, feature or outcome: the account page's
  // comparison of calls per run with the other accounts (about a quarter of rollups_daily's rows)
  {
    table: 'rollups_daily_account_steps',
    time: 'day',
    dims: ['environment', 'traffic_source', 'workflow_id', 'step', 'account_id'],
    weekly: 'rollups_weekly_account_steps',
  },
  { table: 'rollups_daily', time: 'day', dims: ROLLUP_DIMENSIONS, weekly: 'rollups_weekly' },
]

/**
 * Narrow hourly tables, narrowest first: the hours of a read (hour granularity, and a range's partial days) come from
 * the first whose key holds every dimension it needs, else from rollups_hourly. A workflow's hourly latency and
 * outcomes over 7 days read 57k rows of rollups_hourly on the 10M-event bench organization (640 ms, the workflow
 * page's slowest request) against about 2,000 here. Same key as rollups_daily_workflows.
 */
export const HOURLY_NARROW_ROLLUPS: readonly TRollupTable[] = [
  { table: 'rollups_hourly_workflows', time: 'hour', dims: ['environment', 'traffic_source', 'workflow_id', 'feature', 'outcome'] },
]

/**
 * The widest daily tables summed per ISO week: their 90-day reads were the
 * slow ones (1.3M rows of rollups_daily for every account × workflow × step,
 * against 370k weekly rows, and 94k in rollups_weekly_account_steps). The
 * narrow daily tables are small enough as they are.
 */
export const WEEKLY_ROLLUPS: readonly TRollupTable[] = DAILY_ROLLUPS.filter((t) => t.weekly).map((t) => ({ table: t.weekly!, time: 'week', dims: t.dims }))

/**
 * Every cost rollup table, in the order writers lock their rows: one order, so
 * concurrent writers cannot deadlock; widest key first, because the narrow
 * tables' rows are the hottest (every batch of the day touches the same few
 * rows of rollups_daily_models), and locks taken last are held the shortest.
 * (bench:ingest showed no difference from the other order: the waits are on
 * the hourly rows, held while the daily upserts run.)
 */
export const ROLLUP_TABLES: readonly TRollupTable[] = [
  HOURLY_ROLLUP,
  ...HOURLY_NARROW_ROLLUPS,
  ...[...DAILY_ROLLUPS].reverse(),
  ...[...WEEKLY_ROLLUPS].reverse(),
]

// ---------------------------------------------------------------- outcomes

export type TOutcomeTable = {
  table: string
  time: 'hour' | 'day'
  dims: readonly TOutcomeDimension[] /** `kind` in the key (the daily tables sum the kinds: no reader splits by kind) */
  kind: boolean
}

export const HOURLY_OUTCOMES: TOutcomeTable = { table: 'rollups_outcomes_hourly', time: 'hour', dims: OUTCOME_DIMENSIONS, kind: true }

/** Narrowest first, as DAILY_ROLLUPS. */
export const DAILY_OUTCOMES: readonly TOutcomeTable[] = [
  { table: 'rollups_outcomes_daily_workflows', time: 'day', dims: ['workflow_id', 'feature'], kind: false },
  { table: 'rollups_outcomes_daily', time: 'day', dims: OUTCOME_DIMENSIONS, kind: false },
]

export const OUTCOME_TABLES: readonly TOutcomeTable[] = [HOURLY_OUTCOMES, ...DAILY_OUTCOMES]

// ---------------------------------------------------------------- time buckets

export function hourOf(iso: string): string {
  const d = new Date(iso)
  d.setUTCMinutes(0, 0, 0)
  return d.toISOString()
}

export function dayOf(iso: string): string {
  const d = new Date(iso)
  d.setUTCHours(0, 0, 0, 0)
  return d.toISOString()
}

/** Monday 00:00 UTC of the ISO week (PostgreSQL's date_trunc('week')). */
export function weekOf(iso: string): string {
  const d = new Date(iso)
  d.setUTCHours(0, 0, 0, 0)
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7))
  return d.toISOString()
}

export const bucketOf = (time: 'hour' | 'day' | 'week') => (time === 'hour' ? hourOf : time === 'day' ? dayOf : weekOf)
