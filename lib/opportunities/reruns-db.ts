import 'server-only'
import type { PoolClient } from 'pg'
import { fromScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import { newReruns, RERUN_WINDOW_MS, RerunDeltas, rerunsOf, rerunsPerDay, runStepKey, type TRerunDelta, type TRunCall } from '@/lib/opportunities/reruns'
import { callsFirstOrNot } from '@/lib/opportunities/repeats-db'

// The re-run rollup's writers, inside the caller's transaction: the ingest
// worker's (new events) and re-pricing's (a re-run's cost changed). Lock order,
// the same in both: events, then input_hashes (applyRepeats), then the runs'
// advisory locks taken here, then the cost rollups, then the hot rows late:
// rollups_*_prompts and _users, rollups_*_outputs, rollups_*_reruns, rollups_*_repeats (a row lock is held until
// commit: taken late, a concurrent transaction waits for our commit, not for our
// cost rollups). The runs' locks make two batches with calls of one run
// take turns, so each reads the other's calls and a call turns re-run once.

type TStoredCall = TRunCall & { input_hash: string | null }

/** Transaction-scoped advisory locks on the runs, in sorted order (concurrent writers wait for each other per run). */
async function lockRuns(client: PoolClient, orgId: string, runIds: string[]): Promise<void> {
  const sorted = [...new Set(runIds)].sort()
  await client.query(
    `SELECT count(pg_advisory_xact_lock(hashtextextended('outlay-run:' || $1 || ':' || r, 0)))
     FROM (SELECT r FROM unnest($2::text[]) AS r ORDER BY r COLLATE "C" OFFSET 0) AS s`,
    [orgId, sorted],
  )
}

/** The stored calls of the runs' steps between from and to (the batch's own calls included: they are inserted). */
async function storedCalls(client: PoolClient, orgId: string, calls: TRunCall[], from: Date, to: Date): Promise<TStoredCall[]> {
  const r = await client.query<{
    event_id: string
    timestamp: Date
    run_id: string
    workflow_id: string
    step: string
    outcome: string
    cost_usd: string | null
    input_hash: string | null
  }>(
    `SELECT e.event_id, e."timestamp", e.run_id, e.workflow_id, e.step, e.outcome, e.cost_usd::text, e.input_hash
     FROM inference_events e
     WHERE e.org_id = $1 AND e.run_id = ANY($2::text[]) AND e."timestamp" >= $3 AND e."timestamp" <= $4`,
    [orgId, [...new Set(calls.map((c) => c.run_id))], from.toISOString(), to.toISOString()],
  )
  const keys = new Set(calls.map(runStepKey))
  return r.rows.map((x) => ({ ...x, at: x.timestamp })).filter((x) => keys.has(runStepKey(x)))
}

/** Which of the calls repeat an earlier input of their step (the response_cache opportunity counts them too). */
async function repeatsAmong(client: PoolClient, orgId: string, calls: TStoredCall[]): Promise<Set<string>> {
  const hashed = calls.filter((c): c is TStoredCall & { input_hash: string } => c.input_hash !== null)
  return callsFirstOrNot(client, orgId, hashed, false)
}

const within = (calls: TRunCall[]) => {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const c of calls) {
    min = Math.min(min, c.at.getTime())
    max = Math.max(max, c.at.getTime())
  }
  return { from: new Date(min - RERUN_WINDOW_MS), to: new Date(max + RERUN_WINDOW_MS) }
}

