import 'server-only'
import type { PoolClient } from 'pg'
import { env } from '@/lib/env'
import { asOrg, inTransaction, pool } from '@/lib/db'
import { loadPriceBook } from '@/lib/cost/pricebook'
import { applyKeyedRollups } from '@/lib/rollups/keyed'
import { applyRollups, type TRollupContribution } from '@/lib/rollups/hourly'
import type { TIngestEvent } from '@/lib/ingest/schema'
import { priceIngestEvent } from '@/lib/ingest/price'
import type { TIngestOutcome } from '@/lib/outcomes/schema'
import { applyOutcomeRollups } from '@/lib/rollups/outcomes'
import { applyRepeats, upsertRepeatDeltas } from '@/lib/opportunities/repeats-db'
import { applyReruns, upsertRerunDeltas } from '@/lib/opportunities/reruns-db'
import { applyOutputRollups } from '@/lib/opportunities/output-hist-db'

// The ingest worker's unit of work: one persisted batch (of events or of
// outcomes). Items are inserted (ON CONFLICT DO NOTHING on (org, id): for
// events, on inference_event_ids), the
// rollups move only for the rows that were new, and the batch is marked
// processed — all in one transaction.
// Running it twice, or after a crash at any point, counts every event once.

// The events are inserted straight from the stored batches' JSON
// (json_to_recordset): PostgreSQL parses them in C, and the worker sends only
// what it computed — each event's price. Each key is the validated event's
// field (lib/ingest/schema.ts), each type the column's.
const PAYLOAD_FIELDS = [
  ['id', 'text'],
  ['timestamp', 'timestamptz'],
  ['environment', 'text'],
  ['traffic_source', 'text'],
  ['workflow_id', 'text'],
  ['run_id', 'text'],
  ['step', 'text'],
  ['call_type', 'text'],
  ['feature', 'text'],
  ['scenario_id', 'text'],
  ['owner', 'text'],
  ['account_id', 'text'],
  ['user_id', 'text'],
  ['provider', 'text'],
  ['model', 'text'],
  ['tokens_in', 'int8'],
  ['cached_tokens_in', 'int8'],
  ['cache_write_tokens', 'int8'],
  ['tokens_out', 'int8'],
  ['requests', 'int4'],
  ['gpu_seconds', 'numeric'],
  ['gpu_pool', 'text'],
  ['outcome', 'text'],
  ['attempt', 'int4'],
  ['latency_ms', 'float8'],
  ['cost_usd', 'numeric'],
  ['input_hash', 'text'],
  ['max_tokens', 'int4'],
  ['metadata', 'jsonb'],
  ['prompt_version', 'text'],
  ['output_hash', 'text'],
  ['response_cache_hit', 'bool'],
  ['response_cache_savings_usd', 'numeric'],
  ['source', 'text'],
  ['defaulted', 'text[]'],
] as const

// Exactly once across the monthly partitions of inference_events (whose unique
// keys must hold the partition key, "timestamp"): each event's id goes first
// into inference_event_ids, unique on (org_id, event_id), sorted (one lock order
// on its index for concurrent transactions) and ON CONFLICT DO NOTHING — a
// concurrent transaction inserting the same id waits for the first to commit,
// then skips it. Only the ids it inserted go into inference_events, each from
// the oldest batch that carries it (DISTINCT ON: an id waiting in two batches).
const CLAIM_IDS_SQL = `INSERT INTO inference_event_ids (org_id, event_id)
  SELECT $5::uuid, u.id FROM unnest($2::text[]) AS u(id) ORDER BY u.id
  ON CONFLICT (org_id, event_id) DO NOTHING
  RETURNING event_id`

