import 'server-only'
import type { ClientBase } from 'pg'
import { ROLLUP_MEASURE_COLUMNS } from '@/lib/rollups/hourly'
import { DAILY_OUTCOMES, DAILY_ROLLUPS, HOURLY_NARROW_ROLLUPS, HOURLY_OUTCOMES, HOURLY_ROLLUP, type TRollupTable, WEEKLY_ROLLUPS } from '@/lib/rollups/tables'

// The daily and weekly rollups of an organization rebuilt from its hourly rollups (what
// the migration that created them does for every organization): for a bulk
// load that writes rollups_hourly itself (npm run bench:dashboard).

// the histogram is summed apart (outlay_hist_sum)
const MEASURES = ROLLUP_MEASURE_COLUMNS.filter((m) => m !== 'latency_hist')
const DAY = `date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`
const WEEK = `date_trunc('week', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`

/** One coarser cost table rebuilt from a finer one: its rows for the organization summed by its key and time bucket. */
async function rebuildFrom(client: ClientBase, orgId: string, t: TRollupTable, bucket: string, source: string): Promise<void> {
  await client.query(`DELETE FROM ${t.table} WHERE org_id = $1`, [orgId])
  const dims = t.dims.join(', ')
  await client.query(
    `INSERT INTO ${t.table} (org_id, ${t.time}, ${dims}, ${MEASURES.join(', ')}, latency_hist)
     SELECT org_id, ${bucket}, ${dims}, ${MEASURES.map((m) => `sum(${m})`).join(', ')}, coalesce(outlay_hist_sum(latency_hist)::int4[], '{}')
     FROM ${source} WHERE org_id = $1 GROUP BY ${[1, 2, ...t.dims.map((_, i) => i + 3)].join(', ')}`,
    [orgId],
  )
}

export async function rebuildDailyRollups(client: ClientBase, orgId: string): Promise<void> {
  // the narrow hourly tables and the daily ones from rollups_hourly, the weekly tables from their daily twins (what their migrations do)
  for (const t of HOURLY_NARROW_ROLLUPS) await rebuildFrom(client, orgId, t, 'hour', HOURLY_ROLLUP.table)
  for (const t of DAILY_ROLLUPS) await rebuildFrom(client, orgId, t, DAY, HOURLY_ROLLUP.table)
  for (const t of WEEKLY_ROLLUPS) await rebuildFrom(client, orgId, t, WEEK, DAILY_ROLLUPS.find((d) => d.weekly === t.table)!.table)
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