/** New events (already inserted in this transaction): the calls that turn re-runs, as rollup rows (upsertRerunDeltas, late). */
export async function applyReruns(client: PoolClient, orgId: string, fresh: TRunCall[]): Promise<TRerunDelta[]> {
  if (fresh.length === 0) return []
  await lockRuns(
    client,
    orgId,
    fresh.map((c) => c.run_id),
  )
  const { from, to } = within(fresh)
  const stored = await storedCalls(client, orgId, fresh, from, to)
  const freshIds = new Set(fresh.map((c) => c.event_id))
  const turned = newReruns(
    stored.filter((c) => !freshIds.has(c.event_id)),
    fresh,
  )
  if (turned.length === 0) return []
  const byId = new Map(stored.map((c) => [c.event_id, c]))
  const repeats = await repeatsAmong(
    client,
    orgId,
    turned.map((c) => byId.get(c.event_id) ?? { ...c, input_hash: null }),
  )
  const deltas = new RerunDeltas()
  for (const c of turned) deltas.addRerun(c, repeats.has(c.event_id))
  return deltas.list()
}

/** A re-priced event with a run: its old and new cost, and what places it. */
export type TRerunCostChange = TRunCall & { old_cost_usd: string | null }

/** Re-pricing (the events' new costs already written in this transaction): the re-runs among them, as the rows that move the rollup (upsertRerunDeltas, late). */
export async function applyRerunRepricing(client: PoolClient, orgId: string, changes: TRerunCostChange[]): Promise<TRerunDelta[]> {
  if (changes.length === 0) return []
  await lockRuns(
    client,
    orgId,
    changes.map((c) => c.run_id),
  )
  const { from, to } = within(changes)
  const stored = await storedCalls(client, orgId, changes, from, to)
  const groups = new Map<string, TStoredCall[]>()
  for (const c of stored) {
    const k = runStepKey(c)
    const g = groups.get(k)
    if (g) g.push(c)
    else groups.set(k, [c])
  }
  const reruns = new Set<string>()
  for (const g of groups.values()) for (const id of rerunsOf(g)) reruns.add(id)
  const changed = changes.filter((c) => reruns.has(c.event_id))
  if (changed.length === 0) return []
  const byId = new Map(stored.map((c) => [c.event_id, c]))
  const repeats = await repeatsAmong(
    client,
    orgId,
    changed.map((c) => byId.get(c.event_id) ?? { ...c, input_hash: null }),
  )
  const deltas = new RerunDeltas()
  for (const c of changed) deltas.addCostChange(c, c.old_cost_usd, c.cost_usd, repeats.has(c.event_id))
  return deltas.list()
}

/** The re-run rollup rows, after the cost rollups (hot rows: locks taken late): the hourly rows, then the same per day (one order in every writer). */
export async function upsertRerunDeltas(client: PoolClient, orgId: string, rows: TRerunDelta[]): Promise<void> {
  if (rows.length === 0) return
  await upsertTable(client, orgId, rows, 'rollups_hourly_reruns', 'hour')
  await upsertTable(client, orgId, rerunsPerDay(rows), 'rollups_daily_reruns', 'day')
}

async function upsertTable(client: PoolClient, orgId: string, rows: TRerunDelta[], table: string, time: 'hour' | 'day'): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (org_id, ${time}, workflow_id, step, rerun_calls, rerun_cost_usd, rerun_unpriced, rerun_repeat_cost_usd)
     SELECT $1::uuid, * FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::int8[], $6::numeric[], $7::int8[], $8::numeric[])
     ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET
        rerun_calls = ${table}.rerun_calls + EXCLUDED.rerun_calls,
        rerun_cost_usd = ${table}.rerun_cost_usd + EXCLUDED.rerun_cost_usd,
        rerun_unpriced = ${table}.rerun_unpriced + EXCLUDED.rerun_unpriced,
        rerun_repeat_cost_usd = ${table}.rerun_repeat_cost_usd + EXCLUDED.rerun_repeat_cost_usd`,
    [
      orgId,
      rows.map((r) => r.hour),
      rows.map((r) => r.workflow_id),
      rows.map((r) => r.step),
      rows.map((r) => r.rerun_calls.toString()),
      rows.map((r) => fromScaled(r.rerun_cost, COST_SCALE)),
      rows.map((r) => r.rerun_unpriced.toString()),
      rows.map((r) => fromScaled(r.rerun_repeat_cost, COST_SCALE)),
    ],
  )
}
