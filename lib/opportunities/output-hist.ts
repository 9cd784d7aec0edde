import type { TOutputStep } from '@/lib/opportunities/estimate'
import { UNCAPPED_CAP_FACTOR } from '@/lib/opportunities/estimate'

// Output sizes per workflow step without the raw events (the uncapped_output
// opportunity): the ingest worker keeps, per step, model and max_tokens and per
// hour and day, a histogram of the calls' output tokens (rollups_*_outputs,
// lib/opportunities/output-hist-db.ts). This file is its pure part: the buckets,
// and the step's percentiles and the uncapped calls' excess read from them.
//
// Buckets: every output size below 16 tokens exactly, then 8 per doubling (each
// about 9% wide) up to 2^24 tokens, the last open-ended. A percentile is read
// within its bucket assuming the calls spread evenly across it: exact below 16
// tokens, above within one bucket's width (about 9%) of the exact value, and
// closer when many calls fill the bucket.

const EXACT_BELOW = 16
const PER_DOUBLING = 8
const DOUBLINGS = 20

/** Each bucket's lowest output size, ascending: what `width_bucket(tokens_out, OUTPUT_BUCKET_LOWS) - 1` reads in SQL. */
export const OUTPUT_BUCKET_LOWS: readonly number[] = (() => {
  const out: number[] = []
  for (let v = 0; v < EXACT_BELOW; v++) out.push(v)
  for (let k = 0; k <= PER_DOUBLING * DOUBLINGS; k++) {
    const lo = Math.round(EXACT_BELOW * 2 ** (k / PER_DOUBLING))
    if (lo > out[out.length - 1]) out.push(lo)
  }
  return out
})()

