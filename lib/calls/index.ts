import { pool } from '@/lib/db'
import { DAY_MS } from '@/lib/domain'
import { notFound } from '@/lib/errors'
import { named } from '@/lib/sql'
import { CALLS_FILTERS, type TCall, type TCallsAnswer, type TCallsQuery, decodeCursor, encodeCursor, type TRunAnswer } from '@/lib/calls/schema'

// The individual calls (docs/calls.md): raw inference events, read newest first a page at a time. Keyset paging on
// (timestamp, event_id) walks inference_events_org_id_timestamp_idx backwards from the cursor, so a page costs the
// rows it reads up to `limit` matches, wherever it is in the period (docs/benchmarks/calls.md has the plans).

const DEFAULT_DAYS = 30
/** A run view lists at most this many calls (its totals still cover them all). */
export const RUN_MAX_CALLS = 5000

const COLUMNS = `event_id AS id, "timestamp", run_id, workflow_id, step, call_type, feature, account_id, user_id, environment, traffic_source,
  provider, model, outcome, attempt, latency_ms, tokens_in::text, cached_tokens_in::text, tokens_out::text, round(cost_usd, 6)::text AS cost_usd`

type TCallRow = Omit<TCall, 'timestamp' | 'tokens_in' | 'cached_tokens_in' | 'tokens_out'> & {
  timestamp: Date
  tokens_in: string
  cached_tokens_in: string
  tokens_out: string
}

const toCall = (r: TCallRow): TCall => ({
  ...r,
  timestamp: r.timestamp.toISOString(),
  tokens_in: Number(r.tokens_in),
  cached_tokens_in: Number(r.cached_tokens_in),
  tokens_out: Number(r.tokens_out),
})

/** The calls the filters match, newest first, from the cursor on; next_cursor when there are more. */
export async function listCalls(orgId: string, q: TCallsQuery, now = new Date()): Promise<TCallsAnswer> {
  const to = q.to ?? now
  const from = q.from ?? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS)
  const where = ['org_id = :org', '"timestamp" >= :from', '"timestamp" < :to']
  const params: Record<string, unknown> = { org: orgId, from, to, limit: q.limit + 1 }
  for (const f of CALLS_FILTERS) {
    const values = q[f]
    if (!values?.length) continue
    // one value as "=": the planner reads it as the equality the indexes are made for
    where.push(values.length === 1 ? `${f} = :${f}` : `${f} = ANY(:${f}::text[])`)
    params[f] = values.length === 1 ? values[0] : values
  }
  if (q.run_id !== undefined) {
    where.push('run_id = :run_id')
    params.run_id = q.run_id
  }
  if (q.min_cost_usd !== undefined) {
    where.push('cost_usd >= :min_cost::numeric')
    params.min_cost = q.min_cost_usd
  }
  if (q.max_cost_usd !== undefined) {
    where.push('cost_usd <= :max_cost::numeric')
    params.max_cost = q.max_cost_usd
  }
  if (q.unpriced !== undefined) where.push(q.unpriced ? 'cost_usd IS NULL' : 'cost_usd IS NOT NULL')
  const cursor = q.cursor ? decodeCursor(q.cursor) : null
  if (cursor) {
    // the first condition bounds the index scan; the second skips the calls of the cursor's millisecond already listed
    where.push('"timestamp" <= :ct::timestamptz', '("timestamp" < :ct::timestamptz OR event_id < :cid)')
    params.ct = cursor.t
    params.cid = cursor.id
  }
  const r = await pool().query<TCallRow>(
    named(`SELECT ${COLUMNS} FROM inference_events WHERE ${where.join(' AND ')} ORDER BY "timestamp" DESC, event_id DESC LIMIT :limit`, params),
  )
  const rows = r.rows.slice(0, q.limit)
  const last = rows[rows.length - 1]
  return {
    calls: rows.map(toCall),
    next_cursor: r.rows.length > q.limit ? encodeCursor({ t: last.timestamp.toISOString(), id: last.id }) : null,
  }
}

/** One run's calls, oldest first, with the totals of the whole run; 404 when no call carries the run id. */
export async function getRun(orgId: string, runId: string): Promise<TRunAnswer> {
  const p = { org: orgId, run: runId }
  const [calls, totals] = await Promise.all([
    pool().query<TCallRow>(
      named(`SELECT ${COLUMNS} FROM inference_events WHERE org_id = :org AND run_id = :run ORDER BY "timestamp", event_id LIMIT :limit`, {
        ...p,
        limit: RUN_MAX_CALLS,
      }),
    ),
    pool().query<{
      calls: string
      unpriced_calls: string
      cost_usd: string
      tokens_in: string
      cached_tokens_in: string
      tokens_out: string
      started_at: Date
      ended_at: Date
      outcomes: Record<string, number>
    }>(
      named(
        `WITH c AS (SELECT * FROM inference_events WHERE org_id = :org AND run_id = :run)
         SELECT count(*)::text AS calls, count(*) FILTER (WHERE cost_usd IS NULL)::text AS unpriced_calls,
                round(coalesce(sum(cost_usd), 0), 6)::text AS cost_usd, coalesce(sum(tokens_in), 0)::text AS tokens_in,
                coalesce(sum(cached_tokens_in), 0)::text AS cached_tokens_in, coalesce(sum(tokens_out), 0)::text AS tokens_out,
                min("timestamp") AS started_at, max("timestamp" + coalesce(latency_ms, 0) * interval '1 millisecond') AS ended_at,
                (SELECT coalesce(jsonb_object_agg(outcome, n), '{}'::jsonb) FROM (SELECT outcome, count(*)::int AS n FROM c GROUP BY outcome) o) AS outcomes
         FROM c`,
        p,
      ),
    ),
  ])
  const t = totals.rows[0]
  if (Number(t.calls) === 0) throw notFound(`No call carries run_id ${runId}`)
  return {
    run_id: runId,
    calls: calls.rows.map(toCall),
    truncated: Number(t.calls) > RUN_MAX_CALLS,
    totals: {
      calls: Number(t.calls),
      unpriced_calls: Number(t.unpriced_calls),
      cost_usd: t.cost_usd,
      tokens_in: Number(t.tokens_in),
      cached_tokens_in: Number(t.cached_tokens_in),
      tokens_out: Number(t.tokens_out),
      started_at: t.started_at.toISOString(),
      ended_at: t.ended_at.toISOString(),
      duration_ms: t.ended_at.getTime() - t.started_at.getTime(),
      outcomes: t.outcomes,
    },
  }
}
