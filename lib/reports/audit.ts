// The quarterly audit: does a workflow's eval traffic cost what its production
// traffic costs? For each workflow, a sample of 100 production calls
// (traffic_source and environment production) in the quarter against a
// sample of 100 of its eval/replay calls: cost per call (mean, p50, p90), and
// a flag when the production mean differs from the eval mean by more than 2×
// either way — eval spend that does not predict production spend (an eval
// suite on another model, shorter fixtures, a step production skips).
//
// Sampling is deterministic and stratified by UTC day (eval and replay calls
// together on the eval side): each day of the quarter gets its share of the
// 100 in proportion to its calls (the daily rollups count them; largest
// remainder). Within a day the share goes to hours in proportion to their
// calls (the hourly rollups count them; systematic sampling from an md5 draw
// of the quarter, workflow, side and day), and an hour drawn m times gives m
// calls: its calls in time order from a fixed pseudo-random instant of the
// hour (md5 of the same and the hour), wrapping to the start of the hour,
// after skipping 0–9 of them (WALK_WINDOW). So a night call is drawn about as
// likely as a peak one (a walk from an instant uniform over the day favoured
// calls after a quiet spell: 24% of a bench sample in 00–06 UTC for 6.3% of
// the traffic, 6.0% now), and a day's share spreads over its busy hours.
// The same quarter always samples the same calls.
// Each walk is a forward walk of the (org_id, timestamp) index stopped after
// skip + m matches: no index of its own (one on workflow and hash cost every
// ingested event ~10–20 µs for a quarterly report). A walk reads about
// (skip + m) × (the hour's events ÷ the hour's calls of the stratum); the
// hourly counts are a primary-key lookup of rollups_hourly per workflow and hour.
// A sampled event standing for several calls (requests > 1, as an eval
// import's cost events do) counts as that many calls at its cost ÷ requests.
// Unpriced calls are left out (they have no cost to compare).
import 'server-only'
import { DAY_MS, EVAL_TRAFFIC_SOURCES, HOUR_MS, productionSql } from '@/lib/domain'
import { createHash } from 'node:crypto'
import { pool } from '@/lib/db'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { divRound, fromScaled, toScaled } from '@/lib/cost/money'
import { toCsv } from '@/lib/csv'
import { formatMultiple } from '@/lib/format'
import type { TAudit, TAuditQuery, TAuditRow, TCostStats, TSampledCall } from '@/lib/reports/schema'

export const AUDIT_SAMPLE_SIZE = 100
/** flagged beyond this ratio of mean cost per call, either way */
export const AUDIT_RATIO_LIMIT = 2

export { ZAuditQuery } from '@/lib/reports/schema'
export type { TAudit, TAuditQuery, TAuditRow, TCostStats, TSampledCall } from '@/lib/reports/schema'

/** [start, end) of a quarter (UTC); the current quarter by default. */
export function quarterRange(quarter: string): { from: number; to: number } {
  const y = Number(quarter.slice(0, 4))
  const q = Number(quarter.slice(6)) - 1
  return { from: Date.UTC(y, q * 3, 1), to: Date.UTC(y, q * 3 + 3, 1) }
}
export const quarterOf = (t: Date) => `${t.getUTCFullYear()}-Q${Math.floor(t.getUTCMonth() / 3) + 1}`

