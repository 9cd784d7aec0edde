import 'server-only'
import { pool } from '@/lib/db'
import { enqueueIngest, redisAvailable } from '@/lib/queues'
import type { z } from 'zod'
import { parseOrThrow } from '@/lib/validation'
import { enforceIngestLimits, enforceRate } from '@/lib/ingest/limits'
import { recordIngest } from '@/lib/observability/metrics'
import { validateOutcome, ZOutcomesEnvelope, type TIngestOutcome } from '@/lib/outcomes/schema'
import { validateEvent, ZEventsEnvelope, type TDefaultedField, type TIngestAnswer, type TIngestEvent, type TRejected } from '@/lib/ingest/schema'
import { log } from '@/lib/log'
import { DAY_MS } from '@/lib/domain'
import { rawEventRetentionDays } from '@/lib/ingest/retention'

export type TIngestContext = {
  orgId: string
  defaultEnvironment?: string | null
  now?: Date
  rateLimit?: number | null
  /** Where the events come from (telemetry health): "key:<id>", "member:<id>", "gateway", "evals". */
  source?: string
  /** Per event (its index in the request): its own source, and attribution fields the sender left out that the caller filled in. */
  annotate?: (index: number) => { source?: string; defaulted?: readonly TDefaultedField[] } | undefined
}

/** The source of a request's events from its route context: the API key's or the signed-in member's. */
export const sourceOf = (actor: { type: string; id: string | null }): string | undefined =>
  actor.id === null ? undefined : actor.type === 'api_key' ? `key:${actor.id}` : `member:${actor.id}`

type TBatchKind<T extends { id: string }> = {
  kind: 'events' | 'outcomes'
  envelope: z.ZodType<Record<string, unknown[]>>
  listKey: string
  /** Table whose (org_id, <idColumn>) already holds the ids that were counted. */
  table: 'inference_event_ids' | 'outcomes'
  idColumn: 'event_id' | 'outcome_id'
  validate: (raw: unknown, ctx: TIngestContext & { now: Date }, index: number) => { ok: true; item: T } | { ok: false; errors: string[] }
}

const EVENTS: TBatchKind<TIngestEvent> = {
  kind: 'events',
  envelope: ZEventsEnvelope,
  listKey: 'events',
  // the ids of the stored events (inference_events is partitioned by time: its own keys hold the timestamp)
  table: 'inference_event_ids',
  idColumn: 'event_id',
  validate: (raw, ctx, index) => {
    const r = validateEvent(raw, ctx)
    if (!r.ok) return r
    // the event is validateEvent's own new object: set the server's fields on it, no copy per event
    const e = r.event
    const more = ctx.annotate?.(index)
    const source = more?.source ?? ctx.source
    if (source) e.source = source
    if (more?.defaulted?.length) e.defaulted = [...more.defaulted, ...(e.defaulted ?? [])]
    return { ok: true, item: e }
  },
}

const OUTCOMES: TBatchKind<TIngestOutcome> = {
  kind: 'outcomes',
  envelope: ZOutcomesEnvelope,
  listKey: 'outcomes',
  table: 'outcomes',
  idColumn: 'outcome_id',
  validate: validateOutcome,
}

/** POST /api/v1/events */
export const acceptEvents = (ctx: TIngestContext, body: unknown) => acceptBatch(EVENTS, ctx, body)
/** POST /api/v1/outcomes */
export const acceptOutcomes = (ctx: TIngestContext, body: unknown) => acceptBatch(OUTCOMES, ctx, body)

/**
 * Validate a parsed body, persist the valid items as one batch in PostgreSQL
 * (durable before we answer 202), then queue a reference to it. If Redis is
 * away the batch waits in PostgreSQL and the reconciler queues it later.
 */
async function acceptBatch<T extends { id: string }>(spec: TBatchKind<T>, ctx: TIngestContext, body: unknown): Promise<TIngestAnswer> {
  const envelope = parseOrThrow(spec.envelope, body, `Invalid request body: expected {"${spec.listKey}": [...]} with 1 to 1000 ${spec.listKey}`)
  const now = ctx.now ?? new Date()
  const rejected: TRejected[] = []
  const valid: T[] = []
  const seen = new Set<string>()
  let duplicates = 0
  // Events older than the organization's raw-event retention are refused: their rows would be deleted at once, and
  // with them the ids that make a replay a duplicate (lib/ingest/retention.ts).
  const retention = spec.kind === 'events' ? await rawEventRetentionDays(ctx.orgId) : null
  const oldest = retention === null ? null : now.getTime() - retention * DAY_MS
  envelope[spec.listKey].forEach((raw, index) => {
    const r = spec.validate(raw, { ...ctx, now }, index)
    if (!r.ok) return void rejected.push({ index, errors: r.errors })
    if (oldest !== null && Date.parse((r.item as { timestamp?: string }).timestamp ?? '') < oldest)
      return void rejected.push({ index, errors: [`timestamp: is older than the organization's raw-event retention (${retention} days)`] })
    if (seen.has(r.item.id)) return void duplicates++
    seen.add(r.item.id)
    valid.push(r.item)
  })
  // Every item submitted counts against the organization's rate, the rejected ones too: a batch of nothing
  // but bad events costs the same parsing and validation, and would otherwise never be throttled.
  const submitted = envelope[spec.listKey].length
  if (valid.length === 0) {
    await enforceRate(ctx.orgId, ctx.rateLimit, submitted) // nothing will wait in the backlog
    recordIngest(spec.kind, { accepted: 0, duplicates, rejected })
    return { accepted: 0, duplicates, rejected }
  }
  await enforceIngestLimits(ctx.orgId, ctx.rateLimit, submitted)

  const client = await pool().connect()
  let batchId: string | null = null
  let fresh: T[] = valid
  try {
    // Ids already stored are duplicates now. Ids still waiting in another
    // batch are caught by the worker's ON CONFLICT: counted once either way.
    // One primary-key probe per id (LATERAL … LIMIT 1 forces the nested loop):
    // a plain join, planned without statistics, read every event of the
    // organization through another index — 21 ms per request at 80k events,
    // growing with the table (bench:ingest), against 1 ms this way.
    const known = await client.query<{ id: string }>(
      `SELECT u.id FROM unnest($2::text[]) AS u(id)
       CROSS JOIN LATERAL (SELECT 1 FROM ${spec.table} t WHERE t.org_id = $1 AND t.${spec.idColumn} = u.id LIMIT 1) hit`,
      [ctx.orgId, valid.map((e) => e.id)],
    )
    if (known.rowCount) {
      const knownIds = new Set(known.rows.map((r) => r.id))
      fresh = valid.filter((e) => !knownIds.has(e.id))
      duplicates += valid.length - fresh.length
    }
    if (fresh.length > 0) {
      const ins = await client.query<{ id: string }>(
        'INSERT INTO ingest_batches (org_id, kind, payload, event_count) VALUES ($1, $2, $3::json, $4) RETURNING id::text',
        [ctx.orgId, spec.kind, JSON.stringify(fresh), fresh.length],
      )
      batchId = ins.rows[0].id
    }
  } finally {
    client.release()
  }
  if (batchId && (await redisAvailable())) {
    await enqueueIngest([batchId], ctx.orgId).catch((err) =>
      log({ component: 'ingest', batch_id: batchId }).warn({ err }, 'batch saved, queueing deferred to the reconciler'),
    )
  }
  const answer = { accepted: fresh.length, duplicates, rejected }
  recordIngest(spec.kind, answer)
  return answer
}
