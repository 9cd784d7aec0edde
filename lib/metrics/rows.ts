import { histogramQuantile } from '@/lib/metrics/latency'
import type { TRollupDimension } from '@/lib/rollups/tables'
import type { TMetricsRow, TStepMedian } from '@/lib/metrics/schema'

// Typed rows from the SQL the metrics engine runs, one mapper per table family
// (the cost rollups, the outcome rollups, the step medians over the cost
// rollups, the events' attributes), instead of casting node-postgres' rows.
// node-postgres returns int8 and numeric as strings: counts become numbers
// (exact below 2^53, which a sum of events, tokens or runs stays under), money
// stays an exact decimal string, float8 is already a number.

/** A row as node-postgres returns it. */
export type TPgRow = Record<string, unknown>

function fail(column: string, expected: string, v: unknown): never {
  throw new Error(`column ${column}: expected ${expected}, got ${v === null ? 'null' : typeof v}`)
}

/** int8 / int4 (a count): a number; null and absent are 0 (a sum over no rows). */
export function countOf(v: unknown, column: string): number {
  if (v === null || v === undefined) return 0
  const n = typeof v === 'number' ? v : typeof v === 'string' || typeof v === 'bigint' ? Number(v) : NaN
  return Number.isSafeInteger(n) ? n : fail(column, 'an integer below 2^53', v)
}

/** numeric rendered `::text` (money): the exact decimal string, unchanged. */
export function decimalOf(v: unknown, column: string): string {
  return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? v : fail(column, 'a decimal string', v)
}

/** numeric or text that may be null (e.g. a ratio without a denominator). */
export function decimalOrNullOf(v: unknown, column: string): string | null {
  return v === null || v === undefined ? null : decimalOf(v, column)
}

/** float8: a number (node-postgres parses it); null stays null. */
export function floatOrNullOf(v: unknown, column: string): number | null {
  if (v === null || v === undefined) return null
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN
  return Number.isFinite(n) ? n : fail(column, 'a number', v)
}

/** text that may be null (a dimension: NULLIF(dim, '')). */
export function textOrNullOf(v: unknown, column: string): string | null {
  return v === null || v === undefined ? null : typeof v === 'string' ? v : fail(column, 'text', v)
}

/** text NOT NULL (a rollup's dimension, '' for none). */
export function textOf(v: unknown, column: string): string {
  return typeof v === 'string' ? v : fail(column, 'text', v)
}

/** boolean. */
export function booleanOf(v: unknown, column: string): boolean {
  return typeof v === 'boolean' ? v : fail(column, 'a boolean', v)
}

/** timestamptz: ISO-8601 in UTC. */
export function isoOf(v: unknown, column: string): string {
  return v instanceof Date ? v.toISOString() : fail(column, 'a timestamp', v)
}

// ------------------------------------------------------------ cost rollups

const DIMENSION_COLUMNS = [
  'environment',
  'traffic_source',
  'workflow_id',
  'step',
  'call_type',
  'feature',
  'account_id',
  'provider',
  'model',
  'outcome',
] as const satisfies readonly TRollupDimension[]
const COUNT_COLUMNS = [
  'events',
  'runs',
  'requests',
  'tokens_in',
  'cached_tokens_in',
  'cache_write_tokens',
  'tokens_out',
  'unpriced_events',
  'response_cache_hits',
] as const satisfies readonly (keyof TMetricsRow)[]
const MONEY_COLUMNS = [
  'cost_usd',
  'cache_savings_usd',
  'response_cache_savings_usd',
  'reported_cost_usd',
  'production_cost_usd',
  'retry_cost_usd',
] as const satisfies readonly (keyof TMetricsRow)[]
const FLOAT_COLUMNS = ['gpu_seconds', 'cache_hit_rate'] as const satisfies readonly (keyof TMetricsRow)[]
const LATENCY_QUANTILES = [
  ['latency_p50_ms', 0.5],
  ['latency_p95_ms', 0.95],
  ['latency_p99_ms', 0.99],
] as const

const isIn = <T extends string>(list: readonly T[], k: string): k is T => (list as readonly string[]).includes(k)

/**
 * A row of the metrics query over the cost rollups (rollups_hourly, the daily
 * and weekly tables): counts as numbers, money as exact decimal strings,
 * float8 measures as numbers, the bucket as ISO, and the merged latency
 * histogram as its p50/p95/p99 (rounded ms). Only the columns the query
 * selected are set (`measures=` narrows the answer): that is the one place a
 * partial row is taken for a TMetricsRow. An unknown column throws.
 */
export function metricsRowOf(row: TPgRow): TMetricsRow {
  const out: Partial<TMetricsRow> = {}
  for (const [k, v] of Object.entries(row)) {
    if (k === 'bucket') out.bucket = isoOf(v, k)
    else if (k === 'latency_hist') {
      const h = v === null ? null : Array.isArray(v) ? v.map(String) : fail(k, 'an array', v)
      for (const [name, q] of LATENCY_QUANTILES) {
        const x = histogramQuantile(h, q)
        out[name] = x === null ? null : Math.round(x)
      }
    } else if (isIn(COUNT_COLUMNS, k)) out[k] = countOf(v, k)
    else if (isIn(MONEY_COLUMNS, k)) out[k] = decimalOf(v, k)
    else if (isIn(FLOAT_COLUMNS, k)) out[k] = floatOrNullOf(v, k) ?? 0
    else if (k === 'avg_latency_ms') out.avg_latency_ms = floatOrNullOf(v, k)
    else if (isIn(DIMENSION_COLUMNS, k)) out[k] = textOrNullOf(v, k)
    else fail(k, 'a column of the cost rollups', v)
  }
  return out as TMetricsRow
}

// --------------------------------------------------------- outcome rollups

export type TOutcomeSums = Partial<Record<TRollupDimension, string | null>> & { bucket?: string; outcomes: number; accepted_outcomes: number }

/** A row of the outcome rollups' sums: reported and accepted outcomes per bucket and grouping (keys in the SQL's order). */
export function outcomeSumsOf(row: TPgRow): TOutcomeSums {
  const bucket: { bucket?: string } = 'bucket' in row ? { bucket: isoOf(row.bucket, 'bucket') } : {}
  const dims: Partial<Record<TRollupDimension, string | null>> = {}
  for (const [k, v] of Object.entries(row)) if (isIn(DIMENSION_COLUMNS, k)) dims[k] = textOrNullOf(v, k)
  return { ...bucket, ...dims, outcomes: countOf(row.outcomes, 'outcomes'), accepted_outcomes: countOf(row.accepted_outcomes, 'accepted_outcomes') }
}

// ------------------------------------------------------------ step medians

/** A row of the step medians (per workflow step over the cost rollups). */
export function stepMedianOf(row: TPgRow): TStepMedian {
  return {
    workflow_id: textOrNullOf(row.workflow_id, 'workflow_id'),
    step: textOrNullOf(row.step, 'step'),
    accounts: countOf(row.accounts, 'accounts'),
    median_calls_per_run: floatOrNullOf(row.median_calls_per_run, 'median_calls_per_run') ?? fail('median_calls_per_run', 'a number', null),
  }
}
