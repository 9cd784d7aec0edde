import 'server-only'
import { pool } from '@/lib/db'
import { usdPerUnit } from '@/lib/cost/money'
import { envClause, hoursOfRange, keyedParams, keyedSource, PROMPT_ROLLUP } from '@/lib/rollups/keyed'
import type { TPromptVersionRow, TPromptVersionsAnswer, TPromptVersionsQuery } from '@/lib/prompt-versions/schema'

// GET /api/v1/prompt-versions: rollups_daily_prompts for the whole days, rollups_hourly_prompts for the hours around
// them (kept by the ingest worker: lib/rollups/keyed.ts), never the raw events.

export async function loadPromptVersions(orgId: string, q: TPromptVersionsQuery): Promise<TPromptVersionsAnswer> {
  const { from, to } = hoursOfRange(q)
  const params = keyedParams(orgId, from, to)
  params.push(q.workflow_id)
  const where = [`workflow_id = $${params.length}`, envClause(q, params)].filter(Boolean).join(' AND ')
  const r = await pool().query<{
    step: string
    prompt_version: string
    first_seen: Date
    last_seen: Date
    calls: string
    runs: string
    tokens_in: string
    cached_tokens_in: string
    tokens_out: string
    unpriced_events: string
    cost_usd: string
  }>(
    `SELECT step, prompt_version, min(t) AS first_seen, max(t) AS last_seen, sum(events)::text AS calls, sum(runs)::text AS runs,
       sum(tokens_in)::text AS tokens_in, sum(cached_tokens_in)::text AS cached_tokens_in, sum(tokens_out)::text AS tokens_out,
       sum(unpriced_events)::text AS unpriced_events, round(sum(cost_usd), 6)::text AS cost_usd
     FROM ${keyedSource(PROMPT_ROLLUP, ['step', 'prompt_version', 'events', 'runs', 'tokens_in', 'cached_tokens_in', 'tokens_out', 'unpriced_events', 'cost_usd'], where)} AS x
     GROUP BY step, prompt_version
     HAVING sum(events) > 0
     ORDER BY step COLLATE "C", min(t), prompt_version COLLATE "C"`,
    params,
  )
  const rows = r.rows.map((x): TPromptVersionRow => {
    const calls = Number(x.calls)
    const runs = Number(x.runs)
    const tokensIn = Number(x.tokens_in)
    return {
      step: x.step,
      prompt_version: x.prompt_version,
      first_seen: x.first_seen.toISOString(),
      last_seen: x.last_seen.toISOString(),
      calls,
      runs,
      tokens_in: tokensIn,
      cached_tokens_in: Number(x.cached_tokens_in),
      tokens_out: Number(x.tokens_out),
      unpriced_events: Number(x.unpriced_events),
      cost_usd: x.cost_usd,
      tokens_in_per_call: calls > 0 ? tokensIn / calls : null,
      tokens_out_per_call: calls > 0 ? Number(x.tokens_out) / calls : null,
      cached_share: tokensIn > 0 ? Number(x.cached_tokens_in) / tokensIn : null,
      cost_per_call_usd: usdPerUnit(x.cost_usd, calls),
      cost_per_run_usd: usdPerUnit(x.cost_usd, runs),
    }
  })
  return { from: from.toISOString(), to: to.toISOString(), workflow_id: q.workflow_id, rows }
}
