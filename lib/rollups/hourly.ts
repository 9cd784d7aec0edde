import type { PoolClient } from 'pg'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import { addToHistogram, histogramLiteral } from '@/lib/metrics/latency'

// Hourly rollups: one row per (organization, hour, attribution key). Absent
// dimensions are '' so the key can be a primary key.

export const ROLLUP_DIMENSIONS = ['environment', 'traffic_source', 'workflow_id', 'step', 'call_type', 'feature', 'account_id', 'provider', 'model', 'outcome'] as const
export type TRollupDimension = (typeof ROLLUP_DIMENSIONS)[number]

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
  hour: string
  dims: string[]
  events: bigint; runs: bigint; requests: bigint; tokensIn: bigint; cachedIn: bigint; cacheWrite: bigint; tokensOut: bigint
  gpuMicros: bigint; unpriced: bigint; cost: bigint; savings: bigint; reported: bigint; latencySum: number; latencyCount: bigint
  /** calls per latency bucket (lib/metrics/latency.ts) */
  latencyHist: number[]
}

export function hourOf(iso: string): string {
  const d = new Date(iso)
  d.setUTCMinutes(0, 0, 0)
  return d.toISOString()
}

const emptyAcc = (hour: string, dims: string[]): TAcc => ({
  hour, dims, events: 0n, runs: 0n, requests: 0n, tokensIn: 0n, cachedIn: 0n, cacheWrite: 0n, tokensOut: 0n, gpuMicros: 0n,
  unpriced: 0n, cost: 0n, savings: 0n, reported: 0n, latencySum: 0, latencyCount: 0n, latencyHist: [],
})

/** Group items by (hour, dimensions); `add` folds one item into its row. Rows come back in key order (a fixed lock order keeps concurrent upserts free of deadlocks). */
function groupByKey<T extends { timestamp: string; dims: Record<TRollupDimension, string | null | undefined> }>(items: T[], add: (a: TAcc, item: T) => void): TAcc[] {
  const map = new Map<string, TAcc>()
  for (const c of items) {
    const hour = hourOf(c.timestamp)
    const dims = ROLLUP_DIMENSIONS.map((d) => c.dims[d] ?? '')
    const key = JSON.stringify([hour, dims])
    let a = map.get(key)
    if (!a) map.set(key, (a = emptyAcc(hour, dims)))
    add(a, c)
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
}

/** Sum new events' contributions by key. */
export function aggregate(items: TRollupContribution[]): TAcc[] {
  return groupByKey(items, (a, c) => {
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
  })
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
export function aggregateRepricing(changes: TRepriceChange[]): TAcc[] {
  const scaled = (v: string | null) => (v === null ? 0n : toScaled(v, COST_SCALE))
  return groupByKey(changes, (a, c) => {
    a.cost += scaled(c.new_cost_usd) - scaled(c.old_cost_usd)
    a.savings += scaled(c.new_cache_savings_usd) - scaled(c.old_cache_savings_usd)
    a.unpriced += BigInt(Number(c.new_cost_usd === null) - Number(c.old_cost_usd === null))
  })
}

/** Add new events to the rollups, inside the caller's transaction. */
export const applyRollups = (client: PoolClient, orgId: string, items: TRollupContribution[]) => upsertRollups(client, orgId, aggregate(items))

/** Move the rollups by re-pricing changes, inside the caller's transaction. */
export const applyRepricing = (client: PoolClient, orgId: string, changes: TRepriceChange[]) => upsertRollups(client, orgId, aggregateRepricing(changes))

async function upsertRollups(client: PoolClient, orgId: string, rows: TAcc[]): Promise<number> {
  if (rows.length === 0) return 0
  const col = <T>(f: (r: TAcc) => T) => rows.map(f)
  const dimCols = ROLLUP_DIMENSIONS.map((_, i) => col((r) => r.dims[i]))
  const dimNames = ROLLUP_DIMENSIONS.join(', ')
  await client.query(
    `INSERT INTO rollups_hourly (org_id, hour, ${dimNames},
        events, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds,
        unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, runs, latency_hist)
     SELECT $1::uuid, hour, ${dimNames},
        events, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds,
        unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, runs, coalesce(latency_hist::int4[], '{}')
     FROM unnest($2::timestamptz[], ${ROLLUP_DIMENSIONS.map((_, i) => `$${i + 3}::text[]`).join(', ')},
        $13::int8[], $14::int8[], $15::int8[], $16::int8[], $17::int8[], $18::int8[], $19::numeric[],
        $20::int8[], $21::numeric[], $22::numeric[], $23::numeric[], $24::float8[], $25::int8[], $26::int8[], $27::text[])
       AS u(hour, ${dimNames},
        events, requests, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, gpu_seconds,
        unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, runs, latency_hist)
     ON CONFLICT ON CONSTRAINT rollups_hourly_pkey DO UPDATE SET
        events = rollups_hourly.events + EXCLUDED.events,
        requests = rollups_hourly.requests + EXCLUDED.requests,
        tokens_in = rollups_hourly.tokens_in + EXCLUDED.tokens_in,
        cached_tokens_in = rollups_hourly.cached_tokens_in + EXCLUDED.cached_tokens_in,
        cache_write_tokens = rollups_hourly.cache_write_tokens + EXCLUDED.cache_write_tokens,
        tokens_out = rollups_hourly.tokens_out + EXCLUDED.tokens_out,
        gpu_seconds = rollups_hourly.gpu_seconds + EXCLUDED.gpu_seconds,
        unpriced_events = rollups_hourly.unpriced_events + EXCLUDED.unpriced_events,
        cost_usd = rollups_hourly.cost_usd + EXCLUDED.cost_usd,
        cache_savings_usd = rollups_hourly.cache_savings_usd + EXCLUDED.cache_savings_usd,
        reported_cost_usd = rollups_hourly.reported_cost_usd + EXCLUDED.reported_cost_usd,
        latency_ms_sum = rollups_hourly.latency_ms_sum + EXCLUDED.latency_ms_sum,
        latency_count = rollups_hourly.latency_count + EXCLUDED.latency_count,
        runs = rollups_hourly.runs + EXCLUDED.runs,
        latency_hist = CASE WHEN cardinality(EXCLUDED.latency_hist) = 0 THEN rollups_hourly.latency_hist
          ELSE outlay_hist_add(rollups_hourly.latency_hist::int8[], EXCLUDED.latency_hist)::int4[] END`,
    [
      orgId,
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
  )
  return rows.length
}