const INSERT_EVENTS_SQL = `INSERT INTO inference_events (org_id, batch_id, event_id, "timestamp", environment, traffic_source, workflow_id,
    run_id, step, call_type, feature, scenario_id, owner, account_id, user_id, provider, model, tokens_in, cached_tokens_in,
    cache_write_tokens, tokens_out, requests, gpu_seconds, gpu_pool, outcome, attempt, latency_ms, cost_usd, cache_savings_usd,
    reported_cost_usd, input_hash, max_tokens, metadata, prompt_version, output_hash, response_cache_hit, response_cache_savings_usd, source, defaulted)
  SELECT DISTINCT ON (x.id) b.org_id, b.id, x.id, x."timestamp", x.environment, x.traffic_source, x.workflow_id,
    x.run_id, x.step, x.call_type, x.feature, x.scenario_id, x.owner, x.account_id, x.user_id, x.provider, x.model,
    coalesce(x.tokens_in, 0), coalesce(x.cached_tokens_in, 0), coalesce(x.cache_write_tokens, 0), coalesce(x.tokens_out, 0),
    x.requests, x.gpu_seconds, x.gpu_pool, x.outcome, x.attempt, x.latency_ms, p.cost, p.savings,
    x.cost_usd, x.input_hash, x.max_tokens, x.metadata, x.prompt_version, x.output_hash, coalesce(x.response_cache_hit, false),
    x.response_cache_savings_usd, x.source, x.defaulted
  FROM ingest_batches b
  CROSS JOIN LATERAL json_to_recordset(b.payload) AS x(${PAYLOAD_FIELDS.map(([f, t]) => `"${f}" ${t}`).join(', ')})
  JOIN unnest($2::text[], $3::numeric[], $4::numeric[]) AS p(id, cost, savings) ON p.id = x.id
  JOIN claimed c ON c.event_id = x.id
  WHERE b.id = ANY($1::int8[])
  ORDER BY x.id, b.id
  RETURNING event_id, batch_id, run_id, "timestamp"`

/**
 * One statement, one round trip: the ids claimed, the events inserted, the runs seen for the
 * first time (each carried by its earliest new event, by time then id: the
 * runs table makes a run count once however many batches its events arrive
 * in; sorted run ids keep one lock order), and every batch marked processed
 * with its count of new events. Answers the new events and which start a run.
 */
const PROCESS_EVENTS_SQL = `WITH claimed AS (${CLAIM_IDS_SQL}),
  ins AS (${INSERT_EVENTS_SQL}),
  firsts AS (SELECT DISTINCT ON (run_id) run_id, event_id, "timestamp" FROM ins WHERE run_id IS NOT NULL ORDER BY run_id, "timestamp", event_id),
  new_runs AS (
    INSERT INTO runs (org_id, run_id, first_seen) SELECT $5::uuid, run_id, "timestamp" FROM firsts ORDER BY run_id
    ON CONFLICT (org_id, run_id) DO NOTHING RETURNING run_id),
  counts AS (SELECT batch_id, count(*)::int4 AS n FROM ins GROUP BY batch_id),
  marked AS (
    UPDATE ingest_batches b SET processed_at = now(), inserted = coalesce(c.n, 0)
    FROM unnest($1::int8[]) AS u(id) LEFT JOIN counts c ON c.batch_id = u.id WHERE b.id = u.id)
  SELECT ins.event_id, (r.run_id IS NOT NULL) AS run_start
  FROM ins LEFT JOIN firsts f ON f.event_id = ins.event_id LEFT JOIN new_runs r ON r.run_id = f.run_id`

/**
 * `in_progress`: another transaction holds the batch (a group commit took it)
 * and counts it; should that transaction fail, the batch stays waiting and the
 * reconciler queues it again.
 */
export type TProcessResult = {
  status: 'processed' | 'already_processed' | 'in_progress'
  inserted: number
  duplicates: number
  orgId?: string
  batches?: number
}

type TBatchRow = { id: string; org_id: string; kind: string; payload: unknown[] }

/**
 * `alone`: this batch only, without the organization's other waiting batches (group commit). A job that failed once
 * runs so: a batch that cannot be stored then fails only itself, not every batch its transaction took with it.
 */
export async function processBatch(batchId: string, knownOrgId?: string, opts: { alone?: boolean } = {}): Promise<TProcessResult> {
  // The transaction declares the batch's organization (row-level security): the job's, or (a job queued without it)
  // looked up by the batch's id alone — cross-org, a SECURITY DEFINER function.
  const orgId = knownOrgId ?? (await pool().query<{ org_id: string | null }>('SELECT outlay_batch_org($1)::text AS org_id', [batchId])).rows[0]?.org_id
  if (!orgId) return { status: 'already_processed', inserted: 0, duplicates: 0 } // pruned, or never stored
  return asOrg(orgId, () => processOrgBatch(batchId, opts.alone ?? false))
}

