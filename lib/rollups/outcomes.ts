import 'server-only'
import type { PoolClient } from 'pg'
import { bucketOf, OUTCOME_TABLES, type TOutcomeTable } from '@/lib/rollups/tables'
import type { TIngestOutcome } from '@/lib/outcomes/schema'

// Outcome counts per (workflow, feature, account[, kind]), hourly and daily,
// beside the cost rollups, so "cost per accepted outcome" is one query away.

type TOutcomeRow = { t: string; dims: string[]; outcomes: number; accepted: number }

/** Outcomes summed by the table's key, in key order (one lock order for concurrent upserts). */
export function aggregateOutcomes(items: TIngestOutcome[], target: TOutcomeTable): TOutcomeRow[] {
  const bucket = bucketOf(target.time)
  const map = new Map<string, TOutcomeRow>()
  for (const o of items) {
    const dims = [...target.dims.map((d) => o[d] ?? ''), ...(target.kind ? [o.kind ?? ''] : [])]
    const t = bucket(o.timestamp)
    const key = JSON.stringify([t, dims])
    const a = map.get(key) ?? { t, dims, outcomes: 0, accepted: 0 }
    a.outcomes += 1
    a.accepted += o.accepted ? 1 : 0
    map.set(key, a)
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
}

/** Add new outcomes to every outcome rollup table, inside the caller's transaction. */
export async function applyOutcomeRollups(client: PoolClient, orgId: string, items: TIngestOutcome[]): Promise<void> {
  for (const target of OUTCOME_TABLES) {
    const rows = aggregateOutcomes(items, target)
    if (rows.length === 0) continue
    const cols = [...target.dims, ...(target.kind ? ['kind'] : [])]
    const { table, time } = target
    await client.query(
      `INSERT INTO ${table} (org_id, ${time}, ${cols.join(', ')}, outcomes, accepted)
       SELECT $1::uuid, * FROM unnest($2::timestamptz[], ${cols.map((_, i) => `$${i + 3}::text[]`).join(', ')}, $${cols.length + 3}::int8[], $${cols.length + 4}::int8[])
       ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET
         outcomes = ${table}.outcomes + EXCLUDED.outcomes, accepted = ${table}.accepted + EXCLUDED.accepted`,
      [orgId, rows.map((r) => r.t), ...cols.map((_, i) => rows.map((r) => r.dims[i])), rows.map((r) => r.outcomes), rows.map((r) => r.accepted)],
    )
  }
}
