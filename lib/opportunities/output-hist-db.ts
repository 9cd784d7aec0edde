import 'server-only'
import type { PoolClient } from 'pg'
import { outputRowsOf } from '@/lib/opportunities/output-hist'
import { dayOf, hourOf, weekOf } from '@/lib/rollups/tables'

// The output-size histograms (rollups_hourly_outputs / rollups_daily_outputs): the
// ingest worker's writer, in its batch transaction (lib/opportunities/load.ts reads them).

/** A new call, as the histogram counts it (embeddings are left out by the caller). */
export type TOutputCall = {
  at: Date
  workflow_id: string
  step: string
  provider: string | null
  model: string | null
  max_tokens: number | null
  tokens_out: number
}

type TDelta = {
  time: string
  workflow_id: string
  step: string
  provider: string
  model: string
  max_tokens: number
  calls: number
  max: number
  hist: readonly number[]
}

function deltas(calls: readonly TOutputCall[], timeOf: (iso: string) => string): TDelta[] {
  const byTime = new Map<string, TOutputCall[]>()
  for (const c of calls) {
    const t = timeOf(c.at.toISOString())
    const l = byTime.get(t)
    if (l) l.push(c)
    else byTime.set(t, [c])
  }
  const rows = [...byTime.entries()].flatMap(([time, cs]) => outputRowsOf(cs).map((r) => ({ ...r, time, provider: r.provider ?? '', model: r.model ?? '' })))
  // key order: one lock order for concurrent batches (each row's key built once: at real-world cardinality a batch
  // has a row per call, and building the keys inside the comparison was most of this writer's CPU)
  const keyed = rows.map((r) => ({ r, k: JSON.stringify([r.time, r.workflow_id, r.step, r.provider, r.model, r.max_tokens]) }))
  return keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0)).map((x) => x.r)
}

/** New events: add them to the hourly, then the daily, then the weekly histograms. */
export async function applyOutputRollups(client: PoolClient, orgId: string, calls: readonly TOutputCall[]): Promise<void> {
  if (calls.length === 0) return
  for (const [table, time, timeOf] of [
    ['rollups_hourly_outputs', 'hour', hourOf],
    ['rollups_daily_outputs', 'day', dayOf],
    ['rollups_weekly_outputs', 'week', weekOf],
  ] as const) {
    const rows = deltas(calls, timeOf)
    await client.query(
      `INSERT INTO ${table} (org_id, ${time}, workflow_id, step, provider, model, max_tokens, calls, tokens_out_max, tokens_out_hist)
       SELECT $1::uuid, t, w, s, p, m, x, n, mx, h::int4[]
       FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int4[], $8::int8[], $9::int8[], $10::text[]) AS u(t, w, s, p, m, x, n, mx, h)
       ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET
         calls = ${table}.calls + EXCLUDED.calls,
         tokens_out_max = greatest(${table}.tokens_out_max, EXCLUDED.tokens_out_max),
         tokens_out_hist = outlay_hist_add(${table}.tokens_out_hist, EXCLUDED.tokens_out_hist)::int4[]`,
      [
        orgId,
        rows.map((r) => r.time),
        rows.map((r) => r.workflow_id),
        rows.map((r) => r.step),
        rows.map((r) => r.provider),
        rows.map((r) => r.model),
        rows.map((r) => r.max_tokens),
        rows.map((r) => r.calls),
        rows.map((r) => r.max),
        rows.map((r) => `{${r.hist.join(',')}}`),
      ],
    )
  }
}
