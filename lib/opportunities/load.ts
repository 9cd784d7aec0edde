import 'server-only'
import { pool } from '@/lib/db'
import { DAY_MS, PRODUCTION_FILTER } from '@/lib/domain'
import { queryMetrics } from '@/lib/metrics/query'
import { hoursOfRange, keyedParams, keyedSource } from '@/lib/rollups/keyed'
import { planSource, sourceSql } from '@/lib/metrics/source'
import { buildOpportunities, type TRepeatSums, type TRerunSums, type TStepOutcomeSums } from '@/lib/opportunities/rank'
import type { TOpportunitiesAnswer, TOpportunitiesQuery, TOpportunity } from '@/lib/opportunities/schema'
import { outputStepsFromHists, type TOutputRow } from '@/lib/opportunities/output-hist'
import {
  cheaperModelOpportunity,
  gpuRightsizingOpportunity,
  outputPricer,
  promptCacheOpportunity,
  uncappedOutputOpportunity,
  type TInputSums,
  type TOutputStep,
} from '@/lib/opportunities/estimate'
import { loadPriceBook } from '@/lib/cost/pricebook'
import { candidateCosts, stepEvalScores } from '@/lib/routing/evidence'
import { refKey, type TPolicySpec } from '@/lib/routing/schema'
import { fleetSummary } from '@/lib/gpu/summary'

// GET /api/v1/opportunities: reads of the rollups, never the raw events, for the
// measured kinds — the repeat rollups (rollups_daily_repeats for the whole days,
// rollups_hourly_repeats for the hours around them; kept by the ingest worker)
// for response_cache, the cost rollups through the metrics engine and the re-run
// rollups (rollups_daily_reruns / rollups_hourly_reruns, the same split) for retries.

/**
 * A per-step rollup pair (hourly, daily) summed per workflow step over the hours:
 * the daily table for the whole days, the hourly one for the hours around them (keyedSource).
 */
async function stepRollupSums<TRow>(
  orgId: string,
  tables: { hourly: string; daily: string },
  sums: { column: string; money?: boolean }[],
  hours: { from: Date; to: Date },
  workflowId: string | null,
): Promise<(TRow & { workflow_id: string; step: string })[]> {
  const params = [...keyedParams(orgId, hours.from, hours.to), workflowId]
  const src = keyedSource(tables, ['workflow_id', 'step', ...sums.map((c) => c.column)], '($6::text IS NULL OR workflow_id = $6)')
  const r = await pool().query<TRow & { workflow_id: string; step: string }>(
    `SELECT workflow_id, step, ${sums.map(({ column, money }) => (money ? `round(sum(${column}), 6)::text AS ${column}` : `sum(${column})::text AS ${column}`)).join(', ')}
     FROM ${src} AS r
     GROUP BY workflow_id, step`,
    params,
  )
  return r.rows
}

type TText<K extends string> = Record<K, string>