/** The bucket (0-based) of an output size: the last whose low is ≤ it. */
export function outputBucket(tokensOut: number): number {
  let lo = 0
  let hi = OUTPUT_BUCKET_LOWS.length - 1
  const v = Math.max(0, Math.floor(tokensOut))
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (OUTPUT_BUCKET_LOWS[mid] <= v) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** The SQL of a row's bucket index (1-based, as a PostgreSQL array subscript). */
export const OUTPUT_BUCKET_SQL = (column: string) => `width_bucket(${column}, ARRAY[${OUTPUT_BUCKET_LOWS.join(',')}]::int8[])`

/** A bucket's output sizes [low, high): the last one is as wide as the one before it (its calls' max bounds it when known). */
function bounds(i: number): [number, number] {
  const lo = OUTPUT_BUCKET_LOWS[i]
  const next = OUTPUT_BUCKET_LOWS[i + 1] ?? lo + (lo - (OUTPUT_BUCKET_LOWS[i - 1] ?? 0))
  return [lo, next]
}

/** A histogram: counts per bucket, index = bucket (trailing buckets may be absent). */
export type THist = readonly number[]

export function addHist(a: number[], b: THist): number[] {
  for (let i = 0; i < b.length; i++) a[i] = (a[i] ?? 0) + (b[i] ?? 0)
  return a
}

/**
 * The q-quantile's output size (percentile_disc's rank: the ⌈q·n⌉-th smallest),
 * read within its bucket linearly, rounded to a token; capped by the calls' max.
 */
export function histQuantile(hist: THist, q: number, max: number): number {
  const n = hist.reduce((s, c) => s + (c ?? 0), 0)
  if (n === 0) return 0
  const rank = Math.max(1, Math.ceil(q * n))
  let seen = 0
  for (let i = 0; i < hist.length; i++) {
    const c = hist[i] ?? 0
    if (c === 0) continue
    if (seen + c >= rank) {
      const [lo, hi] = bounds(i)
      if (hi - lo <= 1) return Math.min(lo, max)
      // the k-th of c calls spread evenly over [lo, hi)
      const k = rank - seen
      return Math.min(Math.round(lo + ((hi - lo) * (k - 0.5)) / c), max)
    }
    seen += c
  }
  return max
}

/** Calls above `cut` and their output beyond it, read from the buckets (the part of a bucket above `cut` pro rata). */
export function histAbove(hist: THist, cut: number, max: number): { calls: number; excess: number } {
  let calls = 0
  let excess = 0
  for (let i = 0; i < hist.length; i++) {
    const c = hist[i] ?? 0
    if (c === 0) continue
    let [lo, hi] = bounds(i)
    hi = Math.min(hi, max + 1)
    if (hi <= cut + 1) continue
    if (hi - lo <= 1) {
      if (lo > cut) {
        calls += c
        excess += c * (lo - cut)
      }
      continue
    }
    // the calls spread evenly over [lo, hi): those above cut, and their mean
    const from = Math.max(lo, cut + 1)
    const share = (hi - from) / (hi - lo)
    const n = c * share
    calls += n
    excess += n * ((from + hi - 1) / 2 - cut)
  }
  return { calls: Math.round(calls), excess: Math.round(excess) }
}

/** One rollup row, summed over the range: a step's calls on one model with one max_tokens (0: none). */
export type TOutputRow = {
  workflow_id: string
  step: string
  provider: string | null
  model: string | null
  max_tokens: number
  calls: number
  max: number
  hist: THist
}

/** Calls → their histogram rows per step, model and max_tokens (0: none): the reference the tests build from the events. */
export function outputRowsOf(
  calls: readonly { workflow_id: string; step: string; provider: string | null; model: string | null; max_tokens: number | null; tokens_out: number }[],
): TOutputRow[] {
  const rows = new Map<string, TOutputRow & { hist: number[] }>()
  for (const c of calls) {
    const key = { workflow_id: c.workflow_id, step: c.step, provider: c.provider, model: c.model, max_tokens: c.max_tokens ?? 0 }
    const k = JSON.stringify(Object.values(key))
    let r = rows.get(k)
    if (!r) {
      r = { ...key, calls: 0, max: 0, hist: [] }
      rows.set(k, r)
    }
    r.calls++
    r.max = Math.max(r.max, c.tokens_out)
    const b = outputBucket(c.tokens_out)
    while (r.hist.length <= b) r.hist.push(0)
    r.hist[b]++
  }
  return [...rows.values()]
}

/** The steps' output sizes (what outputSizes answered from the raw events), from the histogram rows. */
export function outputStepsFromHists(rows: readonly TOutputRow[]): TOutputStep[] {
  const steps = new Map<string, TOutputRow[]>()
  for (const r of rows) {
    const k = JSON.stringify([r.workflow_id, r.step])
    const l = steps.get(k)
    if (l) l.push(r)
    else steps.set(k, [r])
  }
  const out: TOutputStep[] = []
  for (const list of steps.values()) {
    const all = list.reduce((h, r) => addHist(h, r.hist), [] as number[])
    const max = Math.max(...list.map((r) => r.max))
    const p95 = histQuantile(all, 0.95, max)
    const models = new Map<string, TOutputStep['models'][number]>()
    for (const r of list) {
      const k = JSON.stringify([r.provider, r.model])
      let m = models.get(k)
      if (!m) {
        m = { provider: r.provider, model: r.model, calls: 0, no_cap_calls: 0, uncapped_calls: 0, over_p95_calls: 0, excess_tokens_out: 0 }
        models.set(k, m)
      }
      m.calls += r.calls
      const uncapped = r.max_tokens === 0 || r.max_tokens > UNCAPPED_CAP_FACTOR * p95
      if (r.max_tokens === 0) m.no_cap_calls += r.calls
      if (!uncapped) continue
      m.uncapped_calls += r.calls
      const above = histAbove(r.hist, p95, r.max)
      m.over_p95_calls += above.calls
      m.excess_tokens_out += above.excess
    }
    out.push({
      workflow_id: list[0].workflow_id,
      step: list[0].step,
      calls: list.reduce((s, r) => s + r.calls, 0),
      p50: histQuantile(all, 0.5, max),
      p95,
      p99: histQuantile(all, 0.99, max),
      max,
      models: [...models.values()].sort((a, b) => `${a.provider}/${a.model}`.localeCompare(`${b.provider}/${b.model}`)),
    })
  }
  return out.sort((a, b) => (a.workflow_id === b.workflow_id ? a.step.localeCompare(b.step) : a.workflow_id.localeCompare(b.workflow_id)))
}
