import 'server-only'
import type { PoolClient } from 'pg'
import { fromScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import {
  addDisplaced,
  perDay,
  planRepeats,
  RepeatDeltas,
  type TFirstCall,
  type TRepeatCall,
  type TRepeatDelta,
  callOrder,
  inputKey,
} from '@/lib/opportunities/repeats'

// The repeat rollup's writers, inside the caller's transaction: the ingest
// worker's (new events) and re-pricing's (a repeat's cost changed). Lock order,
// the same in both: events, then input_hashes (applyRepeats, first), then the
// other rollups, then rollups_hourly_repeats and rollups_daily_repeats last
// (upsertRepeatDeltas, after applyRollups / applyRepricing). The repeat rows are
// hot — a few per workflow step and hour, touched by nearly every transaction —
// and a row lock is held until commit: taken early, a concurrent ingest slot
// waited for the whole of this transaction's cost rollups (half a backend in
// lock waits at the realistic bench:ingest load); taken last, only for its commit.

// input_hashes is read one primary-key probe per input (LATERAL … LIMIT 1 keeps the nested loop): a plain join with
// unnest, planned without statistics (a new or fast-growing table), read every input of the organization through
// the key's org_id prefix and hashed them, in every ingest transaction — 11,500 rows a transaction after 23 s of
// bench:gateway, growing with the table.

/** The stored first call of each (workflow_id, step, input_hash) of $2, $3, $4 that has one ($1: the organization). */
export const FIRSTS_SQL = `SELECT h.workflow_id, h.step, h.input_hash, h.first_at, h.first_event_id, h.first_output_hash
  FROM unnest($2::text[], $3::text[], $4::text[]) AS k(workflow_id, step, input_hash)
  CROSS JOIN LATERAL (
    SELECT x.workflow_id, x.step, x.input_hash, x.first_at, x.first_event_id, x.first_output_hash FROM input_hashes x
    WHERE x.org_id = $1 AND x.workflow_id = k.workflow_id AND x.step = k.step AND x.input_hash = k.input_hash LIMIT 1) h`

/** Calls (event_id, workflow_id, step, input_hash: $2 … $5) beside their input's first call `h` (its first_event_id); callers add a WHERE. */
export const CALLS_FIRST_SQL = `SELECT k.event_id FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS k(event_id, workflow_id, step, input_hash)
  CROSS JOIN LATERAL (
    SELECT x.first_event_id FROM input_hashes x
    WHERE x.org_id = $1 AND x.workflow_id = k.workflow_id AND x.step = k.step AND x.input_hash = k.input_hash LIMIT 1) h`

/**
 * The ids of the calls that are (`first`) or are not (`!first`) their input's stored first call, in one statement;
 * a call whose input has no stored first call is neither.
 */
export async function callsFirstOrNot(
  client: PoolClient,
  orgId: string,
  calls: readonly { event_id: string; workflow_id: string; step: string; input_hash: string }[],
  first: boolean,
): Promise<Set<string>> {
  if (calls.length === 0) return new Set()
  const r = await client.query<{ event_id: string }>(`${CALLS_FIRST_SQL} WHERE h.first_event_id ${first ? '=' : '<>'} k.event_id`, [
    orgId,
    calls.map((c) => c.event_id),
    calls.map((c) => c.workflow_id),
    calls.map((c) => c.step),
    calls.map((c) => c.input_hash),
  ])
  return new Set(r.rows.map((x) => x.event_id))
}

type TFirstRow = { workflow_id: string; step: string; input_hash: string; first_at: Date; first_event_id: string; first_output_hash: string | null }

/** New events: record first calls of new inputs; the repeats' rollup rows to add (upsertRepeatDeltas, last). */
export async function applyRepeats(client: PoolClient, orgId: string, calls: TRepeatCall[]): Promise<TRepeatDelta[]> {
  if (calls.length === 0) return []
  // Each input's earliest call in this batch, in key order (one lock order for concurrent batches).
  const earliest = new Map<string, TRepeatCall>()
  for (const c of calls) {
    const k = inputKey(c)
    const e = earliest.get(k)
    if (!e || callOrder(c, e) < 0) earliest.set(k, c)
  }
  const keys = [...earliest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c)
  // Insert the inputs seen for the first time; lock every input's row either way (ON CONFLICT DO UPDATE locks the
  // existing row even when its WHERE is false), so concurrent batches with the same input take turns.
  await client.query(
    `INSERT INTO input_hashes (org_id, workflow_id, step, input_hash, first_at, first_event_id, first_output_hash)
     SELECT $1::uuid, * FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[])
     ON CONFLICT ON CONSTRAINT input_hashes_pkey DO UPDATE SET first_at = EXCLUDED.first_at WHERE false`,
    [
      orgId,
      keys.map((c) => c.workflow_id),
      keys.map((c) => c.step),
      keys.map((c) => c.input_hash),
      keys.map((c) => c.at.toISOString()),
      keys.map((c) => c.event_id),
      keys.map((c) => c.output_hash),
    ],
  )
  const firsts = await client.query<TFirstRow>(FIRSTS_SQL, [orgId, keys.map((c) => c.workflow_id), keys.map((c) => c.step), keys.map((c) => c.input_hash)])
  const plan = planRepeats(firsts.rows as TFirstCall[], calls)
  if (plan.displaced.length) {
    // FOR SHARE: a re-pricing of the displaced first call commits before we read its cost, or waits for us
    // (and then finds it a repeat): its cost is counted once, at its current price. Its timestamp (first_at) only
    // prunes the monthly partitions of inference_events to those of the displaced calls: the id alone finds the row.
    const stored = await client.query<{ event_id: string; cost_usd: string | null; outcome: string }>(
      `SELECT event_id, cost_usd::text, outcome FROM inference_events
       WHERE org_id = $1 AND event_id = ANY($2::text[]) AND "timestamp" = ANY($3::timestamptz[]) ORDER BY event_id FOR SHARE`,
      [orgId, plan.displaced.map((d) => d.old.first_event_id), plan.displaced.map((d) => d.old.first_at)],
    )
    addDisplaced(plan, new Map(stored.rows.map((r) => [r.event_id, r])))
    await client.query(
      `UPDATE input_hashes h SET first_at = m.first_at, first_event_id = m.first_event_id, first_output_hash = m.first_output_hash
       FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[])
         AS m(workflow_id, step, input_hash, first_at, first_event_id, first_output_hash)
       WHERE h.org_id = $1 AND h.workflow_id = m.workflow_id AND h.step = m.step AND h.input_hash = m.input_hash`,
      [
        orgId,
        plan.moved.map((m) => m.workflow_id),
        plan.moved.map((m) => m.step),
        plan.moved.map((m) => m.input_hash),
        plan.moved.map((m) => m.first_at.toISOString()),
        plan.moved.map((m) => m.first_event_id),
        plan.moved.map((m) => m.first_output_hash),
      ],
    )
  }
  return plan.deltas.list()
}

/** A re-priced event: its old and new cost, and what places it. */
export type TRepeatCostChange = {
  event_id: string
  at: Date
  workflow_id: string
  step: string
  input_hash: string | null
  outcome: string
  old_cost_usd: string | null
  new_cost_usd: string | null
}

/** Re-pricing: the repeats among the changed events move the rollup by their cost's change (the rows to add, last). */
export async function repeatRepricing(client: PoolClient, orgId: string, changes: TRepeatCostChange[]): Promise<TRepeatDelta[]> {
  const hashed = changes.filter((c): c is TRepeatCostChange & { input_hash: string } => c.input_hash !== null)
  if (hashed.length === 0) return []
  const isFirst = await callsFirstOrNot(client, orgId, hashed, true)
  const deltas = new RepeatDeltas()
  for (const c of hashed) if (!isFirst.has(c.event_id)) deltas.addCostChange(c, c.old_cost_usd, c.new_cost_usd)
  return deltas.list()
}

/** The repeat rollup rows, the last writes of the transaction: the hourly rows, then the same per day (one order in every writer). */
export async function upsertRepeatDeltas(client: PoolClient, orgId: string, rows: TRepeatDelta[]): Promise<void> {
  if (rows.length === 0) return
  await upsertTable(client, orgId, rows, 'rollups_hourly_repeats', 'hour')
  await upsertTable(client, orgId, perDay(rows), 'rollups_daily_repeats', 'day')
}

async function upsertTable(client: PoolClient, orgId: string, rows: TRepeatDelta[], table: string, time: 'hour' | 'day'): Promise<void> {
  const col = <T>(f: (r: TRepeatDelta) => T) => rows.map(f)
  await client.query(
    `INSERT INTO ${table} (org_id, ${time}, workflow_id, step, repeat_calls, repeat_cost_usd, repeat_unpriced,
        output_compared, output_matched, waste_repeat_cost_usd, first_calls)
     SELECT $1::uuid, * FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::int8[], $6::numeric[], $7::int8[], $8::int8[], $9::int8[],
        $10::numeric[], $11::int8[])
     ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET
        repeat_calls = ${table}.repeat_calls + EXCLUDED.repeat_calls,
        repeat_cost_usd = ${table}.repeat_cost_usd + EXCLUDED.repeat_cost_usd,
        repeat_unpriced = ${table}.repeat_unpriced + EXCLUDED.repeat_unpriced,
        output_compared = ${table}.output_compared + EXCLUDED.output_compared,
        output_matched = ${table}.output_matched + EXCLUDED.output_matched,
        waste_repeat_cost_usd = ${table}.waste_repeat_cost_usd + EXCLUDED.waste_repeat_cost_usd,
        first_calls = ${table}.first_calls + EXCLUDED.first_calls`,
    [
      orgId,
      col((r) => r.hour),
      col((r) => r.workflow_id),
      col((r) => r.step),
      col((r) => r.repeat_calls.toString()),
      col((r) => fromScaled(r.repeat_cost, COST_SCALE)),
      col((r) => r.repeat_unpriced.toString()),
      col((r) => r.output_compared.toString()),
      col((r) => r.output_matched.toString()),
      col((r) => fromScaled(r.waste_repeat_cost, COST_SCALE)),
      col((r) => r.first_calls.toString()),
    ],
  )
}
