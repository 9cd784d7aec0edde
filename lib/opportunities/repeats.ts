import { toScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import { isWasteOutcome } from '@/lib/domain'
import { dayOf, hourOf } from '@/lib/rollups/tables'

// Repeated inputs (the response_cache opportunity), the pure part: which new
// calls repeat an input their workflow step already saw, and how the hourly
// repeat rollup moves. The ingest worker applies it in its batch transaction
// (lib/opportunities/repeats-db.ts).
//
// Definition (the one the integration test checks against SQL over the events):
// per (workflow_id, step, input_hash), the earliest call by (timestamp, event id)
// is the input's first call; every other call of it is a repeat, counted in the
// hour of its own timestamp. "Earlier" is at any time, not only inside a read's
// range: a range's first call of an input seen before the range counts as a
// repeat (the cache would have been warm).

/** A new call that carries an input_hash. */
export type TRepeatCall = {
  event_id: string
  at: Date
  workflow_id: string
  step: string
  input_hash: string
  output_hash: string | null
  cost_usd: string | null
  outcome: string
}

/** An input's first call, as stored in input_hashes. */
export type TFirstCall = {
  workflow_id: string
  step: string
  input_hash: string
  first_at: Date
  first_event_id: string
  first_output_hash: string | null
}

/** What a rollup row (hour, workflow, step) moves by. */
export type TRepeatDelta = {
  hour: string
  workflow_id: string
  step: string
  repeat_calls: bigint
  /** scaled by COST_SCALE */
  repeat_cost: bigint
  repeat_unpriced: bigint
  output_compared: bigint
  output_matched: bigint
  /** the repeats' cost whose outcome is retry or error (also counted by the retries opportunity) */
  waste_repeat_cost: bigint
  first_calls: bigint
}

export const inputKey = (x: { workflow_id: string; step: string; input_hash: string }) => JSON.stringify([x.workflow_id, x.step, x.input_hash])

/** Code-unit order of event ids (PostgreSQL: COLLATE "C" for ASCII ids). */
export const cmpId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
/** Earlier call first: timestamp, then event id. */
export const callOrder = (a: { at: Date; event_id: string }, b: { at: Date; event_id: string }) =>
  a.at.getTime() - b.at.getTime() || cmpId(a.event_id, b.event_id)

const scaled = (v: string | null) => (v === null ? 0n : toScaled(v, COST_SCALE))

export class RepeatDeltas {
  private rows = new Map<string, TRepeatDelta>()

  private row(at: Date, workflow_id: string, step: string): TRepeatDelta {
    const hour = hourOf(at.toISOString())
    const key = JSON.stringify([hour, workflow_id, step])
    let r = this.rows.get(key)
    if (!r) {
      r = {
        hour,
        workflow_id,
        step,
        repeat_calls: 0n,
        repeat_cost: 0n,
        repeat_unpriced: 0n,
        output_compared: 0n,
        output_matched: 0n,
        waste_repeat_cost: 0n,
        first_calls: 0n,
      }
      this.rows.set(key, r)
    }
    return r
  }

  /** `call` repeats an input whose first call returned `firstOutput`. */
  addRepeat(
    call: { at: Date; workflow_id: string; step: string; output_hash: string | null; cost_usd: string | null; outcome: string },
    firstOutput: string | null,
  ) {
    const r = this.row(call.at, call.workflow_id, call.step)
    r.repeat_calls += 1n
    if (call.cost_usd === null) r.repeat_unpriced += 1n
    r.repeat_cost += scaled(call.cost_usd)
    if (isWasteOutcome(call.outcome)) r.waste_repeat_cost += scaled(call.cost_usd)
    if (call.output_hash !== null && firstOutput !== null) {
      r.output_compared += 1n
      if (call.output_hash === firstOutput) r.output_matched += 1n
    }
  }

  addFirst(at: Date, workflow_id: string, step: string, n: 1n | -1n) {
    this.row(at, workflow_id, step).first_calls += n
  }

  /** A repeat's cost changed (re-pricing). */
  addCostChange(call: { at: Date; workflow_id: string; step: string; outcome: string }, oldCost: string | null, newCost: string | null) {
    const r = this.row(call.at, call.workflow_id, call.step)
    const d = scaled(newCost) - scaled(oldCost)
    r.repeat_cost += d
    r.repeat_unpriced += BigInt(Number(newCost === null) - Number(oldCost === null))
    if (isWasteOutcome(call.outcome)) r.waste_repeat_cost += d
  }

  /** Rows in key order: one lock order for concurrent upserts. */
  list(): TRepeatDelta[] {
    return [...this.rows.entries()].sort(([a], [b]) => cmpId(a, b)).map(([, v]) => v)
  }
}

/** The plan for one batch: the rollup deltas, the inputs whose first call moved earlier, and the displaced first calls. */
export type TRepeatPlan = {
  deltas: RepeatDeltas
  /** input_hashes rows to set to a new (earlier) first call */
  moved: TFirstCall[]
  /** first calls that a new, earlier call displaced: they become repeats (their cost is read from the event) */
  displaced: { old: TFirstCall; by: TRepeatCall }[]
}

/**
 * `firsts`: the current first call of every input of `calls` (locked by the caller); for an input seen for the
 * first time it is the batch's earliest call of it, just inserted.
 */
export function planRepeats(firsts: TFirstCall[], calls: TRepeatCall[]): TRepeatPlan {
  const byKey = new Map<string, TRepeatCall[]>()
  for (const c of calls) {
    const k = inputKey(c)
    const list = byKey.get(k)
    if (list) list.push(c)
    else byKey.set(k, [c])
  }
  const deltas = new RepeatDeltas()
  const moved: TFirstCall[] = []
  const displaced: TRepeatPlan['displaced'] = []
  for (const f of firsts) {
    const batch = (byKey.get(inputKey(f)) ?? []).sort(callOrder)
    if (batch.length === 0) continue
    const earliest = batch[0]
    const current = { at: f.first_at, event_id: f.first_event_id }
    let first: { output: string | null }
    let repeats: TRepeatCall[]
    if (earliest.event_id === f.first_event_id) {
      // a new input: its earliest call in this batch was just stored as its first
      deltas.addFirst(earliest.at, f.workflow_id, f.step, 1n)
      first = { output: earliest.output_hash }
      repeats = batch.slice(1)
    } else if (callOrder(earliest, current) < 0) {
      // a call older than the input's first arrived late: it becomes the first, the old first a repeat
      deltas.addFirst(earliest.at, f.workflow_id, f.step, 1n)
      deltas.addFirst(f.first_at, f.workflow_id, f.step, -1n)
      displaced.push({ old: f, by: earliest })
      moved.push({ ...f, first_at: earliest.at, first_event_id: earliest.event_id, first_output_hash: earliest.output_hash })
      first = { output: earliest.output_hash }
      repeats = batch.slice(1)
    } else {
      first = { output: f.first_output_hash }
      repeats = batch
    }
    for (const r of repeats) deltas.addRepeat(r, first.output)
  }
  return { deltas, moved, displaced }
}

/** The displaced first calls, now repeats, with their stored cost and outcome. */
export function addDisplaced(plan: TRepeatPlan, stored: Map<string, { cost_usd: string | null; outcome: string }>): void {
  for (const { old, by } of plan.displaced) {
    const e = stored.get(old.first_event_id)
    if (!e) throw new Error(`input_hashes names event ${old.first_event_id}, which is not stored`)
    plan.deltas.addRepeat(
      { at: old.first_at, workflow_id: old.workflow_id, step: old.step, output_hash: old.first_output_hash, cost_usd: e.cost_usd, outcome: e.outcome },
      by.output_hash,
    )
  }
}

/** Hourly rows of a workflow-step rollup summed per UTC day, in key order (`add` sums one row's measures into another); `hour` holds the day's start. */
export function sumPerDay<T extends { hour: string; workflow_id: string; step: string }>(rows: readonly T[], add: (into: T, row: T) => void): T[] {
  const map = new Map<string, T>()
  for (const r of rows) {
    const day = dayOf(r.hour)
    const key = JSON.stringify([day, r.workflow_id, r.step])
    const a = map.get(key)
    if (a) add(a, r)
    else map.set(key, { ...r, hour: day })
  }
  return [...map.entries()].sort(([a], [b]) => cmpId(a, b)).map(([, v]) => v)
}

/** Hourly rows summed per UTC day (rollups_daily_repeats), in key order; `hour` holds the day's start. */
export function perDay(rows: TRepeatDelta[]): TRepeatDelta[] {
  return sumPerDay(rows, (a, r) => {
    a.repeat_calls += r.repeat_calls
    a.repeat_cost += r.repeat_cost
    a.repeat_unpriced += r.repeat_unpriced
    a.output_compared += r.output_compared
    a.output_matched += r.output_matched
    a.waste_repeat_cost += r.waste_repeat_cost
    a.first_calls += r.first_calls
  })
}