/** Cost-per-call statistics of a sample, exact (micro-dollars at 12 decimals inside, 6 out); quantiles by nearest rank over calls. */
export function costStats(sample: TSampledCall[]): TCostStats | null {
  if (!sample.length) return null
  const calls = sample.map((s) => ({ s, per: divRound(toScaled(s.cost_usd, 12), BigInt(Math.max(1, s.requests))), n: Math.max(1, s.requests) }))
  const total = calls.reduce((a, c) => a + c.n, 0)
  const sum = sample.reduce((a, s) => a + toScaled(s.cost_usd, 12), 0n)
  const sorted = [...calls].sort((a, b) => (a.per < b.per ? -1 : a.per > b.per ? 1 : 0))
  const quantile = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * total))
    let seen = 0
    for (const c of sorted) if ((seen += c.n) >= rank) return c.per
    return sorted.at(-1)!.per
  }
  const usd = (m12: bigint) => fromScaled(divRound(m12, 1_000_000n), 6)
  const group = (key: (s: TSampledCall) => string) => {
    const m = new Map<string, { calls: number; cost: bigint }>()
    for (const s of sample) {
      const g = m.get(key(s)) ?? { calls: 0, cost: 0n }
      m.set(key(s), { calls: g.calls + Math.max(1, s.requests), cost: g.cost + toScaled(s.cost_usd, 12) })
    }
    return [...m].sort((a, b) => b[1].calls - a[1].calls || a[0].localeCompare(b[0]))
  }
  return {
    events: sample.length,
    calls: total,
    mean_usd: usd(divRound(sum, BigInt(total))),
    p50_usd: usd(quantile(0.5)),
    p90_usd: usd(quantile(0.9)),
    min_usd: usd(sorted[0].per),
    max_usd: usd(sorted.at(-1)!.per),
    steps: group((s) => s.step).map(([step, g]) => ({ step, calls: g.calls, mean_usd: usd(divRound(g.cost, BigInt(g.calls))) })),
    models: group((s) => `${s.provider ?? '—'}/${s.model ?? '—'}`).map(([model, g]) => ({ model, calls: g.calls })),
  }
}

const ratioOf = (a: string, b: string) => (Number(b) > 0 ? Number(a) / Number(b) : null)
const fmt = (x: number) => formatMultiple(x, x >= 10 ? 0 : 1)

/** The verdict for one workflow from its two samples. */
export function auditRow(workflowId: string, productionCalls: number, evalCalls: number, prod: TSampledCall[], ev: TSampledCall[]): TAuditRow {
  const p = costStats(prod)
  const e = costStats(ev)
  const base = { workflow_id: workflowId, production_calls: productionCalls, eval_calls: evalCalls, production: p, eval: e }
  if (!p) return { ...base, ratio_mean: null, ratio_p50: null, flagged: false, status: 'no_production', finding: 'No priced production calls in the quarter.' }
  if (!e)
    return {
      ...base,
      ratio_mean: null,
      ratio_p50: null,
      flagged: false,
      status: 'no_eval',
      finding: 'No priced eval or replay calls in the quarter: nothing to compare with.',
    }
  const rMean = ratioOf(p.mean_usd, e.mean_usd)
  const rP50 = ratioOf(p.p50_usd, e.p50_usd)
  // an eval mean of $0 against a paid production call is "infinitely" apart
  const flagged = rMean === null ? Number(p.mean_usd) > 0 : rMean > AUDIT_RATIO_LIMIT || rMean < 1 / AUDIT_RATIO_LIMIT
  const evidence = `(mean $${p.mean_usd} vs $${e.mean_usd}; median $${p.p50_usd} vs $${e.p50_usd})`
  const finding =
    rMean === null
      ? `Eval calls cost $0 per call; production $${p.mean_usd}.`
      : rMean >= 0.95 && rMean <= 1.05
        ? `Production and eval cost about the same per call ${evidence}.`
        : `Production costs ${rMean >= 1 ? fmt(rMean) : fmt(1 / rMean)} ${rMean >= 1 ? 'more' : 'less'} per call than eval ${evidence}.`
  return {
    ...base,
    ratio_mean: rMean === null ? null : Number(rMean.toFixed(4)),
    ratio_p50: rP50 === null ? null : Number(rP50.toFixed(4)),
    flagged,
    status: flagged ? 'flagged' : 'within',
    finding,
  }
}

/**
 * `n` split across strata in proportion to their sizes, by largest remainder
 * (ties to the earlier stratum), in integers: every stratum whole when the
 * total is at most `n`.
 */
export function allocate(sizes: number[], n: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0)
  if (total <= n) return [...sizes]
  const out = sizes.map((s) => Math.floor((s * n) / total))
  let left = n - out.reduce((a, b) => a + b, 0)
  const order = sizes.map((s, i) => ({ i, r: s * n - out[i] * total })).sort((a, b) => b.r - a.r || a.i - b.i)
  for (const { i } of order) {
    if (left-- <= 0) break
    out[i]++
  }
  return out
}

