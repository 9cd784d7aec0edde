import { toScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import { HOUR_MS, isWasteOutcome } from '@/lib/domain'
import { callOrder, cmpId, sumPerDay } from '@/lib/opportunities/repeats'
import { hourOf } from '@/lib/rollups/tables'

// Steps re-run after they had succeeded in the same run (the restart-from-the-top
// waste of the `retries` opportunity), the pure part. The ingest worker and
// re-pricing apply it in their transactions (lib/opportunities/reruns-db.ts).
//
// Definition (the one the integration test checks against SQL over the events,
// RERUN_SQL below): a call X with a run_id is a re-run when the same run, workflow
// and step has a call S with outcome `success` before it — by (timestamp, event
// id) — at most RERUN_WINDOW_MS earlier. Counted in the hour of X's own timestamp.
// Re-runs whose own outcome is `retry` or `error` are left out: the retries
// opportunity counts them already. The window bounds what the worker reads (a
// run that re-runs a step a day later is a new piece of work, not a restart).
//
// Calls arrive in any order: a success that arrives after a later call of its
// step makes that call a re-run then. So a batch moves the rollup by, for every
// call of a touched (run, workflow, step), its status with the batch's calls
// minus its status without them.

export const RERUN_WINDOW_MS = 24 * HOUR_MS

/** A stored or new call of a run's step. */
export type TRunCall = {
  event_id: string
  at: Date
  run_id: string
  workflow_id: string
  step: string
  outcome: string
  cost_usd: string | null
}

/** What a rollup row (hour, workflow, step) moves by. */
export type TRerunDelta = {
  hour: string
  workflow_id: string
  step: string
  rerun_calls: bigint
  /** scaled by COST_SCALE */
  rerun_cost: bigint
  rerun_unpriced: bigint
  /** scaled; the re-runs' cost that the response_cache opportunity also counts (they repeat an earlier input) */
  rerun_repeat_cost: bigint
}

export const runStepKey = (c: { run_id: string; workflow_id: string; step: string }) => JSON.stringify([c.run_id, c.workflow_id, c.step])

const scaled = (v: string | null) => (v === null ? 0n : toScaled(v, COST_SCALE))

/** The re-runs among one run step's calls (any order in): their event ids. */
export function rerunsOf(calls: readonly TRunCall[]): Set<string> {
  const sorted = [...calls].sort(callOrder)
  const out = new Set<string>()
  // the latest success seen so far: the closest one before each call
  let lastSuccess: number | null = null
  for (const c of sorted) {
    const t = c.at.getTime()
    if (lastSuccess !== null && t - lastSuccess <= RERUN_WINDOW_MS && !isWasteOutcome(c.outcome)) out.add(c.event_id)
    if (c.outcome === 'success') lastSuccess = t
  }
  return out
}

/**
 * The calls whose re-run status a batch turns on: the batch's own re-runs and the
 * stored calls a new success now precedes. `stored` holds the touched run steps'
 * calls stored before the batch (within the window of the batch's calls), `fresh`
 * the batch's new calls. (Adding calls only adds successes: no call stops being a re-run.)
 */
export function newReruns(stored: readonly TRunCall[], fresh: readonly TRunCall[]): TRunCall[] {
  const groups = new Map<string, { before: TRunCall[]; all: TRunCall[] }>()
  for (const c of fresh) {
    const k = runStepKey(c)
    const g = groups.get(k)
    if (g) g.all.push(c)
    else groups.set(k, { before: [], all: [c] })
  }
  const freshIds = new Set(fresh.map((c) => c.event_id))
  for (const c of stored) {
    if (freshIds.has(c.event_id)) continue
    const g = groups.get(runStepKey(c))
    if (!g) continue
    g.before.push(c)
    g.all.push(c)
  }
  const out: TRunCall[] = []
  for (const g of groups.values()) {
    const was = rerunsOf(g.before)
    const is = rerunsOf(g.all)
    for (const c of g.all) if (is.has(c.event_id) && !was.has(c.event_id)) out.push(c)
  }
  return out.sort(callOrder)
}

/** Rollup deltas, hourly: +1 per new re-run (with its cost), and the cost changes of re-priced re-runs. */
export class RerunDeltas {
  private rows = new Map<string, TRerunDelta>()

  private row(at: Date, workflow_id: string, step: string): TRerunDelta {
    const hour = hourOf(at.toISOString())
    const key = JSON.stringify([hour, workflow_id, step])
    let r = this.rows.get(key)
    if (!r) {
      r = { hour, workflow_id, step, rerun_calls: 0n, rerun_cost: 0n, rerun_unpriced: 0n, rerun_repeat_cost: 0n }
      this.rows.set(key, r)
    }
    return r
  }

  addRerun(c: TRunCall, isRepeat: boolean) {
    const r = this.row(c.at, c.workflow_id, c.step)
    r.rerun_calls += 1n
    r.rerun_cost += scaled(c.cost_usd)
    if (c.cost_usd === null) r.rerun_unpriced += 1n
    if (isRepeat) r.rerun_repeat_cost += scaled(c.cost_usd)
  }

  /** A re-run's cost changed (re-pricing). */
  addCostChange(c: { at: Date; workflow_id: string; step: string }, oldCost: string | null, newCost: string | null, isRepeat: boolean) {
    const r = this.row(c.at, c.workflow_id, c.step)
    const d = scaled(newCost) - scaled(oldCost)
    r.rerun_cost += d
    r.rerun_unpriced += BigInt(Number(newCost === null) - Number(oldCost === null))
    if (isRepeat) r.rerun_repeat_cost += d
  }

  /** Rows in key order (one lock order for concurrent upserts). */
  list(): TRerunDelta[] {
    return [...this.rows.entries()].sort(([a], [b]) => cmpId(a, b)).map(([, v]) => v)
  }
}

/** Hourly rows summed per UTC day, in key order; `hour` holds the day's start. */
export function rerunsPerDay(rows: readonly TRerunDelta[]): TRerunDelta[] {
  return sumPerDay(rows, (a, r) => {
    a.rerun_calls += r.rerun_calls
    a.rerun_cost += r.rerun_cost
    a.rerun_unpriced += r.rerun_unpriced
    a.rerun_repeat_cost += r.rerun_repeat_cost
  })
}

/**
 * The definition in SQL over the events (the reference of the integration test and
 * of the migration's backfill): the re-runs, with the columns a rollup row sums.
 * `$1` is the org id.
 */
export const RERUN_SQL = `
  SELECT x.org_id, x.event_id, x."timestamp", x.workflow_id, x.step, x.cost_usd, x.input_hash
  FROM inference_events x
  WHERE x.org_id = $1 AND x.run_id IS NOT NULL AND x.outcome NOT IN ('retry', 'error')
    AND EXISTS (
      SELECT 1 FROM inference_events s
      WHERE s.org_id = x.org_id AND s.run_id = x.run_id AND s.workflow_id = x.workflow_id AND s.step = x.step
        AND s.outcome = 'success'
        AND s."timestamp" >= x."timestamp" - interval '${RERUN_WINDOW_MS / 1000} seconds'
        AND (s."timestamp", s.event_id COLLATE "C") < (x."timestamp", x.event_id COLLATE "C"))`
