import { AsyncLocalStorage } from 'node:async_hooks'
import { pino, type DestinationStream, type Logger } from 'pino'
import { logLevel, type TLogLevel } from '@/lib/env'
import { currentOrg } from '@/lib/tenant'

// Structured logs: one JSON object per line on standard output, level from LOG_LEVEL (lib/env.ts). A line
// says what happened in `msg` and carries what it happened to as fields, so a log store can filter by them:
//   org_id      the organization (added by log() inside asOrg, lib/tenant.ts)
//   request_id  the HTTP request (x-request-id, lib/http/request-id.ts)
//   queue, job_id, batch_id, …  the job a worker runs (jobLogFields)
//   component   the part of Outlay that speaks (db, auth, ingest, …)
//   err         an Error (pino's serializer: type, message, stack)
// Code logs through log(), never through the root logger: log() adds the fields of the scope it runs in.

export type TLogFields = {
  org_id?: string
  request_id?: string
  queue?: string
  job_id?: string
  batch_id?: string
  component?: string
  [field: string]: unknown
}

/** A logger writing JSON lines to `destination` (default: standard output). Tests pass a buffer. */
export function createLogger(level: TLogLevel = logLevel(), destination?: DestinationStream): Logger {
  const options = {
    level,
    // "level":"info" rather than pino's numbers; ISO times, which people and log stores read alike
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  }
  return destination ? pino(options, destination) : pino(options)
}

/** The root logger of this process. */
export const logger: Logger = createLogger()

// The fields of the request or job the current code serves. On globalThis, as the tenant is: Next.js bundles
// its own copy of this module beside server.ts's.
const g = globalThis as unknown as { __outlayLogContext?: AsyncLocalStorage<TLogFields> }
const context = (g.__outlayLogContext ??= new AsyncLocalStorage<TLogFields>())

/** Run fn with `fields` on every line logged through log() by it and by what it awaits (nested scopes add up). */
export function withLogContext<T>(fields: TLogFields, fn: () => T): T {
  return context.run({ ...context.getStore(), ...defined(fields) }, fn)
}

/** The fields of the current scope: its organization, its request or job. */
export function logContext(): TLogFields {
  const org = currentOrg()
  return { ...context.getStore(), ...(org ? { org_id: org } : {}) }
}

/**
 * The logger for the current code: a child of `base` (default: the root logger) carrying the scope's fields
 * (logContext) and `fields`. Built when called, so scopes cost nothing until something is logged.
 */
export function log(fields: TLogFields = {}, base: Logger = logger): Logger {
  const all = { ...logContext(), ...defined(fields) }
  return Object.keys(all).length === 0 ? base : base.child(all)
}

/** A bug reached an entry point (a route, a fast path): logged with the request's fields, answered 500. */
export function logUnexpected(err: unknown): void {
  log({ component: 'http' }).error({ err }, 'unexpected error')
}

/** The fields of a queue job: its queue and id, and the organization, batch, … its payload names. */
export function jobLogFields(job: { queueName: string; id?: string | null; data?: unknown } | undefined, queue?: string): TLogFields {
  const data = (job?.data && typeof job.data === 'object' ? job.data : {}) as Record<string, unknown>
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)
  return defined({
    queue: job?.queueName ?? queue,
    job_id: str(job?.id),
    org_id: str(data.orgId),
    batch_id: str(data.batchId),
    reprice_id: str(data.repriceId),
    delivery_id: str(data.deliveryId),
  })
}

/** A queue processor whose lines carry its job's fields (jobLogFields). */
export function withJobLog<J extends { queueName: string; id?: string | null; data?: unknown }, R>(processor: (job: J) => Promise<R>): (job: J) => Promise<R> {
  return (job) => withLogContext(jobLogFields(job), () => processor(job))
}

function defined(fields: TLogFields): TLogFields {
  const out: TLogFields = {}
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) out[k] = v
  return out
}