export type TSide = 'production' | 'eval'
/** A day of a workflow's production or eval (eval and replay) sample, and its share `n` of it. */
export type TStratum = { workflow_id: string; side: TSide; day: string; n: number }
type TSampleRow = {
  workflow_id: string
  event_id: string
  timestamp: Date
  traffic_source: string
  environment: string
  step: string
  provider: string | null
  model: string | null
  requests: number
  cost_usd: string
}

const TWO_32 = 2n ** 32n
/**
 * A walk in an hour skips 0 … this − 1 calls after its start instant before
 * taking its calls. The first call after an instant is drawn in proportion to
 * the quiet time before it: a run's first step (its retrieval, say) nearly
 * always, its later steps, seconds behind, almost never. After a skip of up to
 * 10 calls, a call's chance follows the time spanned by the 10 calls before
 * it, about the same for every step of a run.
 */
export const WALK_WINDOW = 10

/** The first 32 bits of md5(text): SQL recomputes it (the tests do). */
const md5u32 = (text: string) => createHash('md5').update(text).digest().readUInt32BE(0)
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * A stratum's draw, the first 32 bits of md5("quarter|workflow|side|YYYY-MM-DD")
 * (side: production or eval): its offset in the day's calls, and where its
 * walk starts when the day has no hourly counts (day + draw mod 24 h, to the millisecond).
 */
export const stratumDraw = (quarter: string, s: Pick<TStratum, 'workflow_id' | 'side' | 'day'>) =>
  md5u32(`${quarter}|${s.workflow_id}|${s.side}|${dateOf(Date.parse(s.day))}`)
export const stratumStart = (quarter: string, s: Pick<TStratum, 'workflow_id' | 'side' | 'day'>) =>
  new Date(Date.parse(s.day) + (stratumDraw(quarter, s) % DAY_MS))

/**
 * Where a walk in an hour starts, and how many calls it skips first, from
 * md5("quarter|workflow|side|YYYY-MM-DDTHH"): hour + its first 32 bits mod 1 h
 * (to the millisecond), and its next 32 bits mod WALK_WINDOW.
 */
export function hourWalk(quarter: string, s: Pick<TStratum, 'workflow_id' | 'side'>, hour: number): { start: Date; skip: number } {
  const h = createHash('md5')
    .update(`${quarter}|${s.workflow_id}|${s.side}|${new Date(hour).toISOString().slice(0, 13)}`)
    .digest()
  return { start: new Date(hour + (h.readUInt32BE(0) % HOUR_MS)), skip: h.readUInt32BE(4) % WALK_WINDOW }
}

/**
 * A day's share `n` spread over its hours in proportion to their calls:
 * systematic sampling of the day's calls laid end to end in hour order, at
 * positions (j + draw ÷ 2³²) × calls ÷ n for j = 0 … n−1 (exact, in integers);
 * an hour gets the positions that fall among its calls (at most its calls, at
 * least ⌊n × its calls ÷ the day's⌋). So an hour is drawn with probability
 * proportional to its calls, and a busy day's share spreads over its busy hours.
 */
export function hourShares(calls: number[], n: number, draw: number): number[] {
  const total = BigInt(calls.reduce((a, b) => a + b, 0))
  if (total === 0n || n <= 0) return calls.map(() => 0)
  const k = BigInt(n)
  const v = BigInt(draw) * total
  // positions j with (j·2³² + draw)·total < x·n·2³²
  const before = (x: bigint) => {
    const num = x * k * TWO_32 - v
    if (num <= 0n) return 0n
    const c = (num + TWO_32 * total - 1n) / (TWO_32 * total)
    return c > k ? k : c
  }
  let cum = 0n
  return calls.map((c) => {
    const from = before(cum)
    cum += BigInt(c)
    return Number(before(cum) - from)
  })
}

/**
 * One walk of the sample: the workflow's calls in [lo, hi) in time order from
 * `start`, wrapping to `lo`; it skips `skip` calls and takes the next `n` (the
 * last `n` when fewer follow).
 */
export type TWalk = { workflow_id: string; lo: Date; start: Date; hi: Date; skip: number; n: number }

