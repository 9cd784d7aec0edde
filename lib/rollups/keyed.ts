import 'server-only'
import type { PoolClient } from 'pg'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import { bucketOf } from '@/lib/rollups/tables'
import { HOUR_MS } from '@/lib/domain'
import { resolveRange } from '@/lib/metrics/query'

// Rollups keyed by a dimension the cost rollups leave out, because their key
// would multiply rollups_hourly's rows: `prompt_version` (the workflow page's
// spend, tokens per call and cost per run by prompt version) and `user_id`
// (top users of an account and of the organization). Each has an hourly table
// and its per-UTC-day twin (a read sums the whole days from the daily one and
// the hours around them from the hourly one, as lib/opportunities/load.ts
// does). Only calls that carry the dimension are counted. The ingest worker
// and re-pricing move them in their own transactions, after the cost rollups
// and before the output, re-run and repeat rollups' rows (one lock order in
// every writer: lib/ingest/process.ts).

export type TKeyedRollup = {
  name: 'prompts' | 'users'
  hourly: string
  daily: string
  /** the daily table per ISO week (Monday 00:00 UTC), when it has one: a read's whole weeks come from it */
  weekly?: string
  dims: readonly string[]
}

export const PROMPT_ROLLUP: TKeyedRollup = {
  name: 'prompts',
  hourly: 'rollups_hourly_prompts',
  daily: 'rollups_daily_prompts',
  dims: ['environment', 'traffic_source', 'workflow_id', 'step', 'prompt_version'],
}
export const USER_ROLLUP: TKeyedRollup = {
  name: 'users',
  hourly: 'rollups_hourly_users',
  daily: 'rollups_daily_users',
  // an account's users over 90 days: ~150k daily rows on the 10M-event bench organization
  weekly: 'rollups_weekly_users',
  dims: ['environment', 'traffic_source', 'account_id', 'user_id'],
}

/** What a stored call carries for these rollups. */
export type TKeyedEvent = {
  id: string
  timestamp: string
  environment: string
  traffic_source: string
  workflow_id: string
  step: string
  run_id?: string | null
  account_id?: string | null
  user_id?: string | null
  prompt_version?: string | null
  tokens_in: number
  cached_tokens_in: number
  tokens_out: number
  /** null: unpriced */
  cost_usd: string | null
}

export type TKeyedRow = {
  t: string
  dims: string[]
  events: bigint
  runs: bigint
  tokensIn: bigint
  cachedIn: bigint
  tokensOut: bigint
  unpriced: bigint
  cost: bigint
}

type TItem = {
  timestamp: string
  dims: string[]
  events: number
  runs: number
  tokensIn: number
  cachedIn: number
  tokensOut: number
  unpriced: number
  cost: bigint
}

