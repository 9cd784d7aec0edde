import 'server-only'
import { Counter, Gauge, Registry } from 'prom-client'
import { pool } from '@/lib/db'
import { QUEUE_INGEST, QUEUE_REPRICE, queue, producerConnection, WORKER_HEARTBEAT_KEY } from '@/lib/queues'
import { queueLag } from '@/lib/ingest/process'
import { ZInferenceEvent } from '@/lib/ingest/schema'
import { ZOutcome } from '@/lib/outcomes/schema'

// Prometheus metrics of the web tier (GET /api/metrics/prometheus). Counters
// are this process's; queue depth, backlog, batch latency and live workers are
// read from Redis and PostgreSQL at scrape time, so they hold for the whole system.

type TMetrics = {
  registry: Registry
  ingestEvents: Counter<'kind' | 'result'>
  ingestRejects: Counter<'kind' | 'field'>
  throttled: Counter<'reason'>
  gatewayDropped: Counter<'reason'>
  gatewayBuffered: Gauge
  /** Reads the system-wide gauges (queues, backlog, latency, workers) from Redis and PostgreSQL. */
  refresh: () => Promise<void>
}
const g = globalThis as unknown as { __outlayMetrics?: TMetrics }

function metrics(): TMetrics {
  if (g.__outlayMetrics) return g.__outlayMetrics
  const registry = new Registry()
  const m: TMetrics = {
    registry,
    ingestEvents: new Counter({
      name: 'outlay_ingest_items_total',
      help: 'Items received by the ingest API, by kind (events, outcomes) and result (accepted, duplicate, rejected)',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    ingestRejects: new Counter({
      name: 'outlay_ingest_rejects_total',
      help: 'Rejected items by the first field named in their errors',
      labelNames: ['kind', 'field'],
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'outlay_ingest_throttled_total',
      help: 'Ingest requests answered 429, by reason (rate_limit, backlog)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    gatewayDropped: new Counter({
      name: 'outlay_gateway_events_dropped_total',
      help: 'Gateway events lost before PostgreSQL stored them (the call itself succeeded), by reason (buffer_full: the bounded buffer overflowed while the database was slow or away; rejected: the event did not validate)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    gatewayBuffered: new Gauge({
      name: 'outlay_gateway_events_buffered',
      help: 'Gateway events waiting in this process for PostgreSQL',
      registers: [registry],
    }),
    refresh: async () => undefined,
  }
  const jobs = new Gauge({ name: 'outlay_queue_jobs', help: 'Jobs in the queues by state', labelNames: ['queue', 'state'], registers: [registry] })
  const pending = new Gauge({ name: 'outlay_ingest_pending_batches', help: 'Accepted batches no worker has processed yet', registers: [registry] })
  const pendingEvents = new Gauge({
    name: 'outlay_ingest_pending_events',
    help: "Accepted events no worker has counted yet (back-pressure past INGEST_MAX_BACKLOG_SECONDS of the workers' pace, within INGEST_MIN_BACKLOG_EVENTS and INGEST_MAX_PENDING_EVENTS)",
    registers: [registry],
  })
  const oldest = new Gauge({ name: 'outlay_ingest_oldest_pending_seconds', help: 'Age of the oldest unprocessed batch', registers: [registry] })
  const latency = new Gauge({
    name: 'outlay_ingest_batch_latency_seconds',
    help: 'Accepted → processed time of batches processed in the last 5 minutes',
    labelNames: ['quantile'],
    registers: [registry],
  })
  const workers = new Gauge({ name: 'outlay_workers_alive', help: 'Worker processes with a heartbeat in the last 20 s', registers: [registry] })
  const scrapeOk = new Gauge({ name: 'outlay_scrape_ok', help: '1 when the last scrape could read Redis and PostgreSQL', registers: [registry] })
  m.refresh = async () => {
    let ok = 1
    const fail = () => void (ok = 0)
    await Promise.all([
      ...[QUEUE_INGEST, QUEUE_REPRICE].map(async (name) => {
        const c = await queue(name)
          .getJobCounts('waiting', 'active', 'delayed', 'failed')
          .catch(() => (fail(), {} as Record<string, number>))
        for (const [state, n] of Object.entries(c)) jobs.set({ queue: name, state }, n)
      }),
      queueLag().then((l) => {
        pending.set(l.pending_batches)
        pendingEvents.set(l.pending_events)
        oldest.set(l.oldest_pending_s ?? 0)
      }, fail),
      // cross-org: the whole system's freshness (SECURITY DEFINER function)
      pool()
        .query<{ p50: number | null; p99: number | null }>('SELECT p50, p99 FROM outlay_ingest_freshness()')
        .then((r) => {
          latency.set({ quantile: '0.5' }, r.rows[0].p50 ?? 0)
          latency.set({ quantile: '0.99' }, r.rows[0].p99 ?? 0)
        }, fail),
      producerConnection()
        .zcount(WORKER_HEARTBEAT_KEY(), Date.now() - 20_000, '+inf')
        .then((n) => workers.set(n), fail),
    ])
    scrapeOk.set(ok)
  }
  g.__outlayMetrics = m
  return m
}

// The `field` label's values: the contract's fields and the item itself. An error line names whatever key a
// client sent ("<key>: unknown field"); every other name is counted as "other", so that no sender can grow the
// label set (each distinct value is a time series kept by this process and by Prometheus).
const REJECT_FIELDS = {
  events: new Set<string>([...Object.keys(ZInferenceEvent.shape), '(event)']),
  outcomes: new Set<string>([...Object.keys(ZOutcome.shape), '(outcome)']),
}

/** The `field` label of a rejected item: the first field its errors name, when the contract knows it; else "other". */
export function rejectFieldLabel(kind: 'events' | 'outcomes', errors: string[]): string {
  const first = errors[0]
  if (first === undefined) return 'other'
  const colon = first.indexOf(':')
  const path = colon < 0 ? first : first.slice(0, colon)
  const dot = path.indexOf('.')
  const field = dot < 0 ? path : path.slice(0, dot)
  return REJECT_FIELDS[kind].has(field) && !first.endsWith(': unknown field') ? field : 'other'
}

export function recordIngest(kind: 'events' | 'outcomes', counts: { accepted: number; duplicates: number; rejected: { errors: string[] }[] }): void {
  const m = metrics()
  m.ingestEvents.inc({ kind, result: 'accepted' }, counts.accepted)
  m.ingestEvents.inc({ kind, result: 'duplicate' }, counts.duplicates)
  m.ingestEvents.inc({ kind, result: 'rejected' }, counts.rejected.length)
  for (const r of counts.rejected) m.ingestRejects.inc({ kind, field: rejectFieldLabel(kind, r.errors) })
}

export function recordThrottle(reason: 'rate_limit' | 'backlog'): void {
  metrics().throttled.inc({ reason })
}

/** Gateway events that will never be stored (lib/gateway/recorder.ts): counted, so the loss alerts rather than hides. */
export function recordGatewayDrop(reason: 'buffer_full' | 'rejected', n = 1): void {
  metrics().gatewayDropped.inc({ reason }, n)
}

/** The gateway's dropped events so far, by reason (tests and the recorder's log line). */
export async function gatewayDroppedTotal(): Promise<number> {
  const v = await metrics().gatewayDropped.get()
  return v.values.reduce((n, x) => n + x.value, 0)
}

export function setGatewayBuffered(n: number): void {
  metrics().gatewayBuffered.set(n)
}

export async function prometheusText(): Promise<{ contentType: string; body: string }> {
  const m = metrics()
  await m.refresh()
  return { contentType: m.registry.contentType, body: await m.registry.metrics() }
}
