import 'server-only'
import type { ClientBase } from 'pg'
import { DAILY_OUTCOMES, DAILY_ROLLUPS, HOURLY_OUTCOMES, HOURLY_ROLLUP, WEEKLY_ROLLUPS } from '@/lib/rollups/tables'

// The daily and weekly rollups of an organization rebuilt from its hourly rollups (what
// the migration that created them does for every organization): for a bulk
// load that writes rollups_hourly itself (npm run bench:dashboard).

const MEASURES = [
  'events',
  'runs',
  'requests',
  'tokens_in',
  'cached_tokens_in',
  'cache_write_tokens',
  'tokens_out',
  'gpu_seconds',
  'unpriced_events',
  'cost_usd',
  'cache_savings_usd',
  'reported_cost_usd',
  'latency_ms_sum',
  'latency_count',
]
const DAY = `date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`
const WEEK = `date_trunc('week', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`

export async function rebuildDailyRollups(client: ClientBase, orgId: string): Promise<void> {
  for (const t of DAILY_ROLLUPS) {
    await client.query(`DELETE FROM ${t.table} WHERE org_id = $1`, [orgId])
    const dims = t.dims.join(', ')
    await client.query(
      `INSERT INTO ${t.table} (org_id, day, ${dims}, ${MEASURES.join(', ')}, latency_hist)
       SELECT org_id, ${DAY}, ${dims}, ${MEASURES.map((m) => `sum(${m})`).join(', ')}, coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
       FROM ${HOURLY_ROLLUP.table} WHERE org_id = $1 GROUP BY ${[1, 2, ...t.dims.map((_, i) => i + 3)].join(', ')}`,
      [orgId],
    )
  }
  // the weekly tables from their daily twins (what their migration does)
  for (const t of WEEKLY_ROLLUPS) {
    const source = DAILY_ROLLUPS.find((d) => d.weekly === t.table)!.table
    await client.query(`DELETE FROM ${t.table} WHERE org_id = $1`, [orgId])
    const dims = t.dims.join(', ')
    await client.query(
      `INSERT INTO ${t.table} (org_id, week, ${dims}, ${MEASURES.join(', ')}, latency_hist)
       SELECT org_id, ${WEEK}, ${dims}, ${MEASURES.map((m) => `sum(${m})`).join(', ')}, coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
       FROM ${source} WHERE org_id = $1 GROUP BY ${[1, 2, ...t.dims.map((_, i) => i + 3)].join(', ')}`,
      [orgId],
    )
  }
  for (const t of DAILY_OUTCOMES) {
    await client.query(`DELETE FROM ${t.table} WHERE org_id = $1`, [orgId])
    const dims = t.dims.join(', ')
    await client.query(
      `INSERT INTO ${t.table} (org_id, day, ${dims}, outcomes, accepted)
       SELECT org_id, ${DAY}, ${dims}, sum(outcomes), sum(accepted) FROM ${HOURLY_OUTCOMES.table} WHERE org_id = $1
       GROUP BY ${[1, 2, ...t.dims.map((_, i) => i + 3)].join(', ')}`,
      [orgId],
    )
  }
}
