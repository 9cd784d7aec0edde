import 'server-only'
import { pool } from '@/lib/db'
import { fleetSummary } from '@/lib/gpu/summary'
import { searchCatalog } from '@/lib/cost/catalog'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { micros, microsToUsd } from '@/lib/domain'
import { cheapestAlternatives, perMtok, poolVerdict, type TApiAlternative, type TTokenMix } from '@/lib/gpu/self-hosting'
import type { TSelfHostingAnswer } from '@/lib/gpu/schema'

// GET /api/v1/gpu/self-hosting: each pool's cost per million tokens at its real utilization beside the API price
// of the models it stands in for (lib/gpu/self-hosting.ts). The paid capacity is the fleet page's own figure
// (fleetSummary); the pool's calls are read from the events that carry a gpu_pool (a partial index holds just
// them); the same steps' API models from the rollups; the hosted offerings of the same model from the catalog.

/** The catalog's paid API offerings of an open-weight model: entries named the same, after any "org/" path. */
function hostedOfferings(model: string): TApiAlternative[] {
  const name = model.toLowerCase()
  return searchCatalog(name)
    .filter((e) => (e.model.toLowerCase().split('/').pop() ?? '') === name && (Number(e.input_per_mtok) > 0 || Number(e.output_per_mtok) > 0))
    .map((e) => ({ basis: 'same_model', provider: e.provider, model: e.model, input_per_mtok: e.input_per_mtok, output_per_mtok: e.output_per_mtok }))
}

export async function selfHosting(orgId: string, days: number, now = new Date()): Promise<TSelfHostingAnswer> {
  const fleet = await fleetSummary(orgId, days, now)
  const from = new Date(fleet.period.from)
  const to = new Date(fleet.period.to)
  const calls = await pool().query<{ gpu_pool: string; workflow_id: string; step: string; model: string | null; calls: number; tin: string; tout: string }>(
    `SELECT gpu_pool, workflow_id, step, model, count(*)::int AS calls, sum(tokens_in)::text AS tin, sum(tokens_out)::text AS tout
     FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3 AND gpu_pool IS NOT NULL
     GROUP BY 1, 2, 3, 4`,
    [orgId, from, to],
  )
  const selfModels = new Set(calls.rows.map((r) => r.model ?? ''))
  // The same steps' API calls: their blended billed rate per model and step.
  const stepRates = new Map<string, TApiAlternative[]>()
  if (calls.rows.length) {
    const api = await queryMetrics(
      orgId,
      ZMetricsQuery.parse({
        from: from.toISOString(),
        to: to.toISOString(),
        workflow_id: [...new Set(calls.rows.map((r) => r.workflow_id))].join(','),
        step: [...new Set(calls.rows.map((r) => r.step))].join(','),
        group_by: 'workflow_id,step,provider,model',
        granularity: 'none',
        measures: 'cost_usd,tokens_in,tokens_out',
        limit: '10000',
      }),
    )
    for (const r of api.rows) {
      const tokens = r.tokens_in + r.tokens_out
      const cost = micros(r.cost_usd)
      if (!r.model || selfModels.has(r.model) || cost <= 0n || tokens <= 0) continue
      const k = JSON.stringify([r.workflow_id, r.step])
      stepRates.set(k, [
        ...(stepRates.get(k) ?? []),
        { basis: 'same_steps', provider: r.provider ?? '', model: r.model, usd_per_mtok: perMtok(cost, tokens) ?? '0' },
      ])
    }
  }

  return {
    period: fleet.period,
    pools: fleet.pools.map((p) => {
      const rows = calls.rows.filter((r) => r.gpu_pool === p.name)
      // per model: its calls' mix, and every alternative of any of its steps (the cheapest wins)
      const byModel = new Map<string, { mix: TTokenMix; alternatives: TApiAlternative[] }>()
      for (const r of rows) {
        const m = r.model ?? '(none)'
        const e = byModel.get(m) ?? { mix: { calls: 0, tokens_in: 0, tokens_out: 0 }, alternatives: hostedOfferings(m) }
        e.mix.calls += r.calls
        e.mix.tokens_in += Number(r.tin)
        e.mix.tokens_out += Number(r.tout)
        e.alternatives.push(...(stepRates.get(JSON.stringify([r.workflow_id, r.step])) ?? []))
        byModel.set(m, e)
      }
      const models = cheapestAlternatives([...byModel].map(([model, v]) => ({ model, ...v })))
      const paid = micros(p.period_cost_usd)
      const v = poolVerdict(paid, p.avg_utilization, models)
      const tokens = models.reduce((s, m) => s + m.mix.tokens_in + m.mix.tokens_out, 0)
      const matchedTokens = models.reduce((s, m) => s + (m.cheapest ? m.mix.tokens_in + m.mix.tokens_out : 0), 0)
      return {
        pool: p.name,
        role: p.role,
        gpu_type: p.gpu_type,
        paid_usd: p.period_cost_usd,
        avg_utilization: p.avg_utilization,
        calls: models.reduce((s, m) => s + m.mix.calls, 0),
        tokens,
        usd_per_mtok: perMtok(paid, tokens),
        api_cost_usd: microsToUsd(v.api_micros),
        api_usd_per_mtok: perMtok(v.api_micros, matchedTokens),
        ratio: v.ratio,
        verdict: v.verdict,
        break_even_utilization: v.break_even_utilization,
        unmatched_calls: v.unmatched_calls,
        models: models
          .sort((a, b) => b.mix.calls - a.mix.calls)
          .map((m) => ({
            model: m.model,
            calls: m.mix.calls,
            tokens_in: m.mix.tokens_in,
            tokens_out: m.mix.tokens_out,
            alternative: m.cheapest
              ? {
                  basis: m.cheapest.basis,
                  provider: m.cheapest.provider,
                  model: m.cheapest.model,
                  cost_usd: microsToUsd(m.cheapest.cost_micros),
                  usd_per_mtok: perMtok(m.cheapest.cost_micros, m.mix.tokens_in + m.mix.tokens_out),
                }
              : null,
          })),
      }
    }),
  }
}