function processOrgBatch(batchId: string, alone: boolean): Promise<TProcessResult> {
  return inTransaction(
    async (client) => {
      // SKIP LOCKED: a batch another transaction holds (another job's group commit took it) is counted
      // there; this job ends at once instead of holding a worker slot and a connection while it waits.
      const b = await client.query<TBatchRow>(
        'SELECT id::text, org_id, kind, payload FROM ingest_batches WHERE id = $1 AND processed_at IS NULL FOR UPDATE SKIP LOCKED',
        [batchId],
      )
      if (b.rowCount === 0) {
        const done = await client.query<{ waiting: boolean }>('SELECT processed_at IS NULL AS waiting FROM ingest_batches WHERE id = $1', [batchId])
        return { status: done.rows[0]?.waiting ? 'in_progress' : 'already_processed', inserted: 0, duplicates: 0 }
      }
      const { org_id: orgId, kind } = b.rows[0]
      if (kind === 'outcomes') {
        const payload = b.rows[0].payload as TIngestOutcome[]
        const inserted = await insertOutcomes(client, orgId, batchId, payload)
        return { status: 'processed', inserted, duplicates: payload.length - inserted, orgId, batches: 1 }
      }
      const batches = [b.rows[0], ...(alone ? [] : await claimWaitingBatches(client, orgId, batchId))]
      const inserted = await insertEvents(client, orgId, batches)
      const total = batches.reduce((n, x) => n + x.payload.length, 0)
      return { status: 'processed', inserted, duplicates: total - inserted, orgId, batches: batches.length }
    },
    { asyncCommit: true },
  )
  // Why an asynchronous commit is safe here: the batch row, committed
  // synchronously before the 202, is the record. If a crash loses this commit,
  // it loses the events, the rollup increments and processed_at together, and
  // the reconciler processes the batch again: still exactly once. Not waiting
  // for the WAL flush shortens how long the rollup rows stay locked.
}

/**
 * Group commit: the organization's other event batches still waiting, that no
 * other worker holds (SKIP LOCKED), join this transaction, up to
 * INGEST_GROUP_MAX_BATCHES in all. Under a backlog a transaction then counts
 * thousands of events: one insert, one rollup upsert in which events of the
 * same hour and key are already summed, one commit — instead of one of each per
 * batch of 100, all queueing for the same hot rollup rows. Their own jobs find
 * them processed and finish at once. Without a backlog nothing waits and a
 * batch goes alone, as before.
 */