export async function loadOpportunities(orgId: string, q: TOpportunitiesQuery): Promise<TOpportunitiesAnswer> {
  const { from, to } = hoursOfRange(q)
  const wf = q.workflow_id ?? null
  const [repeats, reruns, outcomes] = await Promise.all([
    stepRollupSums<
      TText<'repeat_calls' | 'repeat_cost_usd' | 'repeat_unpriced' | 'output_compared' | 'output_matched' | 'waste_repeat_cost_usd' | 'first_calls'>
    >(
      orgId,
      { hourly: 'rollups_hourly_repeats', daily: 'rollups_daily_repeats' },
      [
        { column: 'repeat_calls' },
        { column: 'repeat_cost_usd', money: true },
        { column: 'repeat_unpriced' },
        { column: 'output_compared' },
        { column: 'output_matched' },
        { column: 'waste_repeat_cost_usd', money: true },
        { column: 'first_calls' },
      ],
      { from, to },
      wf,
    ),
    stepRollupSums<TText<'rerun_calls' | 'rerun_cost_usd' | 'rerun_unpriced' | 'rerun_repeat_cost_usd'>>(
      orgId,
      { hourly: 'rollups_hourly_reruns', daily: 'rollups_daily_reruns' },
      [{ column: 'rerun_calls' }, { column: 'rerun_cost_usd', money: true }, { column: 'rerun_unpriced' }, { column: 'rerun_repeat_cost_usd', money: true }],
      { from, to },
      wf,
    ),
    queryMetrics(orgId, {
      from,
      to,
      group_by: ['workflow_id', 'step', 'outcome'],
      granularity: 'none',
      limit: 100_000,
      measures: ['cost_usd', 'unpriced_events'],
      ...(q.workflow_id ? { workflow_id: [q.workflow_id] } : {}),
    }),
  ])
  const n = (s: string) => Number(s)
  const estimated = await estimatedOpportunities(orgId, from, to, q.workflow_id ?? null)
  return buildOpportunities({
    estimated,
    from,
    to,
    repeats: repeats.map(
      (r): TRepeatSums => ({
        workflow_id: r.workflow_id,
        step: r.step,
        repeat_calls: n(r.repeat_calls),
        repeat_cost_usd: r.repeat_cost_usd,
        repeat_unpriced: n(r.repeat_unpriced),
        output_compared: n(r.output_compared),
        output_matched: n(r.output_matched),
        waste_repeat_cost_usd: r.waste_repeat_cost_usd,
        first_calls: n(r.first_calls),
      }),
    ),
    reruns: reruns.map(
      (r): TRerunSums => ({
        workflow_id: r.workflow_id,
        step: r.step,
        rerun_calls: n(r.rerun_calls),
        rerun_cost_usd: r.rerun_cost_usd,
        rerun_unpriced: n(r.rerun_unpriced),
        rerun_repeat_cost_usd: r.rerun_repeat_cost_usd,
      }),
    ),
    stepOutcomes: outcomes.rows.map(
      (r): TStepOutcomeSums => ({
        workflow_id: r.workflow_id ?? '',
        step: r.step ?? '',
        outcome: r.outcome ?? '',
        events: r.events,
        cost_usd: r.cost_usd ?? '0',
        unpriced_events: r.unpriced_events ?? 0,
      }),
    ),
  })
}

// ---------------------------------------------------------------- the estimated kinds

/** uncapped_output, prompt_cache, cheaper_model and gpu_rightsizing over the hours (lib/opportunities/estimate.ts prices them). */
export async function estimatedOpportunities(orgId: string, from: Date, to: Date, workflowId: string | null): Promise<TOpportunity[]> {
  const rangeMs = to.getTime() - from.getTime()
  const [book, output, inputs, cheaper, gpu] = await Promise.all([
    loadPriceBook(orgId),
    outputSizes(orgId, from, to, workflowId),
    inputSums(orgId, from, to, workflowId),
    cheaperModels(orgId, from, to, workflowId),
    workflowId === null ? gpuOpportunities(orgId, from, to) : Promise.resolve([]),
  ])
  const out: TOpportunity[] = []
  const priceOut = outputPricer(book, to)
  for (const s of output) {
    const o = uncappedOutputOpportunity(s, rangeMs, priceOut)
    if (o) out.push(o)
  }
  // prompt_cache: the steps it finds, then their cached share per day (the trend) for those steps only
  const found = inputs.filter(({ cur, prev }) => promptCacheOpportunity(cur, prev, book, to, rangeMs) !== null)
  const daily = await dailyCachedShares(orgId, from, to, found)
  for (const { cur, prev } of found) {
    const o = promptCacheOpportunity(cur, prev, book, to, rangeMs, daily.get(inputKey(cur)) ?? [])
    if (o) out.push(o)
  }
  return [...out, ...cheaper, ...gpu]
}

/** The prompt_cache trend covers at most the range's last days: the per-day read of steps and models is the widest daily table. */
export const PROMPT_CACHE_TREND_DAYS = 30
const inputKey = (x: { workflow_id: string; step: string; provider: string | null; model: string | null }) =>
  JSON.stringify([x.workflow_id, x.step, x.provider, x.model])

/** The cached share of input per UTC day over the range's last PROMPT_CACHE_TREND_DAYS days, for the given steps and models. */
async function dailyCachedShares(
  orgId: string,
  from: Date,
  to: Date,
  steps: readonly { cur: TInputSums }[],
): Promise<Map<string, { day: string; cached_share: number | null }[]>> {
  const out = new Map<string, { day: string; cached_share: number | null }[]>()
  if (steps.length === 0) return out
  const distinct = (f: (s: TInputSums) => string | null) => [...new Set(steps.map((s) => f(s.cur)).filter((x): x is string => x !== null))]
  const r = await queryMetrics(orgId, {
    from: new Date(Math.max(from.getTime(), to.getTime() - PROMPT_CACHE_TREND_DAYS * DAY_MS)),
    to,
    group_by: ['workflow_id', 'step', 'provider', 'model'],
    granularity: 'day',
    limit: 100_000,
    measures: ['tokens_in', 'cached_tokens_in'],
    workflow_id: distinct((s) => s.workflow_id),
    step: distinct((s) => s.step),
    model: distinct((s) => s.model),
  })
  const wanted = new Set(steps.map((s) => inputKey(s.cur)))
  for (const x of r.rows) {
    const k = inputKey({ workflow_id: x.workflow_id ?? '', step: x.step ?? '', provider: x.provider ?? null, model: x.model ?? null })
    if (!wanted.has(k)) continue
    const list = out.get(k) ?? []
    list.push({ day: (x.bucket ?? '').slice(0, 10), cached_share: x.tokens_in ? Math.round(((x.cached_tokens_in ?? 0) / x.tokens_in) * 1e6) / 1e6 : null })
    out.set(k, list)
  }
  for (const list of out.values()) list.sort((a, b) => (a.day < b.day ? -1 : 1))
  return out
}

