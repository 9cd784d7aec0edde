// The quarterly audit: does a workflow's eval traffic cost what its production
// traffic costs? For each workflow, a sample of 100 production calls
// (traffic_source and environment production) in the quarter against a
// sample of 100 of its eval/replay calls: cost per call (mean, p50, p90), and
// a flag when the production mean differs from the eval mean by more than 2×
// either way — eval spend that does not predict production spend (an eval
// suite on another model, shorter fixtures, a step production skips).
//
// Sampling is deterministic: calls in the order of hashtext(event_id), a
// pseudo-random order fixed per call, so the same quarter always samples the
// same calls. The index inference_events_sample_idx is keyed on that hash per
// workflow and traffic source: a sample reads the first few hundred rows of an
// index range, not every call of the quarter (inference_events is big).
// A sampled event standing for several calls (requests > 1, as an eval
// import's cost events do) counts as that many calls at its cost ÷ requests.
// Unpriced calls are left out (they have no cost to compare).
import { z } from 'zod'
import { pool } from '@/lib/db'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { divRound, fromScaled, toScaled } from '@/lib/cost/money'
import { toCsv } from '@/lib/csv'

export const AUDIT_SAMPLE_SIZE = 100
/** flagged beyond this ratio of mean cost per call, either way */
export const AUDIT_RATIO_LIMIT = 2
const EVAL_SOURCES = ['eval', 'replay'] as const

export const ZAuditQuery = z.strictObject({
  quarter: z.string({ error: 'must be a quarter, YYYY-Qn' }).regex(/^\d{4}-Q[1-4]$/, 'must be a quarter, YYYY-Qn (e.g. 2026-Q4)').optional(),
  format: z.enum(['json', 'csv', 'samples_csv'], { error: 'must be json, csv or samples_csv' }).default('json'),
})
export type TAuditQuery = z.infer<typeof ZAuditQuery>

export type TSampledCall = { event_id: string; timestamp: string; traffic_source: string; environment: string; step: string; provider: string | null; model: string | null; requests: number; cost_usd: string; hash: number }

export type TCostStats = {
  /** sampled events, and the calls they stand for (Σ requests) */
  events: number
  calls: number
  /** cost per call, USD, 6 decimals */
  mean_usd: string
  p50_usd: string
  p90_usd: string
  min_usd: string
  max_usd: string
  /** calls and mean cost per call by step, most calls first */
  steps: { step: string; calls: number; mean_usd: string }[]
  /** calls by provider/model, most first */
  models: { model: string; calls: number }[]
}

export type TAuditRow = {
  workflow_id: string
  /** priced events (calls; an eval import's event may stand for several) in the quarter, from the rollups */
  production_calls: number
  eval_calls: number
  production: TCostStats | null
  eval: TCostStats | null
  /** production ÷ eval */
  ratio_mean: number | null
  ratio_p50: number | null
  flagged: boolean
  status: 'flagged' | 'within' | 'no_eval' | 'no_production'
  finding: string
}

export type TAudit = {
  quarter: string
  from: string
  to: string
  sample_size: number
  ratio_limit: number
  workflows: TAuditRow[]
  /** with samples: the sampled calls per workflow */
  samples?: Record<string, { production: TSampledCall[]; eval: TSampledCall[] }>
}

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
    events: sample.length, calls: total,
    mean_usd: usd(divRound(sum, BigInt(total))), p50_usd: usd(quantile(0.5)), p90_usd: usd(quantile(0.9)),
    min_usd: usd(sorted[0].per), max_usd: usd(sorted.at(-1)!.per),
    steps: group((s) => s.step).map(([step, g]) => ({ step, calls: g.calls, mean_usd: usd(divRound(g.cost, BigInt(g.calls))) })),
    models: group((s) => `${s.provider ?? '—'}/${s.model ?? '—'}`).map(([model, g]) => ({ model, calls: g.calls })),
  }
}