/**
 * A stratum's walks from its day's priced calls per hour (`hours`: hour start
 * ms → calls; the hourly rollups): one per hour drawn (hourShares), within that
 * hour from its start instant, wrapping to the start of the hour. Walks of
 * different hours never meet, so the sample has no repeats. A day without
 * hourly counts is one walk of the whole day from stratumStart, skipping none.
 */
export function stratumWalks(quarter: string, s: TStratum, hours: Map<number, number>): TWalk[] {
  if (s.n <= 0) return []
  const day = Date.parse(s.day)
  const at = Array.from({ length: 24 }, (_, h) => day + h * HOUR_MS)
  const calls = at.map((h) => hours.get(h) ?? 0)
  if (!calls.some((c) => c > 0))
    return [{ workflow_id: s.workflow_id, lo: new Date(day), start: stratumStart(quarter, s), hi: new Date(day + DAY_MS), skip: 0, n: s.n }]
  const shares = hourShares(calls, s.n, stratumDraw(quarter, s))
  return at.flatMap((h, i) =>
    shares[i] > 0 ? [{ workflow_id: s.workflow_id, lo: new Date(h), ...hourWalk(quarter, s, h), hi: new Date(h + HOUR_MS), n: shares[i] }] : [],
  )
}

const sideMatch = (side: TSide, e: string) =>
  side === 'production' ? productionSql(e) : `${e}.traffic_source IN (${EVAL_TRAFFIC_SOURCES.map((x) => `'${x}'`).join(', ')})`

/**
 * Priced calls per hour of the strata's days, from the hourly rollups: one
 * primary-key lookup per workflow, hour, environment and traffic source
 * ($2 workflows × $3 hours; $4 the side's environments, $5 its traffic sources).
 */
async function hourlyCalls(orgId: string, side: TSide, strata: TStratum[], environments: string[]): Promise<Map<string, Map<number, number>>> {
  const keys = strata.flatMap((s) => Array.from({ length: 24 }, (_, h) => [s.workflow_id, new Date(Date.parse(s.day) + h * HOUR_MS)] as const))
  const { rows } = await pool().query<{ workflow_id: string; hour: Date; calls: number }>(
    `SELECT p.workflow_id, p.hour, r.calls FROM unnest($2::text[], $3::timestamptz[]) AS p(workflow_id, hour)
     CROSS JOIN LATERAL (SELECT sum(h.events - h.unpriced_events)::int AS calls FROM rollups_hourly h
       WHERE h.org_id = $1 AND h.hour = p.hour AND h.environment = ANY($4::text[]) AND h.traffic_source = ANY($5::text[]) AND h.workflow_id = p.workflow_id) r
     WHERE r.calls > 0`,
    [orgId, keys.map((k) => k[0]), keys.map((k) => k[1]), environments, side === 'production' ? ['production'] : [...EVAL_TRAFFIC_SOURCES]],
  )
  const out = new Map<string, Map<number, number>>()
  for (const r of rows) {
    const m = out.get(r.workflow_id) ?? new Map<number, number>()
    out.set(r.workflow_id, m.set(r.hour.getTime(), r.calls))
  }
  return out
}

/**
 * The sample query: each walk reads the first skip + n priced calls from its
 * start in (timestamp, event_id) order up to its end, then from its beginning
 * if fewer follow, and keeps the last n of them. The (org_id, timestamp)
 * index walked forward, each branch stopped after skip + n matches (the second
 * runs only when the first falls short). One query per side (the walks of one
 * side): eval and replay walk together.
 * Exported for its EXPLAIN in the integration test; $2…$7 from sampleParams.
 */
export function sampleSql(side: TSide): string {
  const match = `e.org_id = $1 AND e.workflow_id = p.workflow_id AND e.cost_usd IS NOT NULL AND ${sideMatch(side, 'e')}`
  const cols = 'e.event_id, e.timestamp, e.traffic_source, e.environment, e.step, e.provider, e.model, e.requests, e.cost_usd'
  return `SELECT p.workflow_id, s.event_id, s.timestamp, s.traffic_source, s.environment, s.step, s.provider, s.model, s.requests, s.cost_usd::text AS cost_usd
     FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::int[]) AS p(workflow_id, lo, start, hi, skip, n)
     CROSS JOIN LATERAL (
       SELECT * FROM (
         (SELECT 0 AS part, ${cols} FROM inference_events e
          WHERE ${match} AND e.timestamp >= p.start AND e.timestamp < p.hi
          ORDER BY e.timestamp, e.event_id LIMIT p.skip + p.n)
         UNION ALL
         (SELECT 1 AS part, ${cols} FROM inference_events e
          WHERE ${match} AND e.timestamp >= p.lo AND e.timestamp < p.start
          ORDER BY e.timestamp, e.event_id LIMIT p.skip + p.n)
         LIMIT p.skip + p.n
       ) w ORDER BY w.part DESC, w.timestamp DESC, w.event_id DESC LIMIT p.n
     ) s`
}

