import { PROMPT_ROLLUP, USER_ROLLUP } from '@/lib/rollups/keyed'
import { ROLLUP_TABLES } from '@/lib/rollups/tables'
import { ROLLUP_MEASURE_COLUMNS } from '@/lib/rollups/hourly'

// Every rollup table kept from the events compared with the SQL over inference_events, row by row, for one
// organization: the cost rollups (ROLLUP_TABLES: money exact, the latency histogram bucket by bucket, the float
// latency sum to 6 decimals since its summation order differs) and the keyed ones (by user, by prompt version).
// The comparison runs in PostgreSQL (EXCEPT ALL both ways), so it holds for hundreds of thousands of rows.
// Used by lib/rollups/cardinality.integration.test.ts and by `npm run bench:ingest -- --chaos`.
//
// Not compared here: a row's `runs` (a run is counted in the hour of its earliest call in the batch that first brings
// it, which depends on the order batches arrived in): each cost table's runs summed must equal the distinct runs
// instead. The repeat, rerun and output-histogram rollups (their rows depend on which call of a hash or a run came
// first, which the events alone do not say) and the outcome rollups (fed by outcomes, not by events) are not compared.

/** Anything with pg's query(text, values): a Pool, a PoolClient, a Client. */
type TQueryable = { query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

// every measure of the cost rollups but `runs` (compared as a total: see above)
const COST_MEASURES = ROLLUP_MEASURE_COLUMNS.filter((m) => m !== 'runs')

/** What a rollup row's measure must hold: the measure as SQL over inference_events. */
const FROM_EVENTS: Record<string, string> = {
  events: 'count(*)',
  requests: 'sum(requests)',
  tokens_in: 'sum(tokens_in)',
  cached_tokens_in: 'sum(cached_tokens_in)',
  cache_write_tokens: 'sum(cache_write_tokens)',
  tokens_out: 'sum(tokens_out)',
  gpu_seconds: 'coalesce(sum(gpu_seconds), 0)',
  unpriced_events: 'count(*) FILTER (WHERE cost_usd IS NULL)',
  cost_usd: 'coalesce(sum(cost_usd), 0)',
  cache_savings_usd: 'coalesce(sum(cache_savings_usd), 0)',
  response_cache_hits: 'count(*) FILTER (WHERE response_cache_hit)',
  response_cache_savings_usd: 'coalesce(sum(response_cache_savings_usd), 0)',
  reported_cost_usd: 'coalesce(sum(reported_cost_usd), 0)',
  latency_ms_sum: 'coalesce(sum(latency_ms), 0)',
  latency_count: 'count(latency_ms)',
  latency_hist: `coalesce(outlay_hist_sum(CASE WHEN latency_ms IS NOT NULL THEN array_fill(0, ARRAY[outlay_latency_bucket(latency_ms)]) || 1 END)::int4[], '{}')`,
}

// a measure added to the rollups (lib/rollups/hourly.ts) needs its SQL over the events here
const unmatched = COST_MEASURES.filter((m) => !(m in FROM_EVENTS))
if (unmatched.length) throw new Error(`lib/rollups/equality.ts: no SQL over the events for ${unmatched.join(', ')}`)

/** Comparable text: numbers at one scale (the tables' numeric scales differ), the float latency sum rounded. */
const norm = (m: string, v: string) =>
  m === 'latency_ms_sum' ? `round((${v})::numeric, 6)::text` : m === 'latency_hist' ? `(${v})::text` : `round((${v})::numeric, 12)::text`

type TSpec = { table: string; time: 'hour' | 'day' | 'week'; dims: readonly string[]; measures: readonly string[]; where?: string; runs: boolean }

const KEYED_MEASURES = ['events', 'tokens_in', 'cached_tokens_in', 'tokens_out', 'unpriced_events', 'cost_usd'] as const

/** Every rollup table this module compares, with its key and measures. */
export const COMPARED_TABLES: readonly TSpec[] = [
  ...ROLLUP_TABLES.map((t) => ({ table: t.table, time: t.time, dims: t.dims, measures: COST_MEASURES, runs: true })),
  ...[USER_ROLLUP, PROMPT_ROLLUP].flatMap((k) =>
    ([['hourly', 'hour'], ['daily', 'day'], ...(k.weekly ? [['weekly', 'week'] as const] : [])] as const).map(([g, time]) => ({
      table: k[g]!,
      time,
      dims: k.dims,
      measures: KEYED_MEASURES,
      where: `${k.dims[k.dims.length - 1]} IS NOT NULL`, // only the calls that carry the user or the prompt version
      runs: false,
    })),
  ),
]

export type TTableEquality = {
  table: string
  /** rows in the table / rows the SQL over the events gives */
  rows: number
  expected_rows: number
  /** rows of the table that the events do not give, and rows the events give that the table lacks (a changed row is one of each) */
  only_in_table: number
  only_in_events: number
  /** the table's runs summed, and the distinct runs of the events (cost tables only) */
  runs?: { table: number; events: number }
  equal: boolean
  /** one differing row of each side, for the report */
  example?: { table?: unknown; events?: unknown }
}

/** Each rollup table of COMPARED_TABLES against the SQL over the organization's events. */
export async function compareRollupsWithEvents(db: TQueryable, orgId: string): Promise<TTableEquality[]> {
  const out: TTableEquality[] = []
  for (const t of COMPARED_TABLES) {
    const bucket = `date_trunc('${t.time}', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`
    const expected = `SELECT at::text AS at, ${t.dims.join(', ')}, ${t.measures.map((m) => `${norm(m, m)} AS ${m}`).join(', ')}
        FROM (SELECT ${bucket} AS at, ${t.dims.map((d) => `coalesce(${d}, '') AS ${d}`).join(', ')}, ${t.measures.map((m) => `${FROM_EVENTS[m]} AS ${m}`).join(', ')}
              FROM inference_events WHERE org_id = $1${t.where ? ` AND ${t.where}` : ''} GROUP BY ${t.dims.map((_, i) => i + 2).join(', ')}, 1) e`
    const written = `SELECT ${t.time}::text AS at, ${t.dims.join(', ')}, ${t.measures.map((m) => `${norm(m, m)} AS ${m}`).join(', ')}
        FROM ${t.table} WHERE org_id = $1`
    const { rows } = await db.query(
      `WITH w AS MATERIALIZED (${written}), e AS MATERIALIZED (${expected}),
            wx AS (SELECT * FROM w EXCEPT ALL SELECT * FROM e), ex AS (SELECT * FROM e EXCEPT ALL SELECT * FROM w)
       SELECT (SELECT count(*) FROM w)::int AS rows, (SELECT count(*) FROM e)::int AS expected_rows,
              (SELECT count(*) FROM wx)::int AS only_in_table, (SELECT count(*) FROM ex)::int AS only_in_events,
              (SELECT row_to_json(wx) FROM wx LIMIT 1) AS table_example, (SELECT row_to_json(ex) FROM ex LIMIT 1) AS events_example
              ${
                t.runs
                  ? `, (SELECT coalesce(sum(runs), 0) FROM ${t.table} WHERE org_id = $1)::float8 AS table_runs,
                     (SELECT count(DISTINCT run_id) FROM inference_events WHERE org_id = $1)::float8 AS event_runs`
                  : ''
              }`,
      [orgId],
    )
    const r = rows[0] as Record<string, number | null | object>
    const runs = t.runs ? { table: Number(r.table_runs), events: Number(r.event_runs) } : undefined
    const equal = r.only_in_table === 0 && r.only_in_events === 0 && (!runs || runs.table === runs.events)
    out.push({
      table: t.table,
      rows: Number(r.rows),
      expected_rows: Number(r.expected_rows),
      only_in_table: Number(r.only_in_table),
      only_in_events: Number(r.only_in_events),
      ...(runs ? { runs } : {}),
      equal,
      ...(equal ? {} : { example: { table: r.table_example ?? undefined, events: r.events_example ?? undefined } }),
    })
  }
  return out
}
