import 'server-only'
import type { PoolClient } from 'pg'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import { addToHistogram, histogramLiteral, mergeHistograms } from '@/lib/metrics/latency'
import { bucketOf, HOURLY_ROLLUP, ROLLUP_TABLES, type TRollupDimension, type TRollupTable } from '@/lib/rollups/tables'

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

/** Sum re-pricing changes into rollup deltas (events and tokens unchanged; cost, savings and unpriced move). */
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
 * Fold rows of one table into a table with fewer dimensions (the daily tables
 * from the hourly rows): each event is aggregated once, not once per table.
 */
export function regroup(rows: TAcc[], from: TRollupTable, target: TRollupTable): TAcc[] {
  const index = target.dims.map((d) => from.dims.indexOf(d))
  if (index.some((i) => i < 0)) throw new Error(`${target.table} has a dimension ${from.table} lacks`)
  const bucket = bucketOf(target.time)
  const map = new Map<string, TAcc>()
  for (const r of rows) {
    const hour = bucket(r.hour)
    const dims = index.map((i) => r.dims[i])
    const key = JSON.stringify([hour, dims])
    const a = map.get(key)
    if (!a) {
      map.set(key, { ...r, hour, dims })
      continue
    }
    a.events += r.events
    a.runs += r.runs
    a.requests += r.requests
    a.tokensIn += r.tokensIn
    a.cachedIn += r.cachedIn
    a.cacheWrite += r.cacheWrite
    a.tokensOut += r.tokensOut
    a.gpuMicros += r.gpuMicros
    a.unpriced += r.unpriced
    a.cost += r.cost
    a.savings += r.savings
    a.reported += r.reported
    a.latencySum += r.latencySum
    a.latencyCount += r.latencyCount
    a.latencyHist = mergeHistograms(a.latencyHist, r.latencyHist)
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
}

/** Every table's rows from the hourly ones. */
const allTables = (hourly: TAcc[]): [TRollupTable, TAcc[]][] => ROLLUP_TABLES.map((t) => [t, t === HOURLY_ROLLUP ? hourly : regroup(hourly, HOURLY_ROLLUP, t)])

/**
 * Add new events to every rollup table (hourly and daily), inside the caller's
 * transaction: the ingest worker's exactly-once guarantee covers them all.
 * Returns the hourly rows touched.
 */
export async function applyRollups(client: PoolClient, orgId: string, items: TRollupContribution[]): Promise<number> {
  return upsertAll(client, orgId, allTables(aggregate(items)))
}

/** Move every rollup table by re-pricing changes, inside the caller's transaction. */
export async function applyRepricing(client: PoolClient, orgId: string, changes: TRepriceChange[]): Promise<void> {
  await upsertAll(client, orgId, allTables(aggregateRepricing(changes)))
}

/**
 * Every table's upsert in one statement (one data-modifying CTE per table):
 * one round trip instead of one per table, so the hot rollup rows stay locked
 * for less time while concurrent batches wait on them. Returns the hourly rows written.
 */
async function upsertAll(client: PoolClient, orgId: string, work: [TRollupTable, TAcc[]][]): Promise<number> {
  const parts = work.filter(([, rows]) => rows.length > 0)
  if (parts.length === 0) return 0
  const params: unknown[] = [orgId]
  const ctes = parts.map(([t, rows], i) => {
    const u = upsertSql(t, rows, params.length)
    params.push(...u.params)
    return `r${i} AS (${u.sql} RETURNING 1)`
  })
  const hourly = parts.findIndex(([t]) => t === HOURLY_ROLLUP)
  await client.query(`WITH ${ctes.join(',\n')} SELECT ${parts.map((_, i) => `(SELECT count(*) FROM r${i})`).join(' + ')} AS n`, params)
  return hourly < 0 ? 0 : parts[hourly][1].length
}

/** One table's upsert; $1 is the organization, this table's parameters follow `offset` others. */
function upsertSql(target: TRollupTable, rows: TAcc[], offset: number): { sql: string; params: unknown[] } {
  const col = <T>(f: (r: TAcc) => T) => rows.map(f)
  const dimCols = target.dims.map((_, i) => col((r) => r.dims[i]))
  const dimNames = target.dims.join(', ')
  const { table, time } = target
  const at = (k: number) => `$${offset + 1 + k}` // this table's k-th parameter (0: the time column)
  const p = (k: number) => at(k + 1 + target.dims.length) // the k-th measure's parameter
  return {
    sql: `INSERT INTO ${table} (org_id, ${time}, ${dimNames},
        events, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds,
        unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, runs, latency_hist)
     SELECT $1::uuid, t, ${dimNames},
        events, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds,
        unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, runs, coalesce(latency_hist::int4[], '{}')
     FROM unnest(${at(0)}::timestamptz[], ${target.dims.map((_, i) => `${at(i + 1)}::text[]`).join(', ')},
        ${p(0)}::int8[], ${p(1)}::int8[], ${p(2)}::int8[], ${p(3)}::int8[], ${p(4)}::int8[], ${p(5)}::int8[], ${p(6)}::numeric[],
        ${p(7)}::int8[], ${p(8)}::numeric[], ${p(9)}::numeric[], ${p(10)}::numeric[], ${p(11)}::float8[], ${p(12)}::int8[], ${p(13)}::int8[], ${p(14)}::text[])
       AS u(t, ${dimNames},
        events, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds,
        unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, runs, latency_hist)
     ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET
        events = ${table}.events + EXCLUDED.events,
        requests = ${table}.requests + EXCLUDED.requests,
        tokens_in = ${table}.tokens_in + EXCLUDED.tokens_in,
        cached_tokens_in = ${table}.cached_tokens_in + EXCLUDED.cached_tokens_in,
        cache_write_tokens = ${table}.cache_write_tokens + EXCLUDED.cache_write_tokens,
        tokens_out = ${table}.tokens_out + EXCLUDED.tokens_out,
        gpu_seconds = ${table}.gpu_seconds + EXCLUDED.gpu_seconds,
        unpriced_events = ${table}.unpriced_events + EXCLUDED.unpriced_events,
        cost_usd = ${table}.cost_usd + EXCLUDED.cost_usd,
        cache_savings_usd = ${table}.cache_savings_usd + EXCLUDED.cache_savings_usd,
        reported_cost_usd = ${table}.reported_cost_usd + EXCLUDED.reported_cost_usd,
        latency_ms_sum = ${table}.latency_ms_sum + EXCLUDED.latency_ms_sum,
        latency_count = ${table}.latency_count + EXCLUDED.latency_count,
        runs = ${table}.runs + EXCLUDED.runs,
        latency_hist = CASE WHEN cardinality(EXCLUDED.latency_hist) = 0 THEN ${table}.latency_hist
          ELSE outlay_hist_add(${table}.latency_hist::int8[], EXCLUDED.latency_hist)::int4[] END`,
    params: [
      col((r) => r.hour),
      ...dimCols,
      col((r) => r.events.toString()),
      col((r) => r.requests.toString()),
      col((r) => r.tokensIn.toString()),
      col((r) => r.cachedIn.toString()),
      col((r) => r.cacheWrite.toString()),
      col((r) => r.tokensOut.toString()),
      col((r) => fromScaled(r.gpuMicros, 6)),
      col((r) => r.unpriced.toString()),
      col((r) => fromScaled(r.cost, COST_SCALE)),
      col((r) => fromScaled(r.savings, COST_SCALE)),
      col((r) => fromScaled(r.reported, COST_SCALE)),
      col((r) => r.latencySum),
      col((r) => r.latencyCount.toString()),
      col((r) => r.runs.toString()),
      col((r) => histogramLiteral(r.latencyHist)),
    ],
  }
}