async function claimWaitingBatches(client: PoolClient, orgId: string, batchId: string): Promise<TBatchRow[]> {
  const limit = env().INGEST_GROUP_MAX_BATCHES - 1
  if (limit <= 0) return []
  const r = await client.query<TBatchRow>(
    `SELECT id::text, org_id, kind, payload FROM ingest_batches
     WHERE processed_at IS NULL AND org_id = $1 AND kind = 'events' AND id <> $2
     ORDER BY ingest_batches.id LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [orgId, batchId, limit],
  )
  return r.rows
}

// Before the rollup upsert: hot rollup rows are the last locks taken, so they are held the shortest.
const markProcessed = (client: PoolClient, inserted: Map<string, number>) =>
  client.query(`UPDATE ingest_batches b SET processed_at = now(), inserted = u.n FROM unnest($1::int8[], $2::int4[]) AS u(id, n) WHERE b.id = u.id`, [
    [...inserted.keys()],
    [...inserted.values()],
  ])

// Sorted ids give concurrent batches one lock order on the unique index.
const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, c) => (a.id < c.id ? -1 : a.id > c.id ? 1 : 0))

async function insertEvents(client: PoolClient, orgId: string, batches: TBatchRow[]): Promise<number> {
  // One event id may wait in two batches (a client's retry): the oldest batch carries it, the other counts it a duplicate.
  // (PROCESS_EVENTS_SQL inserts it from the oldest; this prices that copy.)
  const seen = new Set<string>()
  const unique: TIngestEvent[] = []
  for (const b of [...batches].sort((x, y) => Number(BigInt(x.id) - BigInt(y.id)))) {
    for (const e of b.payload as TIngestEvent[]) {
      if (seen.has(e.id)) continue
      seen.add(e.id)
      unique.push(e)
    }
  }
  const events = byId(unique)
  const book = await loadPriceBook(orgId)
  const priced = events.map((e) => ({ e, cost: priceIngestEvent(book, e) }))

  const ins = await client.query<{ event_id: string; run_start: boolean }>(PROCESS_EVENTS_SQL, [
    batches.map((b) => b.id),
    priced.map(({ e }) => e.id),
    priced.map(({ cost }) => (cost.priced ? cost.cost_usd : null)),
    priced.map(({ cost }) => (cost.priced ? cost.cache_savings_usd : null)),
    orgId,
  ])
  const insertedIds = new Set(ins.rows.map((r) => r.event_id))
  const runStarts = new Set(ins.rows.filter((r) => r.run_start).map((r) => r.event_id))
  const fresh = priced.filter(({ e }) => insertedIds.has(e.id))

  const contributions: TRollupContribution[] = fresh.map(({ e, cost }) => ({
    timestamp: e.timestamp,
    dims: {
      environment: e.environment,
      traffic_source: e.traffic_source,
      workflow_id: e.workflow_id,
      step: e.step,
      call_type: e.call_type,
      feature: e.feature,
      account_id: e.account_id,
      provider: e.provider,
      model: e.model,
      outcome: e.outcome,
    },
    runs: runStarts.has(e.id) ? 1 : 0,
    requests: e.requests,
    tokens_in: e.tokens_in ?? 0,
    cached_tokens_in: e.cached_tokens_in ?? 0,
    cache_write_tokens: e.cache_write_tokens ?? 0,
    tokens_out: e.tokens_out ?? 0,
    gpu_seconds: e.gpu_seconds,
    cost_usd: cost.priced ? cost.cost_usd : null,
    cache_savings_usd: cost.priced ? cost.cache_savings_usd : null,
    response_cache_hit: e.response_cache_hit === true,
    response_cache_savings_usd: e.response_cache_savings_usd,
    reported_cost_usd: e.cost_usd,
    latency_ms: e.latency_ms,
  }))
  // Repeated inputs (the response_cache opportunity): input_hashes first, the repeat rollup's rows last (below); the
  // lock order re-pricing also takes.
  const repeatDeltas = await applyRepeats(
    client,
    orgId,
    fresh
      .filter(({ e }) => e.input_hash != null)
      .map(({ e, cost }) => ({
        event_id: e.id,
        at: new Date(e.timestamp),
        workflow_id: e.workflow_id,
        step: e.step,
        input_hash: e.input_hash!,
        output_hash: e.output_hash ?? null,
        cost_usd: cost.priced ? cost.cost_usd : null,
        outcome: e.outcome,
      })),
  )
  // Steps re-run after they had succeeded in the same run (the retries opportunity): after the repeats (it reads
  // which calls repeat an input), the runs' locks now and the rollup rows late — the lock order re-pricing also takes.
  const rerunDeltas = await applyReruns(
    client,
    orgId,
    fresh
      .filter(({ e }) => e.run_id != null)
      .map(({ e, cost }) => ({
        event_id: e.id,
        at: new Date(e.timestamp),
        run_id: e.run_id!,
        workflow_id: e.workflow_id,
        step: e.step,
        outcome: e.outcome,
        cost_usd: cost.priced ? cost.cost_usd : null,
      })),
  )
  await applyRollups(client, orgId, contributions)
  // Then the hot rows (a few per workflow step, prompt version and hour, touched by nearly every transaction): a row
  // lock is held until commit, and taken after the cost rollups a concurrent ingest slot waits for our commit, not for
  // our cost rollups (bench:ingest, realistic load). Re-pricing takes the same order (it writes no output sizes).
  // First the spend by prompt version and by end user (lib/rollups/keyed.ts).
  await applyKeyedRollups(
    client,
    orgId,
    fresh.map(({ e, cost }) => ({
      id: e.id,
      timestamp: e.timestamp,
      environment: e.environment,
      traffic_source: e.traffic_source,
      workflow_id: e.workflow_id,
      step: e.step,
      run_id: e.run_id,
      account_id: e.account_id,
      user_id: e.user_id,
      prompt_version: e.prompt_version,
      tokens_in: e.tokens_in ?? 0,
      cached_tokens_in: e.cached_tokens_in ?? 0,
      tokens_out: e.tokens_out ?? 0,
      cost_usd: cost.priced ? cost.cost_usd : null,
    })),
  )
  // output sizes per step, model and max_tokens (the uncapped_output opportunity), embeddings left out
  await applyOutputRollups(
    client,
    orgId,
    fresh
      .filter(({ e }) => e.call_type !== 'embedding')
      .map(({ e }) => ({
        at: new Date(e.timestamp),
        workflow_id: e.workflow_id,
        step: e.step,
        provider: e.provider ?? null,
        model: e.model ?? null,
        max_tokens: e.max_tokens ?? null,
        tokens_out: e.tokens_out ?? 0,
      })),
  )
  await upsertRerunDeltas(client, orgId, rerunDeltas)
  await upsertRepeatDeltas(client, orgId, repeatDeltas)
  return insertedIds.size
}

async function insertOutcomes(client: PoolClient, orgId: string, batchId: string, payload: TIngestOutcome[]): Promise<number> {
  const items = byId(payload)
  const col = <K extends keyof TIngestOutcome>(k: K) => items.map((o) => o[k] ?? null)
  const ins = await client.query<{ outcome_id: string }>(
    `INSERT INTO outcomes (org_id, batch_id, outcome_id, timestamp, workflow_id, run_id, account_id, feature, accepted, kind)
     SELECT $1::uuid, $2::int8, * FROM unnest($3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bool[], $10::text[])
     ON CONFLICT (org_id, outcome_id) DO NOTHING
     RETURNING outcome_id`,
    [orgId, batchId, col('id'), col('timestamp'), col('workflow_id'), col('run_id'), col('account_id'), col('feature'), col('accepted'), col('kind')],
  )
  const insertedIds = new Set(ins.rows.map((r) => r.outcome_id))
  await markProcessed(client, new Map([[batchId, insertedIds.size]]))
  await applyOutcomeRollups(
    client,
    orgId,
    items.filter((o) => insertedIds.has(o.id)),
  )
  return insertedIds.size
}

/** Batches no worker finished (lost with Redis, or a worker crash): their ids, oldest first. */
export async function pendingBatches(olderThanSeconds: number, limit = 1000): Promise<string[]> {
  // cross-org: every tenant's waiting batches (SECURITY DEFINER function)
  const r = await pool().query<{ id: string }>('SELECT id::text FROM outlay_pending_batches($1, $2)', [olderThanSeconds, limit])
  return r.rows.map((x) => x.id)
}

/** Processed batches are kept a day for audit, then dropped: the events themselves are the record. */
export async function pruneProcessedBatches(olderThanHours = 24): Promise<number> {
  // cross-org: every tenant's processed batches (SECURITY DEFINER function)
  const r = await pool().query<{ n: string }>('SELECT outlay_prune_processed_batches($1)::text AS n', [olderThanHours])
  return Number(r.rows[0].n)
}

/** The backlog, and the workers' pace: events of the batches processed in the last 10 s, per second. */
export async function queueLag(): Promise<{
  pending_batches: number
  pending_events: number
  oldest_pending_s: number | null
  processed_events_per_s: number
}> {
  // cross-org: the system's backlog, shared by every tenant (SECURITY DEFINER function)
  const r = await pool().query<{ n: string; events: string; oldest: number | null; recent: string }>(
    'SELECT pending_batches::text AS n, pending_events::text AS events, oldest_s AS oldest, recent_events::text AS recent FROM outlay_queue_lag()',
  )
  const x = r.rows[0]
  return { pending_batches: Number(x.n), pending_events: Number(x.events), oldest_pending_s: x.oldest, processed_events_per_s: Number(x.recent) / 10 }
}

/**
 * Events waiting, per organization: each one's share of the backlog bound (lib/ingest/limits.ts).
 * Reads only the waiting batches (the partial scan the backlog's total already makes).
 */
export async function pendingEventsByOrg(): Promise<Map<string, number>> {
  // cross-org: the backlog is one for every organization; the web tier weighs each one's waiting events against
  // the others' (SECURITY DEFINER function)
  const r = await pool().query<{ org_id: string; events: string }>('SELECT org_id::text, events::text FROM outlay_pending_events_by_org()')
  return new Map(r.rows.map((x) => [x.org_id, Number(x.events)]))
}
