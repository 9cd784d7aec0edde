import { pool } from '@/lib/db'
import { enqueueIngest } from '@/lib/queues'
import { parseOrThrow } from '@/lib/validation'
import { validateEvent, ZEventsEnvelope, type TIngestAnswer, type TIngestEvent, type TRejected } from '@/lib/ingest/schema'

export type TIngestContext = { orgId: string; defaultEnvironment?: string | null; now?: Date }

/**
 * Validate a parsed body, persist the valid events as one batch in PostgreSQL
 * (durable before we answer 202), then queue a reference to it. If Redis is
 * away the batch waits in PostgreSQL and the reconciler queues it later.
 */
export async function acceptEvents(ctx: TIngestContext, body: unknown): Promise<TIngestAnswer> {
  const envelope = parseOrThrow(ZEventsEnvelope, body, 'Invalid request body: expected {"events": [...]} with 1 to 1000 events')

  const now = ctx.now ?? new Date()
  const rejected: TRejected[] = []
  const valid: TIngestEvent[] = []
  const seen = new Set<string>()
  let duplicates = 0
  envelope.events.forEach((raw, index) => {
    const r = validateEvent(raw, { now, defaultEnvironment: ctx.defaultEnvironment })
    if (!r.ok) return void rejected.push({ index, errors: r.errors })
    if (seen.has(r.event.id)) return void duplicates++
    seen.add(r.event.id)
    valid.push(r.event)
  })
  if (valid.length === 0) return { accepted: 0, duplicates, rejected }

  const client = await pool().connect()
  let batchId: string | null = null
  let fresh: TIngestEvent[] = valid
  try {
    // Ids already stored are duplicates now. Ids still waiting in another
    // batch are caught by the worker's ON CONFLICT: counted once either way.
    const known = await client.query<{ event_id: string }>(
      'SELECT event_id FROM inference_events WHERE org_id = $1 AND event_id = ANY($2::text[])',
      [ctx.orgId, valid.map((e) => e.id)],
    )
    if (known.rowCount) {
      const knownIds = new Set(known.rows.map((r) => r.event_id))
      fresh = valid.filter((e) => !knownIds.has(e.id))
      duplicates += valid.length - fresh.length
    }
    if (fresh.length > 0) {
      const ins = await client.query<{ id: string }>(
        'INSERT INTO ingest_batches (org_id, kind, payload, event_count) VALUES ($1, $2, $3::jsonb, $4) RETURNING id::text',
        [ctx.orgId, 'events', JSON.stringify(fresh), fresh.length],
      )
      batchId = ins.rows[0].id
    }
  } finally {
    client.release()
  }
  if (batchId) await enqueueIngest([batchId]).catch((e) => console.warn(`[ingest] batch ${batchId} saved, queueing deferred to the reconciler: ${(e as Error).message}`))
  return { accepted: fresh.length, duplicates, rejected }
}