/** Sum items by (hour, day or week, key); rows in key order (one lock order for concurrent writers). */
export function sumByKey(items: TItem[], time: 'hour' | 'day' | 'week'): TKeyedRow[] {
  const bucket = bucketOf(time)
  const map = new Map<string, TKeyedRow>()
  for (const it of items) {
    const t = bucket(it.timestamp)
    const key = JSON.stringify([t, it.dims])
    let r = map.get(key)
    if (!r) map.set(key, (r = { t, dims: it.dims, events: 0n, runs: 0n, tokensIn: 0n, cachedIn: 0n, tokensOut: 0n, unpriced: 0n, cost: 0n }))
    r.events += BigInt(it.events)
    r.runs += BigInt(it.runs)
    r.tokensIn += BigInt(it.tokensIn)
    r.cachedIn += BigInt(it.cachedIn)
    r.tokensOut += BigInt(it.tokensOut)
    r.unpriced += BigInt(it.unpriced)
    r.cost += it.cost
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
}

const scaled = (v: string | null) => (v === null ? 0n : toScaled(v, COST_SCALE))

const dimsOf = (
  rollup: TKeyedRollup,
  e: Pick<TKeyedEvent, 'environment' | 'traffic_source' | 'workflow_id' | 'step' | 'prompt_version' | 'account_id' | 'user_id'>,
) => rollup.dims.map((d) => (e[d as keyof typeof e] as string | null | undefined) ?? '')

/** Which rollup counts a call: the one whose dimension it carries. */
const carries = (rollup: TKeyedRollup, e: { prompt_version?: string | null; user_id?: string | null }) =>
  rollup.name === 'prompts' ? e.prompt_version != null : e.user_id != null

const runKey = (e: TKeyedEvent) => JSON.stringify([e.workflow_id, e.step, e.prompt_version, e.run_id])

/** The earliest call (by timestamp, then id) of each (workflow, step, prompt version, run) among the calls; keys sorted. */
export function earliestRunCalls(events: TKeyedEvent[]): TKeyedEvent[] {
  const earliest = new Map<string, TKeyedEvent>()
  for (const e of events) {
    if (e.prompt_version == null || e.run_id == null) continue
    const k = runKey(e)
    const x = earliest.get(k)
    if (!x || e.timestamp < x.timestamp || (e.timestamp === x.timestamp && e.id < x.id)) earliest.set(k, e)
  }
  return [...earliest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e)
}

/** New calls (inserted in this transaction): count them in both keyed rollups. */
export async function applyKeyedRollups(client: PoolClient, orgId: string, events: TKeyedEvent[]): Promise<void> {
  const prompted = events.filter((e) => carries(PROMPT_ROLLUP, e))
  // A (step, version, run) counts as a run once, in the hour of its earliest call of the batch that first brings it.
  const firsts = earliestRunCalls(prompted)
  const newRuns = new Set<string>()
  if (firsts.length) {
    const r = await client.query<{ event_id: string }>(
      `WITH k AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS k(workflow_id, step, prompt_version, run_id, event_id)),
         ins AS (INSERT INTO prompt_version_runs (org_id, workflow_id, step, prompt_version, run_id)
           SELECT $1::uuid, workflow_id, step, prompt_version, run_id FROM k ORDER BY workflow_id, step, prompt_version, run_id
           ON CONFLICT DO NOTHING RETURNING workflow_id, step, prompt_version, run_id)
       SELECT k.event_id FROM k JOIN ins USING (workflow_id, step, prompt_version, run_id)`,
      [
        orgId,
        firsts.map((e) => e.workflow_id),
        firsts.map((e) => e.step),
        firsts.map((e) => e.prompt_version),
        firsts.map((e) => e.run_id),
        firsts.map((e) => e.id),
      ],
    )
    for (const x of r.rows) newRuns.add(x.event_id)
  }
  const items = (rollup: TKeyedRollup, list: TKeyedEvent[]): TItem[] =>
    list.map((e) => ({
      timestamp: e.timestamp,
      dims: dimsOf(rollup, e),
      events: 1,
      runs: rollup.name === 'prompts' && newRuns.has(e.id) ? 1 : 0,
      tokensIn: e.tokens_in,
      cachedIn: e.cached_tokens_in,
      tokensOut: e.tokens_out,
      unpriced: e.cost_usd === null ? 1 : 0,
      cost: scaled(e.cost_usd),
    }))
  await upsert(client, orgId, PROMPT_ROLLUP, items(PROMPT_ROLLUP, prompted))
  await upsert(
    client,
    orgId,
    USER_ROLLUP,
    items(
      USER_ROLLUP,
      events.filter((e) => carries(USER_ROLLUP, e)),
    ),
  )
}

/** A re-priced call: what places it, and its old and new cost. */
export type TKeyedCostChange = Omit<TKeyedEvent, 'id' | 'tokens_in' | 'cached_tokens_in' | 'tokens_out' | 'cost_usd' | 'run_id'> & {
  old_cost_usd: string | null
  new_cost_usd: string | null
}

/** Re-pricing: move both keyed rollups by the calls' cost changes (events and tokens unchanged). */
export async function applyKeyedRepricing(client: PoolClient, orgId: string, changes: TKeyedCostChange[]): Promise<void> {
  for (const rollup of [PROMPT_ROLLUP, USER_ROLLUP]) {
    const items = changes
      .filter((c) => carries(rollup, c))
      .map(
        (c): TItem => ({
          timestamp: c.timestamp,
          dims: dimsOf(rollup, c),
          events: 0,
          runs: 0,
          tokensIn: 0,
          cachedIn: 0,
          tokensOut: 0,
          unpriced: Number(c.new_cost_usd === null) - Number(c.old_cost_usd === null),
          cost: scaled(c.new_cost_usd) - scaled(c.old_cost_usd),
        }),
      )
    await upsert(client, orgId, rollup, items)
  }
}

async function upsert(client: PoolClient, orgId: string, rollup: TKeyedRollup, items: TItem[]): Promise<void> {
  if (items.length === 0) return
  const tables: [string, 'hour' | 'day' | 'week'][] = [
    [rollup.hourly, 'hour'],
    [rollup.daily, 'day'],
  ]
  if (rollup.weekly) tables.push([rollup.weekly, 'week'])
  for (const [table, time] of tables) {
    const rows = sumByKey(items, time)
    const dims = rollup.dims
    const measures = ['events', 'runs', 'tokens_in', 'cached_tokens_in', 'tokens_out', 'unpriced_events', 'cost_usd']
    const params: unknown[] = [
      orgId,
      rows.map((r) => r.t),
      ...dims.map((_, i) => rows.map((r) => r.dims[i])),
      rows.map((r) => r.events.toString()),
      rows.map((r) => r.runs.toString()),
      rows.map((r) => r.tokensIn.toString()),
      rows.map((r) => r.cachedIn.toString()),
      rows.map((r) => r.tokensOut.toString()),
      rows.map((r) => r.unpriced.toString()),
      rows.map((r) => fromScaled(r.cost, COST_SCALE)),
    ]
    const types = ['timestamptz', ...dims.map(() => 'text'), 'int8', 'int8', 'int8', 'int8', 'int8', 'int8', 'numeric']
    await client.query(
      `INSERT INTO ${table} (org_id, ${time}, ${dims.join(', ')}, ${measures.join(', ')})
       SELECT $1::uuid, * FROM unnest(${types.map((t, i) => `$${i + 2}::${t}[]`).join(', ')})
       ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET ${measures.map((m) => `${m} = ${table}.${m} + EXCLUDED.${m}`).join(', ')}`,
      params,
    )
  }
}

// ---------------------------------------------------------------- reads

/** The hours a read covers, as the metrics reads: from the hour of `from` up to `to`, its last hour whole. */
export function hoursOfRange(q: { from?: Date; to?: Date }, now = new Date()): { from: Date; to: Date } {
  const r = resolveRange(q, now)
  return { from: new Date(Math.floor(r.from.getTime() / HOUR_MS) * HOUR_MS), to: new Date(Math.ceil(r.to.getTime() / HOUR_MS) * HOUR_MS) }
}

/** The whole UTC days inside [from, to) (the daily table answers them; the hours before and after come from the hourly one). */
export function wholeDays(from: Date, to: Date): { from: Date; to: Date } {
  const DAY = 86_400_000
  const dFrom = Math.ceil(from.getTime() / DAY) * DAY
  const dTo = Math.floor(to.getTime() / DAY) * DAY
  return dFrom < dTo ? { from: new Date(dFrom), to: new Date(dTo) } : { from: to, to }
}

/**
 * A keyed rollup's rows over the hours [from, to) (both on the hour), as a subquery with the columns `cols` and `t`
 * (the row's hour or day): the whole days from the daily table, the edges from the hourly one. Parameters: $1 the
 * organization, $2..$5 the hours and the days (`keyedParams`), the `where` clause's own from $6. For the rollups
 * without a weekly twin (prompt versions, whose first and last seen are not sums; the opportunities' per-step pairs).
 * The end users' read, all sums over a rollup with a weekly twin, goes through the metrics engine's plan instead
 * (lib/end-users/load.ts, `endUsersPlan`), which reads ragged weeks as whole weeks minus their other days.
 */
export function keyedSource(rollup: Pick<TKeyedRollup, 'daily' | 'hourly'>, cols: readonly string[], where: string): string {
  const c = cols.join(', ')
  const and = where ? ` AND ${where}` : ''
  return `(SELECT ${c}, day AS t FROM ${rollup.daily} WHERE org_id = $1 AND day >= $4 AND day < $5${and}
    UNION ALL
    SELECT ${c}, hour AS t FROM ${rollup.hourly} WHERE org_id = $1 AND ((hour >= $2 AND hour < $4) OR (hour >= $5 AND hour < $3))${and})`
}

export function keyedParams(orgId: string, from: Date, to: Date): unknown[] {
  const days = wholeDays(from, to)
  return [orgId, from.toISOString(), to.toISOString(), days.from.toISOString(), days.to.toISOString()]
}

/** Environment and traffic-source filters (comma lists of the query) as a clause, their values pushed to `params`. */
export function envClause(q: { environment?: string[]; traffic_source?: string[] }, params: unknown[]): string {
  const where: string[] = []
  for (const d of ['environment', 'traffic_source'] as const) {
    const v = q[d]
    if (v?.length) {
      params.push(v)
      where.push(`${d} = ANY($${params.length}::text[])`)
    }
  }
  return where.join(' AND ')
}
