import 'server-only'
import { pool } from '@/lib/db'
import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { queryMetrics, resolveRange } from '@/lib/metrics/query'
import { buildOpportunities, type TRepeatSums, type TStepOutcomeSums } from '@/lib/opportunities/rank'
import type { TOpportunitiesAnswer, TOpportunitiesQuery } from '@/lib/opportunities/schema'

// GET /api/v1/opportunities: two reads of the rollups, never the raw events —
// the repeat rollups (rollups_daily_repeats for the whole days,
// rollups_hourly_repeats for the hours around them; kept by the ingest worker)
// for response_cache, the cost rollups through the metrics engine for retries.

/** The hours a read covers, as the metrics reads: from the hour of `from` up to `to`, its last hour whole. */
export function hoursOf(q: Pick<TOpportunitiesQuery, 'from' | 'to'>, now = new Date()): { from: Date; to: Date } {
  const r = resolveRange(q, now)
  return { from: new Date(Math.floor(r.from.getTime() / HOUR_MS) * HOUR_MS), to: new Date(Math.ceil(r.to.getTime() / HOUR_MS) * HOUR_MS) }
}

const REPEAT_COLUMNS = 'workflow_id, step, repeat_calls, repeat_cost_usd, repeat_unpriced, output_compared, output_matched, waste_repeat_cost_usd, first_calls'

/** The whole UTC days inside the hours (rollups_daily_repeats answers them; the hours before and after come from the hourly table); empty at `to` when there are none. */
export function wholeDaysOf(hours: { from: Date; to: Date }): { from: Date; to: Date } {
  const dFrom = Math.ceil(hours.from.getTime() / DAY_MS) * DAY_MS
  const dTo = Math.floor(hours.to.getTime() / DAY_MS) * DAY_MS
  return dFrom < dTo ? { from: new Date(dFrom), to: new Date(dTo) } : { from: hours.to, to: hours.to }
}

export async function loadOpportunities(orgId: string, q: TOpportunitiesQuery): Promise<TOpportunitiesAnswer> {
  const { from, to } = hoursOf(q)
  const days = wholeDaysOf({ from, to })
  const [repeats, outcomes] = await Promise.all([
    pool().query<{
      workflow_id: string
      step: string
      repeat_calls: string
      repeat_cost_usd: string
      repeat_unpriced: string
      output_compared: string
      output_matched: string
      waste_repeat_cost_usd: string
      first_calls: string
    }>(
      `SELECT workflow_id, step, sum(repeat_calls)::text AS repeat_calls, round(sum(repeat_cost_usd), 6)::text AS repeat_cost_usd,
         sum(repeat_unpriced)::text AS repeat_unpriced, sum(output_compared)::text AS output_compared, sum(output_matched)::text AS output_matched,
         round(sum(waste_repeat_cost_usd), 6)::text AS waste_repeat_cost_usd, sum(first_calls)::text AS first_calls
       FROM (
         SELECT ${REPEAT_COLUMNS} FROM rollups_daily_repeats
         WHERE org_id = $1 AND day >= $4 AND day < $5 AND ($6::text IS NULL OR workflow_id = $6)
         UNION ALL
         SELECT ${REPEAT_COLUMNS} FROM rollups_hourly_repeats
         WHERE org_id = $1 AND ((hour >= $2 AND hour < $4) OR (hour >= $5 AND hour < $3)) AND ($6::text IS NULL OR workflow_id = $6)
       ) AS r
       GROUP BY workflow_id, step`,
      [orgId, from.toISOString(), to.toISOString(), days.from.toISOString(), days.to.toISOString(), q.workflow_id ?? null],
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
  return buildOpportunities({
    from,
    to,
    repeats: repeats.rows.map(
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
