import 'server-only'
import type { PoolClient } from 'pg'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import { addToHistogram, histogramLiteral } from '@/lib/metrics/latency'
import { bucketOf, HOURLY_ROLLUP, ROLLUP_DIMENSIONS, ROLLUP_TABLES, type TRollupDimension, type TRollupTable } from '@/lib/rollups/tables'

// Cost rollups: one row per (organization, hour or day, attribution key) in
// rollups_hourly and the daily tables of lib/rollups/tables.ts. Absent
// dimensions are '' so the key can be a primary key.

export { ROLLUP_DIMENSIONS, hourOf, dayOf, type TRollupDimension } from '@/lib/rollups/tables'

/** What one priced event contributes to its rollup row. */
export type TRollupContribution = {
  timestamp: string
  dims: Record<TRollupDimension, string | null | undefined>
  /** 1 on the first event seen of a run, else 0 */
  runs: number
  requests: number
  tokens_in: number
  cached_tokens_in: number
  cache_write_tokens: number
  tokens_out: number
  gpu_seconds: number | null | undefined
  cost_usd: string | null // null: unpriced
  cache_savings_usd: string | null
  /** answered from a response cache (lib/ingest/price.ts prices it at 0) */
  response_cache_hit: boolean
  /** what the response cache saved: the cost of the call it repeats (null: unknown) */
  response_cache_savings_usd: string | null | undefined
  reported_cost_usd: number | null | undefined
  latency_ms: number | null | undefined
}

type TAcc = {
  /** start of the row's hour (or day, for a daily table) */
  hour: string
  /** the values of the table's dimensions, in its order */
  dims: string[]
  events: bigint
  runs: bigint
  requests: bigint
  tokensIn: bigint
  cachedIn: bigint
  cacheWrite: bigint
  tokensOut: bigint
  gpuMicros: bigint
  unpriced: bigint
  cost: bigint
  savings: bigint
  responseCacheHits: bigint
  responseCacheSavings: bigint
  reported: bigint
  latencySum: number
  latencyCount: bigint
  /** calls per latency bucket (lib/metrics/latency.ts) */
  latencyHist: number[]
}

const emptyAcc = (hour: string, dims: string[]): TAcc => ({
  hour,
  dims,
  events: 0n,
  runs: 0n,
  requests: 0n,
  tokensIn: 0n,
  cachedIn: 0n,
  cacheWrite: 0n,
  tokensOut: 0n,
  gpuMicros: 0n,
  unpriced: 0n,
  cost: 0n,
  savings: 0n,
  responseCacheHits: 0n,
  responseCacheSavings: 0n,
  reported: 0n,
  latencySum: 0,
  latencyCount: 0n,
  latencyHist: [],
})

