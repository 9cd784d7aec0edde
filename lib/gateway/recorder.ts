import { asOrg } from '@/lib/db'
import { env } from '@/lib/env'
import { log } from '@/lib/log'
import { acceptEvents } from '@/lib/ingest/accept'
import { recordGatewayDrop, setGatewayBuffered } from '@/lib/observability/metrics'

// The gateway's measurement never holds up the call it measures: each
// attempt's event waits in this process's memory, and is stored within about
// GATEWAY_EVENT_FLUSH_MS through the ingest path itself (acceptEvents: validated, durable in
// PostgreSQL, counted exactly once by id). When PostgreSQL is slow or away the
// events keep waiting — a bounded buffer, GATEWAY_EVENT_BUFFER_MAX — and are
// retried; past the bound the oldest are dropped, counted
// (outlay_gateway_events_dropped_total) and logged, never silently. What this
// buffer holds is lost if the process dies: at most about one second of
// events in normal operation.

/** An event as POST /api/v1/events takes it (lib/ingest/schema.ts). */
export type TGatewayEvent = Record<string, unknown> & { id: string }

/** The workflow or step of a call that sent no x-outlay-workflow / x-outlay-step header. */
export const UNLABELED = 'unlabeled'
/** Telemetry health: the attribution a gateway call left out (labelled UNLABELED by the pipeline). */
const unlabeled = (e: TGatewayEvent | undefined) => ({ defaulted: (['workflow_id', 'step'] as const).filter((f) => e?.[f] === UNLABELED) })

/** the wait before a flush starts (GATEWAY_EVENT_FLUSH_MS, 100 ms by default) */
const flushMs = () => env().GATEWAY_EVENT_FLUSH_MS
/** a flush that failed waits this long before the next try */
const RETRY_MS = 1_000
const MAX_PER_BATCH = 1_000

type TState = {
  buf: { orgId: string; event: TGatewayEvent }[]
  timer: NodeJS.Timeout | null
  flushing: Promise<void> | null
  lastLog: number
  unlogged: number
  maxOverride: number | null
}
const g = globalThis as unknown as { __outlayGatewayRecorder?: TState }
const st = (g.__outlayGatewayRecorder ??= { buf: [], timer: null, flushing: null, lastLog: 0, unlogged: 0, maxOverride: null })

const bufferMax = () => st.maxOverride ?? env().GATEWAY_EVENT_BUFFER_MAX

/** Tests only: a smaller bound than GATEWAY_EVENT_BUFFER_MAX (null: back to it). */
export function setGatewayBufferMaxForTests(n: number | null): void {
  if (!process.env.VITEST) throw new Error('setGatewayBufferMaxForTests is for tests')
  st.maxOverride = n
}

function logDrops(n: number, why: string): void {
  st.unlogged += n
  const now = Date.now()
  if (now - st.lastLog < 10_000) return
  log({ component: 'gateway', dropped: st.unlogged }).warn(
    `measurement events dropped (${why}); the calls themselves were answered (outlay_gateway_events_dropped_total)`,
  )
  st.lastLog = now
  st.unlogged = 0
}

/** Queue one event for storage; never throws, never waits. */
export function recordGatewayEvent(orgId: string, event: TGatewayEvent): void {
  const max = bufferMax()
  while (st.buf.length >= max) {
    st.buf.shift()
    recordGatewayDrop('buffer_full')
    logDrops(1, `more than ${max} waiting for PostgreSQL`)
  }
  st.buf.push({ orgId, event })
  setGatewayBuffered(st.buf.length)
  schedule(st.buf.length >= MAX_PER_BATCH ? 0 : flushMs())
}

function schedule(ms: number): void {
  if (st.timer || st.flushing) return
  st.timer = setTimeout(() => {
    st.timer = null
    st.flushing = flushOnce().finally(() => {
      st.flushing = null
      setGatewayBuffered(st.buf.length)
      // The next flush GATEWAY_EVENT_FLUSH_MS after this one (at once only for a full batch): flushing again as soon as one
      // finished stored ~9 events a batch at 500 calls/s, a PostgreSQL round trip, a queue job and a worker
      // transaction per handful of calls (docs/benchmarks/gateway.md, session 36).
      if (st.buf.length) schedule(failedLast ? RETRY_MS : st.buf.length >= MAX_PER_BATCH ? 0 : flushMs())
    })
  }, ms)
  st.timer.unref?.()
}

let failedLast = false

async function flushOnce(): Promise<void> {
  const taken = st.buf.splice(0, st.buf.length)
  const byOrg = new Map<string, TGatewayEvent[]>()
  for (const x of taken) {
    const l = byOrg.get(x.orgId) ?? []
    l.push(x.event)
    byOrg.set(x.orgId, l)
  }
  const retry: { orgId: string; event: TGatewayEvent }[] = []
  failedLast = false
  for (const [orgId, events] of byOrg) {
    for (let i = 0; i < events.length; i += MAX_PER_BATCH) {
      const chunk = events.slice(i, i + MAX_PER_BATCH)
      try {
        // rateLimit null: the organization's default ingest rate; its backlog bound still holds (a 429 is retried here)
        const a = await asOrg(orgId, () =>
          acceptEvents({ orgId, rateLimit: null, source: 'gateway', annotate: (index) => unlabeled(chunk[index]) }, { events: chunk }),
        )
        if (a.rejected.length) {
          recordGatewayDrop('rejected', a.rejected.length)
          log({ component: 'gateway', org_id: orgId, rejected: a.rejected.length }).warn(
            `measurement events rejected by validation: ${a.rejected
              .slice(0, 3)
              .map((r) => r.errors.join('; '))
              .join(' | ')}`,
          )
        }
      } catch (e) {
        failedLast = true
        log({ component: 'gateway', org_id: orgId, events: chunk.length }).warn({ err: e }, 'storing measurement events failed, retrying')
        for (const event of chunk) retry.push({ orgId, event })
      }
    }
  }
  if (retry.length) {
    // the events that failed go back before the ones that arrived meanwhile, within the bound (the oldest go first)
    st.buf.unshift(...retry)
    const max = bufferMax()
    if (st.buf.length > max) {
      const n = st.buf.length - max
      st.buf.splice(0, n)
      recordGatewayDrop('buffer_full', n)
      logDrops(n, `more than ${max} waiting for PostgreSQL`)
    }
  }
}

/** Wait until every event queued so far was stored or given up on (shutdown, tests). */
export async function flushGatewayEvents(timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while ((st.buf.length || st.flushing || st.timer) && Date.now() < until) {
    if (st.timer && !st.flushing) {
      clearTimeout(st.timer)
      st.timer = null
      schedule(0)
    }
    await (st.flushing ?? new Promise((r) => setTimeout(r, 10)))
  }
}

/** Events waiting in this process. */
export const gatewayEventsWaiting = () => st.buf.length