/**
 * Each step's output sizes over the hours (the uncapped_output opportunity): the weekly histograms for the whole
 * weeks, the daily ones for the days around them, the hourly ones at the edges, summed per step, model and
 * max_tokens in SQL bucket by bucket.
 */
export async function outputSizes(orgId: string, from: Date, to: Date, workflowId: string | null): Promise<TOutputStep[]> {
  // whole weeks from the weekly table, the days around them from the daily one, the hours at the edges from the hourly one
  const plan = planSource([{ table: 'rollups_daily_outputs', dims: [], weekly: 'rollups_weekly_outputs' }], [], { from, to }, 'none')
  const params: unknown[] = [orgId, workflowId]
  const src = sourceSql(
    plan,
    'rollups_hourly_outputs',
    ['workflow_id', 'step', 'provider', 'model', 'max_tokens', 'calls', 'tokens_out_max', 'tokens_out_hist'],
    ['($2::text IS NULL OR workflow_id = $2)'],
    params,
  )
  const r = await pool().query<{
    workflow_id: string
    step: string
    provider: string
    model: string
    max_tokens: number
    b: number | null
    n: string
    mx: string
  }>(
    // per key: its bucket counts (b, n), and one row without a bucket carrying its calls and their max
    `WITH r AS (SELECT * FROM ${src})
     SELECT workflow_id, step, provider, model, max_tokens, b::int4 AS b, sum(c)::text AS n, '0' AS mx
     FROM r CROSS JOIN LATERAL unnest(tokens_out_hist) WITH ORDINALITY AS u(c, b) WHERE c <> 0
     GROUP BY 1, 2, 3, 4, 5, 6
     UNION ALL
     SELECT workflow_id, step, provider, model, max_tokens, NULL, sum(calls)::text, max(tokens_out_max)::text FROM r GROUP BY 1, 2, 3, 4, 5`,
    params,
  )
  const keyed = new Map<string, TOutputRow & { hist: number[] }>()
  for (const x of r.rows) {
    const k = JSON.stringify([x.workflow_id, x.step, x.provider, x.model, x.max_tokens])
    let row = keyed.get(k)
    if (!row) {
      row = {
        workflow_id: x.workflow_id,
        step: x.step,
        provider: x.provider || null,
        model: x.model || null,
        max_tokens: x.max_tokens,
        calls: 0,
        max: 0,
        hist: [],
      }
      keyed.set(k, row)
    }
    if (x.b === null) {
      row.calls = Number(x.n)
      row.max = Number(x.mx)
    } else {
      while (row.hist.length < x.b) row.hist.push(0)
      row.hist[x.b - 1] = Number(x.n)
    }
  }
  return outputStepsFromHists([...keyed.values()])
}

/** Per step and model: input and cached input tokens over the range and over the period of the same length before it (the cost rollups). */
export async function inputSums(orgId: string, from: Date, to: Date, workflowId: string | null): Promise<{ cur: TInputSums; prev: TInputSums | null }[]> {
  // the range and the period before it, each summed whole (the weekly rollups answer their whole weeks)
  const prevFrom = new Date(from.getTime() - (to.getTime() - from.getTime()))
  const read = (f: Date, t: Date) =>
    queryMetrics(orgId, {
      from: f,
      to: t,
      group_by: ['workflow_id', 'step', 'provider', 'model'],
      granularity: 'none',
      limit: 100_000,
      measures: ['tokens_in', 'cached_tokens_in'],
      ...(workflowId ? { workflow_id: [workflowId] } : {}),
    })
  const [cur, prev] = await Promise.all([read(from, to), read(prevFrom, from)])
  const sums = (x: (typeof cur.rows)[number]): TInputSums => ({
    workflow_id: x.workflow_id ?? '',
    step: x.step ?? '',
    provider: x.provider ?? null,
    model: x.model ?? null,
    events: x.events,
    tokens_in: x.tokens_in ?? 0,
    cached_tokens_in: x.cached_tokens_in ?? 0,
  })
  const before = new Map(prev.rows.map((x) => [inputKey(sums(x)), sums(x)]))
  return cur.rows.map((x) => {
    const p = before.get(inputKey(sums(x)))
    return { cur: sums(x), prev: p && p.events > 0 ? p : null }
  })
}

