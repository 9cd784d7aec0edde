import 'server-only'
import { asNoOrg, asOrg, inTransaction, pool } from '@/lib/db'
import { DAY_MS } from '@/lib/domain'
import { log } from '@/lib/log'

// inference_events is partitioned by UTC month of "timestamp" (prisma/migrations/20261210500100_partition_inference_events,
// docs/events-partitioning.md). The workers' maintenance job (maintainEventsOnce, on a timer in every worker
// process, one at a time through an advisory lock) keeps partitions created ahead of time and applies each
// organization's raw-event retention: rollups are never touched.

/** Months of partitions created after the current one: a month's partition exists for weeks before its first event. */
export const PARTITION_MONTHS_AHEAD = 2
/**
 * Rows are deleted a day after they pass the retention the ingest API enforces (it rejects events older than the
 * retention): a batch accepted just inside the retention and still in the backlog is counted before its rows and
 * ids may go, so that a replay of a deleted event is always rejected for its age.
 */
export const RETENTION_MARGIN_DAYS = 1
const LOCK_KEY = 7_461_022

/** The organization's raw-event retention in days, or null (events are kept for as long as they are accepted). */
export async function rawEventRetentionDays(orgId: string): Promise<number | null> {
  // organizations has no row-level security (its rows are the tenants); one primary-key read
  const r = await pool().query<{ days: number | null }>('SELECT raw_event_retention_days AS days FROM organizations WHERE id = $1', [orgId])
  return r.rows[0]?.days ?? null
}

/** Creates the monthly partitions the current retentions and PARTITION_MONTHS_AHEAD ask for; answers the ones created. */
export async function ensureEventPartitions(monthsAhead = PARTITION_MONTHS_AHEAD): Promise<string[]> {
  // cross-org: the partitions are every organization's (SECURITY DEFINER function owned by the tables' owner)
  const r = await asNoOrg(() => pool().query<{ p: string }>('SELECT outlay_ensure_event_partitions($1) AS p', [monthsAhead]))
  return r.rows.map((x) => x.p)
}

type TRetentionResult = { dropped_partitions: string[]; deleted_events: number; forgotten_ids: number }

/**
 * Applies every organization's retention: first a DROP of every monthly partition past every organization's
 * retention (its events' ids forgotten in the same transaction), then, for each organization with a retention, a
 * DELETE of its rows older than it at `now` (one UTC day per transaction, each row's id with it). Rollups are kept.
 */
export async function applyRawEventRetention(now = new Date()): Promise<TRetentionResult> {
  // Whole partitions first: what they hold needs no DELETE.
  const dropped: string[] = []
  let forgotten = 0
  const expired = await asNoOrg(() => pool().query<{ p: string }>('SELECT outlay_expired_event_partitions() AS p'))
  for (const { p } of expired.rows) {
    forgotten += await asNoOrg(() =>
      inTransaction(async (c) => {
        // DROP takes an ACCESS EXCLUSIVE lock on inference_events: never queue behind a long read (every ingest
        // transaction would then queue behind the DROP); the next run tries again.
        await c.query("SET LOCAL lock_timeout = '5s'")
        const f = await c.query<{ n: string }>('SELECT outlay_forget_event_ids($1)::text AS n', [p])
        await c.query('SELECT outlay_drop_event_partition($1)', [p])
        return Number(f.rows[0].n)
      }),
    )
    dropped.push(p)
  }
  // cross-org: which organizations keep raw events for a limited time (organizations has no row-level security)
  const orgs = await pool().query<{ id: string; days: number }>(
    'SELECT id::text, raw_event_retention_days AS days FROM organizations WHERE raw_event_retention_days IS NOT NULL ORDER BY id',
  )
  let deleted = 0
  for (const o of orgs.rows) deleted += await deleteExpiredEvents(o.id, o.days, now)
  return { dropped_partitions: dropped, deleted_events: deleted, forgotten_ids: forgotten }
}

/** Deletes one organization's events older than its retention (plus the margin), a UTC day per transaction. */
export async function deleteExpiredEvents(orgId: string, days: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - (days + RETENTION_MARGIN_DAYS) * DAY_MS)
  return asOrg(orgId, async () => {
    const oldest = await pool().query<{ t: Date | null }>('SELECT min("timestamp") AS t FROM inference_events WHERE org_id = $1 AND "timestamp" < $2', [
      orgId,
      cutoff,
    ])
    let from = oldest.rows[0]?.t
    let n = 0
    while (from && from < cutoff) {
      const to = new Date(Math.min(Math.floor(from.getTime() / DAY_MS + 1) * DAY_MS, cutoff.getTime()))
      const r = await inTransaction((c) =>
        c.query<{ n: string }>(
          `WITH d AS (DELETE FROM inference_events WHERE org_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3 RETURNING event_id),
             i AS (DELETE FROM inference_event_ids x USING d WHERE x.org_id = $1 AND x.event_id = d.event_id)
           SELECT count(*)::text AS n FROM d`,
          [orgId, from, to],
        ),
      )
      n += Number(r.rows[0].n)
      from = to
    }
    return n
  })
}

/** One maintenance pass (partitions ahead, then retention), unless another worker process is running one. */
export async function maintainEventsOnce(now = new Date()): Promise<(TRetentionResult & { created_partitions: string[] }) | null> {
  const client = await pool().connect()
  try {
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY])
    if (!got.rows[0].ok) return null
    try {
      const created = await ensureEventPartitions()
      const r = await applyRawEventRetention(now)
      if (created.length || r.dropped_partitions.length || r.deleted_events)
        log({ component: 'events-maintenance' }).info({ created_partitions: created, ...r }, 'inference_events partitions and retention')
      return { created_partitions: created, ...r }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY])
    }
  } finally {
    client.release()
  }
}