/** Group items by (hour or day, the table's dimensions); `add` folds one item into its row. Rows come back in key order (a fixed lock order keeps concurrent upserts free of deadlocks). */
function groupByKey<T extends { timestamp: string; dims: Record<TRollupDimension, string | null | undefined> }>(
  items: T[],
  add: (a: TAcc, item: T) => void,
  target: TRollupTable,
): TAcc[] {
  const map = new Map<string, TAcc>()
  const bucket = bucketOf(target.time)
  for (const c of items) {
    const hour = bucket(c.timestamp)
    const dims = target.dims.map((d) => c.dims[d] ?? '')
    const key = JSON.stringify([hour, dims])
    let a = map.get(key)
    if (!a) map.set(key, (a = emptyAcc(hour, dims)))
    add(a, c)
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
}

/** Sum new events' contributions by the table's key (rollups_hourly unless told). */
export function aggregate(items: TRollupContribution[], target: TRollupTable = HOURLY_ROLLUP): TAcc[] {
  return groupByKey(
    items,
    (a, c) => {
      a.events += 1n
      a.runs += BigInt(c.runs)
      a.requests += BigInt(c.requests)
      a.tokensIn += BigInt(c.tokens_in)
      a.cachedIn += BigInt(c.cached_tokens_in)
      a.cacheWrite += BigInt(c.cache_write_tokens)
      a.tokensOut += BigInt(c.tokens_out)
      if (c.gpu_seconds != null) a.gpuMicros += toScaled(c.gpu_seconds, 6)
      if (c.cost_usd === null) a.unpriced += 1n
      else a.cost += toScaled(c.cost_usd, COST_SCALE)
      if (c.cache_savings_usd !== null) a.savings += toScaled(c.cache_savings_usd, COST_SCALE)
      if (c.response_cache_hit) a.responseCacheHits += 1n
      if (c.response_cache_savings_usd != null) a.responseCacheSavings += toScaled(c.response_cache_savings_usd, COST_SCALE)
      if (c.reported_cost_usd != null) a.reported += toScaled(c.reported_cost_usd, COST_SCALE)
      if (c.latency_ms != null) {
        a.latencySum += c.latency_ms
        a.latencyCount += 1n
        addToHistogram(a.latencyHist, c.latency_ms)
      }
    },
    target,
  )
}

/** A re-priced event's change: its old and new cost (null: unpriced). */
export type TRepriceChange = {
  timestamp: string
  dims: Record<TRollupDimension, string | null | undefined>
  old_cost_usd: string | null
  new_cost_usd: string | null
  old_cache_savings_usd: string | null
  new_cache_savings_usd: string | null
}

/**
 * Sum re-pricing changes into rollup deltas (events and tokens unchanged; cost, savings and unpriced move). The
 * response cache's hits and savings never move: re-pricing leaves a hit alone (its cost is 0 under any price, its
 * savings the original call's cost when it was made: lib/reprice/index.ts), so their deltas are 0.
 */
export function aggregateRepricing(changes: TRepriceChange[], target: TRollupTable = HOURLY_ROLLUP): TAcc[] {
  const scaled = (v: string | null) => (v === null ? 0n : toScaled(v, COST_SCALE))
  return groupByKey(
    changes,
    (a, c) => {
      a.cost += scaled(c.new_cost_usd) - scaled(c.old_cost_usd)
      a.savings += scaled(c.new_cache_savings_usd) - scaled(c.old_cache_savings_usd)
      a.unpriced += BigInt(Number(c.new_cost_usd === null) - Number(c.old_cost_usd === null))
    },
    target,
  )
}

/**
 * Add new events to every rollup table (hourly, daily and weekly), inside the
 * caller's transaction: the ingest worker's exactly-once guarantee covers them
 * all. Returns the hourly rows touched.
 */
export async function applyRollups(client: PoolClient, orgId: string, items: TRollupContribution[]): Promise<number> {
  return upsertAll(client, orgId, aggregate(items))
}

/** Move every rollup table by re-pricing changes, inside the caller's transaction. */
export async function applyRepricing(client: PoolClient, orgId: string, changes: TRepriceChange[]): Promise<void> {
  await upsertAll(client, orgId, aggregateRepricing(changes))
}

/** The measures of a rollup row, the hourly rows' parameter types, and how a coarser table sums them. */
const MEASURES: readonly { col: string; type: string; sum: (c: string) => string; value: (r: TAcc) => unknown }[] = [
  { col: 'events', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.events.toString() },
  { col: 'requests', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.requests.toString() },
  { col: 'tokens_in', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.tokensIn.toString() },
  { col: 'cached_tokens_in', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.cachedIn.toString() },
  { col: 'cache_write_tokens', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.cacheWrite.toString() },
  { col: 'tokens_out', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.tokensOut.toString() },
  { col: 'gpu_seconds', type: 'numeric', sum: (c) => `sum(${c})`, value: (r) => fromScaled(r.gpuMicros, 6) },
  { col: 'unpriced_events', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.unpriced.toString() },
  { col: 'cost_usd', type: 'numeric', sum: (c) => `sum(${c})`, value: (r) => fromScaled(r.cost, COST_SCALE) },
  { col: 'cache_savings_usd', type: 'numeric', sum: (c) => `sum(${c})`, value: (r) => fromScaled(r.savings, COST_SCALE) },
  { col: 'response_cache_hits', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.responseCacheHits.toString() },
  {
    col: 'response_cache_savings_usd',
    type: 'numeric',
    sum: (c) => `sum(${c})`,
    value: (r) => fromScaled(r.responseCacheSavings, COST_SCALE),
  },
  { col: 'reported_cost_usd', type: 'numeric', sum: (c) => `sum(${c})`, value: (r) => fromScaled(r.reported, COST_SCALE) },
  { col: 'latency_ms_sum', type: 'float8', sum: (c) => `sum(${c})`, value: (r) => r.latencySum },
  { col: 'latency_count', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.latencyCount.toString() },
  { col: 'runs', type: 'int8', sum: (c) => `sum(${c})::int8`, value: (r) => r.runs.toString() },
  // the histogram's text literal, cast once in the statement (the tables store int4[])
  { col: 'latency_hist', type: 'text', sum: (c) => `coalesce(outlay_hist_sum(${c})::int4[], '{}')`, value: (r) => histogramLiteral(r.latencyHist) },
]

/** Every cost rollup table's measure columns (the rebuild and the equality check read them from here). */
export const ROLLUP_MEASURE_COLUMNS: readonly string[] = MEASURES.map((m) => m.col)

/** A table's time bucket of the hourly rows' hour `t`, in UTC whatever the session's time zone (as lib/rollups/rebuild.ts). */
const BUCKET_SQL = {
  hour: 't',
  day: `date_trunc('day', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
  week: `date_trunc('week', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
}

/**
 * Every table's upsert in one statement, one round trip: the hourly rows are
 * sent once (one set of arrays, parsed once into the materialized `h`); each
 * daily and weekly table sums them by its own key in PostgreSQL (a hash
 * aggregate in C) instead of the worker regrouping them and sending every
 * table its own arrays — at real-world cardinality, where nearly every event
 * has rollup rows of its own in eight tables, that was most of the worker's CPU
 * time per event (docs/benchmarks/2026-12-06-ingest-cardinality.md). Each
 * table's rows are written in its key's order (one lock order for concurrent
 * writers: ingest slots and re-pricing run this same statement), the tables in
 * the order of ROLLUP_TABLES. Returns the hourly rows written.
 */
async function upsertAll(client: PoolClient, orgId: string, hourly: TAcc[]): Promise<number> {
  if (hourly.length === 0) return 0
  const dims = ROLLUP_DIMENSIONS
  const params: unknown[] = [orgId, hourly.map((r) => r.hour), ...dims.map((_, i) => hourly.map((r) => r.dims[i])), ...MEASURES.map((m) => hourly.map(m.value))]
  const types = ['timestamptz', ...dims.map(() => 'text'), ...MEASURES.map((m) => m.type)]
  const cols = ['t', ...dims, ...MEASURES.map((m) => m.col)]
  const h = `h AS MATERIALIZED (
    SELECT t, ${dims.join(', ')}, ${MEASURES.map((m) => (m.col === 'latency_hist' ? `coalesce(latency_hist::int4[], '{}') AS latency_hist` : m.col)).join(', ')}, ord
    FROM unnest(${types.map((t, i) => `$${i + 2}::${t}[]`).join(', ')}) WITH ORDINALITY AS u(${cols.join(', ')}, ord))`
  const ctes = ROLLUP_TABLES.map((t, i) => `r${i} AS (${upsertSql(t)} RETURNING 1)`)
  await client.query(`WITH ${h},\n${ctes.join(',\n')}\nSELECT ${ROLLUP_TABLES.map((_, i) => `(SELECT count(*) FROM r${i})`).join(' + ')} AS n`, params)
  return hourly.length
}

/** One table's upsert from `h` ($1: the organization). */
function upsertSql(target: TRollupTable): string {
  const { table, time } = target
  const dimNames = target.dims.join(', ')
  const measures = MEASURES.map((m) => m.col).join(', ')
  // rollups_hourly: the rows as aggregate() summed and sorted them; a coarser table: summed by its key, in key order
  const select =
    target === HOURLY_ROLLUP
      ? `SELECT $1::uuid, t, ${dimNames}, ${measures} FROM h ORDER BY ord`
      : `SELECT $1::uuid, ${BUCKET_SQL[time]}, ${dimNames}, ${MEASURES.map((m) => m.sum(m.col)).join(', ')} FROM h
         GROUP BY ${target.dims.map((_, i) => i + 3).join(', ')}, 2 ORDER BY 2, ${target.dims.map((_, i) => i + 3).join(', ')}`
  return `INSERT INTO ${table} AS x (org_id, ${time}, ${dimNames}, ${measures})
     ${select}
     ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET
        ${MEASURES.filter((m) => m.col !== 'latency_hist')
          .map((m) => `${m.col} = x.${m.col} + EXCLUDED.${m.col}`)
          .join(',\n        ')},
        latency_hist = CASE WHEN cardinality(EXCLUDED.latency_hist) = 0 THEN x.latency_hist
          ELSE outlay_hist_add(x.latency_hist::int8[], EXCLUDED.latency_hist)::int4[] END`
}