/**
 * cheaper_model: each step with a routing policy for all its traffic (no
 * environment or account segment) whose version in force — or, never
 * published, its draft — sets a quality bar: every model evaluated on the
 * step, selected and simulated as the routing editor does.
 */
export async function cheaperModels(orgId: string, from: Date, to: Date, workflowId: string | null): Promise<TOpportunity[]> {
  const policies = await pool().query<{ id: string; workflow_id: string; step: string; spec: TPolicySpec }>(
    `SELECT p.id::text, p.workflow_id, p.step, v.spec FROM routing_policies p
     JOIN routing_policy_versions v ON v.org_id = p.org_id AND v.policy_id = p.id
       AND v.version = coalesce(p.published_version, (SELECT max(d.version) FROM routing_policy_versions d WHERE d.org_id = p.org_id AND d.policy_id = p.id))
     WHERE p.org_id = $1 AND p.environment = '' AND p.account_id = '' AND ($2::text IS NULL OR p.workflow_id = $2)
     ORDER BY p.workflow_id, p.step`,
    [orgId, workflowId],
  )
  const withBar = policies.rows.filter((p) => p.spec.quality_bar?.length)
  if (withBar.length === 0) return []
  const traffic = await queryMetrics(orgId, {
    from,
    to,
    group_by: ['workflow_id', 'step', 'provider', 'model', 'outcome'],
    granularity: 'none',
    limit: 100_000,
    measures: ['cost_usd'],
    ...PRODUCTION_FILTER,
    workflow_id: [...new Set(withBar.map((p) => p.workflow_id))],
  })
  const rangeMs = to.getTime() - from.getTime()
  const out: TOpportunity[] = []
  for (const p of withBar) {
    const rows = traffic.rows.filter((r) => r.workflow_id === p.workflow_id && r.step === p.step)
    if (rows.length === 0) continue
    const evals = await stepEvalScores(orgId, p.workflow_id, p.step)
    if (evals.length === 0) continue
    const models = new Map<string, { provider: string; model: string }>()
    for (const e of evals) models.set(refKey(e), { provider: e.provider, model: e.model })
    for (const c of p.spec.candidates ?? []) models.set(refKey(c), c)
    for (const r of rows) if (r.provider && r.model) models.set(refKey({ provider: r.provider, model: r.model }), { provider: r.provider, model: r.model })
    const costs = await candidateCosts(orgId, p.workflow_id, p.step, [...models.values()], to)
    const o = cheaperModelOpportunity(
      {
        workflow_id: p.workflow_id,
        step: p.step,
        policy_id: p.id,
        spec: { quality_bar: p.spec.quality_bar, eval_set: p.spec.eval_set ?? null, candidates: p.spec.candidates ?? [] },
        evals,
        costs,
        traffic: rows.map((r) => ({
          provider: r.provider ?? null,
          model: r.model ?? null,
          outcome: r.outcome ?? null,
          events: r.events,
          cost_usd: r.cost_usd ?? '0',
        })),
        window: { from: from.toISOString(), to: to.toISOString() },
      },
      rangeMs,
    )
    if (o) out.push(o)
  }
  return out
}

/** gpu_rightsizing: the fleet page's right-sizing hints (lib/gpu/summary) as of the end of the range, with each pool's daily utilization. */
export async function gpuOpportunities(orgId: string, from: Date, to: Date): Promise<TOpportunity[]> {
  const rangeMs = to.getTime() - from.getTime()
  const days = Math.min(90, Math.max(1, Math.ceil(rangeMs / DAY_MS)))
  const fleet = await fleetSummary(orgId, days, to)
  return fleet.hints.map((h) =>
    gpuRightsizingOpportunity(
      h,
      fleet.utilization.map((u) => ({ day: u.day, utilization: u.values[h.pool] ?? null })),
      rangeMs,
    ),
  )
}
