// The inputs of a selection, from the database: a step's eval scores and the
// cache-adjusted cost per call of each candidate — measured on the step's real
// traffic (the rollups, through the metrics query layer) when the model has
// enough calls there, else its price × the step's token profile.
import 'server-only'
import { DAY_MS, micros, PRODUCTION_FILTER } from '@/lib/domain'
import { pool } from '@/lib/db'
import { loadPriceBook } from '@/lib/cost/pricebook'
import { divRound, fromScaled } from '@/lib/cost/money'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { CHEAPEST_MIN_CALLS } from '@/lib/decision-record/record'
import { refKey, type TModelRef } from '@/lib/routing/schema'
import type { TCallCost, TEvalScore } from '@/lib/routing/select'

/** The window of traffic a cost per call is measured on. */
export const COST_WINDOW_DAYS = 30

/** Every eval score of a step, one row per metric. */
export async function stepEvalScores(orgId: string, workflowId: string, step: string): Promise<TEvalScore[]> {
  const r = await pool().query<{ provider: string; model: string; eval_set: string; metric: string; score: number; sample_count: number; run_at: Date }>(
    `SELECT e.provider, e.model, e.eval_set, s.key AS metric, (s.value)::float8 AS score, e.sample_count, e.run_at
     FROM eval_results e, jsonb_each_text(e.scores) s
     WHERE e.org_id = $1 AND e.workflow_id = $2 AND e.step = $3`,
    [orgId, workflowId, step],
  )
  return r.rows.map((x) => ({ ...x, run_at: x.run_at.toISOString() }))
}

export type TTokenProfile = { calls: number; tokens_in: number; cached_tokens_in: number; cache_write_tokens: number; tokens_out: number }

/** The step's production calls per model over the window, and its average call (all models). */
export async function stepTraffic(orgId: string, workflowId: string, step: string, now: Date, days = COST_WINDOW_DAYS) {
  const q = ZMetricsQuery.parse({})
  const base = { ...q, from: new Date(now.getTime() - days * DAY_MS), to: now, workflow_id: [workflowId], step: [step], ...PRODUCTION_FILTER }
  const [byModel, total] = await Promise.all([queryMetrics(orgId, { ...base, group_by: ['provider', 'model'] }), queryMetrics(orgId, base)])
  const t = total.rows[0]
  const per = (x: number) => (t && t.events > 0 ? Math.round(x / t.events) : 0)
  const profile: TTokenProfile | null =
    t && t.events > 0
      ? {
          calls: t.events,
          tokens_in: per(t.tokens_in),
          cached_tokens_in: per(t.cached_tokens_in),
          cache_write_tokens: per(t.cache_write_tokens),
          tokens_out: per(t.tokens_out),
        }
      : null
  return { byModel: byModel.rows, profile }
}

/**
 * Cost per call of each model: measured when the step sent it at least
 * CHEAPEST_MIN_CALLS priced calls in the window (the decision record's rule),
 * else priced from the price book with the step's average call.
 */
export async function candidateCosts(orgId: string, workflowId: string, step: string, models: TModelRef[], now: Date): Promise<Map<string, TCallCost>> {
  const [{ byModel, profile }, book] = await Promise.all([stepTraffic(orgId, workflowId, step, now), loadPriceBook(orgId)])
  const out = new Map<string, TCallCost>()
  for (const m of models) {
    const row = byModel.find((r) => r.provider === m.provider && r.model === m.model)
    const calls = row?.events ?? 0
    const priced = row ? row.events - row.unpriced_events : 0
    if (row && priced >= CHEAPEST_MIN_CALLS) {
      out.set(refKey(m), { cost_per_call_usd: fromScaled(divRound(micros(row.cost_usd), BigInt(priced)), 6), source: 'traffic', calls })
      continue
    }
    if (profile) {
      const c = book.price({ provider: m.provider, model: m.model, timestamp: now, ...profile, requests: 1 })
      if (c.priced) {
        out.set(refKey(m), { cost_per_call_usd: fromScaled(micros(c.cost_usd), 6), source: 'prices', calls })
        continue
      }
    }
    out.set(refKey(m), { cost_per_call_usd: null, source: null, calls })
  }
  return out
}