/** The parameters of sampleSql for these walks. */
export const sampleParams = (orgId: string, walks: TWalk[]) => [
  orgId,
  walks.map((w) => w.workflow_id),
  walks.map((w) => w.lo),
  walks.map((w) => w.start),
  walks.map((w) => w.hi),
  walks.map((w) => w.skip),
  walks.map((w) => w.n),
]

async function sampleCalls(orgId: string, quarter: string, side: TSide, strata: TStratum[], environments: string[]): Promise<TSampleRow[]> {
  const take = strata.filter((s) => s.n > 0)
  if (!take.length) return []
  const hourly = await hourlyCalls(orgId, side, take, environments)
  const walks = take.flatMap((s) => stratumWalks(quarter, s, hourly.get(s.workflow_id) ?? new Map()))
  return (await pool().query<TSampleRow>(sampleSql(side), sampleParams(orgId, walks))).rows
}

const toCall = (r: TSampleRow): TSampledCall => ({
  event_id: r.event_id,
  timestamp: r.timestamp.toISOString(),
  traffic_source: r.traffic_source,
  environment: r.environment,
  step: r.step,
  provider: r.provider,
  model: r.model,
  requests: r.requests,
  cost_usd: r.cost_usd,
})
const byTime = (a: TSampledCall, b: TSampledCall) =>
  a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0

/** A sample's strata (one per day) with their shares of it, from per-day priced call counts. */
export function strata(workflowId: string, side: TSide, counts: { day: string; calls: number }[], n: number): TStratum[] {
  const sorted = [...counts].filter((c) => c.calls > 0).sort((a, b) => a.day.localeCompare(b.day))
  const shares = allocate(
    sorted.map((c) => c.calls),
    n,
  )
  return sorted.map((c, i) => ({ workflow_id: workflowId, side, day: c.day, n: shares[i] }))
}

