// The quarterly audit's sample of one workflow and side, recomputed from the
// events (SQL) with the method docs/forecast-and-reports.md states, independently of
// lib/reports/audit.ts: the integration test and e2e/reports.spec.ts compare
// the audit's sample with it. No '@/' imports: Playwright loads it too.

type TQuery = (text: string, params: unknown[]) => Promise<unknown[]>

const sideWhere = { production: `traffic_source = 'production' AND environment = 'production'`, eval: `traffic_source IN ('eval', 'replay')` }

/**
 * The event ids of a workflow's sample (side production or eval) in a quarter:
 * each UTC day's share of `size` by largest remainder of its priced calls; the
 * day's calls laid end to end in hour order, ranks ⌊(j + draw ÷ 2³²) × calls ÷ share⌋
 * (draw: first 32 bits of md5("quarter|workflow|side|YYYY-MM-DD")); each hour
 * drawn m times gives m calls: its calls in time order from its instant
 * (hour + first 32 bits of md5("quarter|workflow|side|YYYY-MM-DDTHH") mod 1 h),
 * wrapping to the hour's start, after skipping the next 32 bits mod 10 (the
 * last m of the first skip + m when fewer).
 */
export async function expectedAuditSample(
  query: TQuery,
  a: { orgId: string; workflow: string; side: 'production' | 'eval'; quarter: string; from: Date; to: Date; size?: number },
): Promise<string[]> {
  const size = a.size ?? 100
  const hours = (await query(
    `WITH c AS (
       SELECT event_id, timestamp, date_trunc('hour', timestamp AT TIME ZONE 'UTC') AS h FROM inference_events
       WHERE org_id = $1 AND workflow_id = $4 AND ${sideWhere[a.side]} AND cost_usd IS NOT NULL AND timestamp >= $2 AND timestamp < $3),
     k AS (SELECT h, md5($5 || '|' || $4 || '|' || $6 || '|' || to_char(h, 'YYYY-MM-DD"T"HH24')) AS m FROM c GROUP BY h),
     s AS (
       SELECT c.*, (('x' || substr(k.m, 9, 8))::bit(32)::bigint % 10)::int AS skip,
              (c.h AT TIME ZONE 'UTC') + make_interval(secs => (('x' || substr(k.m, 1, 8))::bit(32)::bigint % 3600000) / 1000.0) AS start
       FROM c JOIN k USING (h))
     SELECT to_char(h, 'YYYY-MM-DD') AS day, count(*)::int AS calls, skip, array_agg(event_id ORDER BY timestamp < start, timestamp, event_id) AS ids
     FROM s GROUP BY h, skip ORDER BY h`,
    [a.orgId, a.from, a.to, a.workflow, a.quarter, a.side],
  )) as { day: string; calls: number; ids: string[]; skip: number }[]
  const days = [...new Set(hours.map((h) => h.day))]
  const draws = new Map(
    (
      (await query(
        `SELECT d AS day, (('x' || substr(md5($1 || '|' || $2 || '|' || $3 || '|' || d), 1, 8))::bit(32)::bigint)::text AS draw FROM unnest($4::text[]) AS d`,
        [a.quarter, a.workflow, a.side, days],
      )) as { day: string; draw: string }[]
    ).map((r) => [r.day, BigInt(r.draw)]),
  )
  const totals = days.map((d) => hours.filter((h) => h.day === d).reduce((x, h) => x + h.calls, 0))
  // largest remainder, ties to the earlier day
  const all = totals.reduce((x, y) => x + y, 0)
  const shares = all <= size ? [...totals] : totals.map((t) => Math.floor((t * size) / all))
  const rest = totals.map((t, i) => ({ i, r: t * size - shares[i] * all })).sort((x, y) => y.r - x.r || x.i - y.i)
  for (let left = size - shares.reduce((x, y) => x + y, 0), i = 0; left > 0 && all > size; left--, i++) shares[rest[i].i]++
  const ids: string[] = []
  days.forEach((day, d) => {
    const dayHours = hours.filter((h) => h.day === day)
    const k = BigInt(shares[d])
    const drawn = dayHours.map(() => 0)
    for (let j = 0n; j < k; j++) {
      const rank = ((j * 2n ** 32n + draws.get(day)!) * BigInt(totals[d])) / (k * 2n ** 32n)
      let cum = 0n
      const at = dayHours.findIndex((h) => rank < (cum += BigInt(h.calls)))
      drawn[at]++
    }
    dayHours.forEach((h, i) => {
      if (drawn[i]) ids.push(...h.ids.slice(0, h.skip + drawn[i]).slice(-drawn[i]))
    })
  })
  return ids
}