const ratioOf = (a: string, b: string) => (Number(b) > 0 ? Number(a) / Number(b) : null)
const fmt = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`

/** The verdict for one workflow from its two samples. */
export function auditRow(workflowId: string, productionCalls: number, evalCalls: number, prod: TSampledCall[], ev: TSampledCall[]): TAuditRow {
  const p = costStats(prod)
  const e = costStats(ev)
  const base = { workflow_id: workflowId, production_calls: productionCalls, eval_calls: evalCalls, production: p, eval: e }
  if (!p) return { ...base, ratio_mean: null, ratio_p50: null, flagged: false, status: 'no_production', finding: 'No priced production calls in the quarter.' }
  if (!e) return { ...base, ratio_mean: null, ratio_p50: null, flagged: false, status: 'no_eval', finding: 'No priced eval or replay calls in the quarter: nothing to compare with.' }
  const rMean = ratioOf(p.mean_usd, e.mean_usd)
  const rP50 = ratioOf(p.p50_usd, e.p50_usd)
  // an eval mean of $0 against a paid production call is "infinitely" apart
  const flagged = rMean === null ? Number(p.mean_usd) > 0 : rMean > AUDIT_RATIO_LIMIT || rMean < 1 / AUDIT_RATIO_LIMIT
  const evidence = `(mean $${p.mean_usd} vs $${e.mean_usd}; median $${p.p50_usd} vs $${e.p50_usd})`
  const finding = rMean === null
    ? `Eval calls cost $0 per call; production $${p.mean_usd}.`
    : rMean >= 0.95 && rMean <= 1.05 ? `Production and eval cost about the same per call ${evidence}.`
    : `Production costs ${rMean >= 1 ? fmt(rMean) : fmt(1 / rMean)} ${rMean >= 1 ? 'more' : 'less'} per call than eval ${evidence}.`
  return { ...base, ratio_mean: rMean === null ? null : Number(rMean.toFixed(4)), ratio_p50: rP50 === null ? null : Number(rP50.toFixed(4)), flagged, status: flagged ? 'flagged' : 'within', finding }
}

type TSampleRow = { workflow_id: string; event_id: string; timestamp: Date; traffic_source: string; environment: string; step: string; provider: string | null; model: string | null; requests: number; cost_usd: string; hash: number }

/**
 * Up to `n` priced calls per (workflow, traffic source) in [from, to), first in
 * hashtext(event_id) order: one index range scan per pair
 * (inference_events_sample_idx), stopped after n matches.
 */
async function sampleCalls(orgId: string, pairs: { workflow_id: string; traffic_source: string }[], from: Date, to: Date, productionEnvOnly: boolean, n: number): Promise<TSampleRow[]> {
  if (!pairs.length) return []
  const r = await pool().query<TSampleRow>(
    `SELECT p.workflow_id, s.event_id, s.timestamp, p.traffic_source, s.environment, s.step, s.provider, s.model, s.requests, s.cost_usd::text AS cost_usd, s.hash
     FROM unnest($2::text[], $3::text[]) AS p(workflow_id, traffic_source)
     CROSS JOIN LATERAL (
       SELECT e.event_id, e.timestamp, e.environment, e.step, e.provider, e.model, e.requests, e.cost_usd, hashtext(e.event_id) AS hash
       FROM inference_events e
       WHERE e.org_id = $1 AND e.workflow_id = p.workflow_id AND e.traffic_source = p.traffic_source
         AND e.timestamp >= $4 AND e.timestamp < $5 AND e.cost_usd IS NOT NULL ${productionEnvOnly ? `AND e.environment = 'production'` : ''}
       ORDER BY hashtext(e.event_id), e.event_id
       LIMIT $6
     ) s`,
    [orgId, pairs.map((p) => p.workflow_id), pairs.map((p) => p.traffic_source), from, to, n],
  )
  return r.rows
}

const toCall = (r: TSampleRow): TSampledCall => ({ event_id: r.event_id, timestamp: r.timestamp.toISOString(), traffic_source: r.traffic_source, environment: r.environment, step: r.step,
  provider: r.provider, model: r.model, requests: r.requests, cost_usd: r.cost_usd, hash: r.hash })
const byHash = (a: TSampledCall, b: TSampledCall) => a.hash - b.hash || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0)

/** The audit of a quarter: every workflow with production or eval traffic in it, flagged first. */
export async function quarterlyAudit(orgId: string, q: Pick<TAuditQuery, 'quarter'>, opts: { samples?: boolean } = {}, now = new Date()): Promise<TAudit> {
  const quarter = q.quarter ?? quarterOf(now)
  const range = quarterRange(quarter)
  const from = new Date(range.from)
  const to = new Date(range.to)
  // which workflows have traffic to sample, and how much (the rollups: cheap)
  const { rows } = await queryMetrics(orgId, { ...ZMetricsQuery.parse({}), from, to, group_by: ['workflow_id', 'traffic_source', 'environment'], traffic_source: ['production', ...EVAL_SOURCES], limit: 100_000 })
  const counts = new Map<string, { production: number; eval: number; sources: Set<string> }>()
  for (const r of rows) {
    if (!r.workflow_id) continue
    const c = counts.get(r.workflow_id) ?? { production: 0, eval: 0, sources: new Set<string>() }
    const priced = r.events - r.unpriced_events
    if (r.traffic_source === 'production' && r.environment === 'production') c.production += priced
    if ((EVAL_SOURCES as readonly string[]).includes(r.traffic_source ?? '')) {
      c.eval += priced
      if (priced > 0) c.sources.add(r.traffic_source!)
    }
    counts.set(r.workflow_id, c)
  }
  const workflows = [...counts].filter(([, c]) => c.production > 0 || c.eval > 0).map(([w]) => w).sort()
  const [prod, ev] = await Promise.all([
    sampleCalls(orgId, workflows.filter((w) => counts.get(w)!.production > 0).map((w) => ({ workflow_id: w, traffic_source: 'production' })), from, to, true, AUDIT_SAMPLE_SIZE),
    sampleCalls(orgId, workflows.flatMap((w) => [...counts.get(w)!.sources].map((s) => ({ workflow_id: w, traffic_source: s }))), from, to, false, AUDIT_SAMPLE_SIZE),
  ])
  const samples: NonNullable<TAudit['samples']> = {}
  for (const w of workflows) samples[w] = { production: [], eval: [] }
  for (const r of prod) samples[r.workflow_id].production.push(toCall(r))
  // eval and replay sampled apart, merged in hash order: the first 100 of their union
  for (const r of ev) samples[r.workflow_id].eval.push(toCall(r))
  for (const w of workflows) {
    samples[w].production.sort(byHash)
    samples[w].eval = samples[w].eval.sort(byHash).slice(0, AUDIT_SAMPLE_SIZE)
  }
  const order = { flagged: 0, within: 1, no_eval: 2, no_production: 3 }
  const out = workflows.map((w) => auditRow(w, counts.get(w)!.production, counts.get(w)!.eval, samples[w].production, samples[w].eval))
    .sort((a, b) => order[a.status] - order[b.status] || Math.abs(Math.log(b.ratio_mean ?? 1)) - Math.abs(Math.log(a.ratio_mean ?? 1)) || a.workflow_id.localeCompare(b.workflow_id))
  return { quarter, from: from.toISOString(), to: to.toISOString(), sample_size: AUDIT_SAMPLE_SIZE, ratio_limit: AUDIT_RATIO_LIMIT, workflows: out, ...(opts.samples ? { samples } : {}) }
}

/** One line per workflow: the verdict and both samples' statistics. */
export function auditCsv(a: TAudit): string {
  return toCsv([
    ['quarter', 'workflow_id', 'status', 'ratio_mean', 'ratio_p50', 'production_calls_in_quarter', 'production_sampled_calls', 'production_mean_usd', 'production_p50_usd', 'production_p90_usd',
      'eval_calls_in_quarter', 'eval_sampled_calls', 'eval_mean_usd', 'eval_p50_usd', 'eval_p90_usd', 'finding'],
    ...a.workflows.map((r) => [a.quarter, r.workflow_id, r.status, r.ratio_mean, r.ratio_p50, r.production_calls, r.production?.calls ?? 0, r.production?.mean_usd, r.production?.p50_usd, r.production?.p90_usd,
      r.eval_calls, r.eval?.calls ?? 0, r.eval?.mean_usd, r.eval?.p50_usd, r.eval?.p90_usd, r.finding]),
  ])
}

/** The evidence: every sampled call, with its cost per call. */
export function auditSamplesCsv(a: TAudit): string {
  const lines: (string | number | null)[][] = [['quarter', 'workflow_id', 'sample', 'event_id', 'timestamp', 'traffic_source', 'environment', 'step', 'provider', 'model', 'requests', 'cost_usd', 'cost_per_call_usd']]
  for (const [w, s] of Object.entries(a.samples ?? {})) {
    for (const [side, calls] of [['production', s.production], ['eval', s.eval]] as const) {
      for (const c of calls) {
        lines.push([a.quarter, w, side, c.event_id, c.timestamp, c.traffic_source, c.environment, c.step, c.provider, c.model, c.requests, fromScaled(toScaled(c.cost_usd, 6), 6),
          fromScaled(divRound(toScaled(c.cost_usd, 12), BigInt(Math.max(1, c.requests)) * 1_000_000n), 6)])
      }
    }
  }
  return toCsv(lines)
}