/** The audit of a quarter: every workflow with production or eval traffic in it, flagged first. */
export async function quarterlyAudit(orgId: string, q: Pick<TAuditQuery, 'quarter'>, opts: { samples?: boolean } = {}, now = new Date()): Promise<TAudit> {
  const quarter = q.quarter ?? quarterOf(now)
  const range = quarterRange(quarter)
  const from = new Date(range.from)
  const to = new Date(range.to)
  // priced calls per workflow, side and day (the daily rollups: cheap)
  const { rows } = await queryMetrics(orgId, {
    ...ZMetricsQuery.parse({}),
    from,
    to,
    granularity: 'day',
    group_by: ['workflow_id', 'traffic_source', 'environment'],
    traffic_source: ['production', ...EVAL_TRAFFIC_SOURCES],
    limit: 100_000,
  })
  const counts = new Map<string, { production: Map<string, number>; eval: Map<string, number> }>()
  const evalEnvironments = new Set<string>()
  for (const r of rows) {
    const priced = r.events - r.unpriced_events
    if (!r.workflow_id || priced <= 0) continue
    const c = counts.get(r.workflow_id) ?? { production: new Map<string, number>(), eval: new Map<string, number>() }
    counts.set(r.workflow_id, c)
    const isEval = (EVAL_TRAFFIC_SOURCES as readonly string[]).includes(r.traffic_source ?? '')
    if (isEval) evalEnvironments.add(r.environment ?? '')
    if (!isEval && r.environment !== 'production') continue
    const side = isEval ? c.eval : c.production
    side.set(r.bucket!, (side.get(r.bucket!) ?? 0) + priced)
  }
  const list = (m: Map<string, number>) => [...m].map(([day, calls]) => ({ day, calls }))
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)
  const workflows = [...counts]
    .filter(([, c]) => c.production.size > 0 || c.eval.size > 0)
    .map(([w]) => w)
    .sort()
  const [prod, ev] = await Promise.all([
    sampleCalls(
      orgId,
      quarter,
      'production',
      workflows.flatMap((w) => strata(w, 'production', list(counts.get(w)!.production), AUDIT_SAMPLE_SIZE)),
      ['production'],
    ),
    sampleCalls(
      orgId,
      quarter,
      'eval',
      workflows.flatMap((w) => strata(w, 'eval', list(counts.get(w)!.eval), AUDIT_SAMPLE_SIZE)),
      [...evalEnvironments],
    ),
  ])
  const samples: NonNullable<TAudit['samples']> = {}
  for (const w of workflows) samples[w] = { production: [], eval: [] }
  for (const r of prod) samples[r.workflow_id].production.push(toCall(r))
  for (const r of ev) samples[r.workflow_id].eval.push(toCall(r))
  for (const w of workflows) {
    samples[w].production.sort(byTime)
    samples[w].eval.sort(byTime)
  }
  const order = { flagged: 0, within: 1, no_eval: 2, no_production: 3 }
  const out = workflows
    .map((w) => auditRow(w, total(counts.get(w)!.production), total(counts.get(w)!.eval), samples[w].production, samples[w].eval))
    .sort(
      (a, b) =>
        order[a.status] - order[b.status] ||
        Math.abs(Math.log(b.ratio_mean ?? 1)) - Math.abs(Math.log(a.ratio_mean ?? 1)) ||
        a.workflow_id.localeCompare(b.workflow_id),
    )
  return {
    quarter,
    from: from.toISOString(),
    to: to.toISOString(),
    sample_size: AUDIT_SAMPLE_SIZE,
    ratio_limit: AUDIT_RATIO_LIMIT,
    workflows: out,
    ...(opts.samples ? { samples } : {}),
  }
}

/** One line per workflow: the verdict and both samples' statistics. */
export function auditCsv(a: TAudit): string {
  return toCsv([
    [
      'quarter',
      'workflow_id',
      'status',
      'ratio_mean',
      'ratio_p50',
      'production_calls_in_quarter',
      'production_sampled_calls',
      'production_mean_usd',
      'production_p50_usd',
      'production_p90_usd',
      'eval_calls_in_quarter',
      'eval_sampled_calls',
      'eval_mean_usd',
      'eval_p50_usd',
      'eval_p90_usd',
      'finding',
    ],
    ...a.workflows.map((r) => [
      a.quarter,
      r.workflow_id,
      r.status,
      r.ratio_mean,
      r.ratio_p50,
      r.production_calls,
      r.production?.calls ?? 0,
      r.production?.mean_usd,
      r.production?.p50_usd,
      r.production?.p90_usd,
      r.eval_calls,
      r.eval?.calls ?? 0,
      r.eval?.mean_usd,
      r.eval?.p50_usd,
      r.eval?.p90_usd,
      r.finding,
    ]),
  ])
}

/** The evidence: every sampled call, with its cost per call. */
export function auditSamplesCsv(a: TAudit): string {
  const lines: (string | number | null)[][] = [
    [
      'quarter',
      'workflow_id',
      'sample',
      'event_id',
      'timestamp',
      'traffic_source',
      'environment',
      'step',
      'provider',
      'model',
      'requests',
      'cost_usd',
      'cost_per_call_usd',
    ],
  ]
  for (const [w, s] of Object.entries(a.samples ?? {})) {
    for (const [side, calls] of [
      ['production', s.production],
      ['eval', s.eval],
    ] as const) {
      for (const c of calls) {
        lines.push([
          a.quarter,
          w,
          side,
          c.event_id,
          c.timestamp,
          c.traffic_source,
          c.environment,
          c.step,
          c.provider,
          c.model,
          c.requests,
          fromScaled(toScaled(c.cost_usd, 6), 6),
          fromScaled(divRound(toScaled(c.cost_usd, 12), BigInt(Math.max(1, c.requests)) * 1_000_000n), 6),
        ])
      }
    }
  }
  return toCsv(lines)
}
