import { fromOtelGenAiAttributes } from '@/lib/cost/usage'
import { ENVIRONMENTS } from '@/lib/domain'
import type { TDefaultedField } from '@/lib/ingest/schema'
import { STATUS_ERROR, type TAttrValue, type TAttributes, type TOtlpSpan } from '@/lib/otlp/decode'

// One span → one inference event (the ingest contract of PRODUCT.md), read
// from the OpenTelemetry GenAI semantic conventions plus our `outlay.*`
// attributes. The event is not validated here: acceptEvents validates it like
// any event sent to /api/v1/events, so the rules live in one place.

export type TSpanEvent = Record<string, unknown> & { id: string }

/** Where a span's event came from (telemetry health): its service, and the attribution it left out. */
export type TSpanOrigin = { source: string; defaulted: TDefaultedField[] }
export type TSpanMapping = { kind: 'ignored' } | { kind: 'event'; event: TSpanEvent; origin: TSpanOrigin } | { kind: 'rejected'; errors: string[] }

/** gen_ai.operation.name → call_type. Absent: a generation (the event default); unknown names: other. */
const CALL_TYPE_BY_OPERATION: Record<string, string> = {
  chat: 'generation',
  text_completion: 'generation',
  generate_content: 'generation',
  embeddings: 'embedding',
  execute_tool: 'tool',
}

// Event fields that `outlay.<field>` sets directly, by the type the event schema expects.
const TEXT_FIELDS = [
  'workflow_id',
  'step',
  'run_id',
  'account_id',
  'user_id',
  'feature',
  'scenario_id',
  'owner',
  'environment',
  'traffic_source',
  'outcome',
  'call_type',
  'input_hash',
  'output_hash',
  'prompt_version',
  'provider',
  'model',
  'gpu_pool',
] as const
const INT_FIELDS = ['attempt', 'max_tokens', 'requests'] as const
const NUMBER_FIELDS = ['cost_usd', 'gpu_seconds'] as const
const METADATA_PREFIX = 'outlay.metadata.'

const HEX32 = /^[0-9a-f]{32}$/
const HEX16 = /^[0-9a-f]{16}$/

const AGGREGATE_OPERATIONS = new Set(['invoke_agent', 'create_agent'])

/** A span counts as an inference call when it carries any gen_ai.* attribute of its own; all other spans are ignored. */
export function isGenAiSpan(span: TOtlpSpan): boolean {
  return Object.keys(span.attributes).some((k) => k.startsWith('gen_ai.'))
}

export function spanToEvent(span: TOtlpSpan): TSpanMapping {
  if (!isGenAiSpan(span)) return { kind: 'ignored' }
  const traceId = typeof span.traceId === 'string' ? span.traceId.toLowerCase() : ''
  const spanId = typeof span.spanId === 'string' ? span.spanId.toLowerCase() : ''
  const errors: string[] = []
  if (!HEX32.test(traceId) || /^0+$/.test(traceId)) errors.push('traceId: must be 32 hex characters, not all zero')
  if (!HEX16.test(spanId) || /^0+$/.test(spanId)) errors.push('spanId: must be 16 hex characters, not all zero')
  if (errors.length) return { kind: 'rejected', errors }

  // Resource attributes apply to every span of the resource; the span's own win.
  const a: TAttributes = { ...span.resource, ...span.attributes }
  const operation = str(a['gen_ai.operation.name'])
  // Agent spans wrap the model calls of their children, and some
  // instrumentations repeat the children's usage on them: counting them too
  // would count those tokens twice.
  if (operation && AGGREGATE_OPERATIONS.has(operation.toLowerCase())) return { kind: 'ignored' }
  // A tool call with no model of its own costs nothing to price: not an error.
  if (operation?.toLowerCase() === 'execute_tool' && !str(a['outlay.model']) && !str(a['gen_ai.request.model']) && !str(a['gen_ai.response.model']))
    return { kind: 'ignored' }
  const event: TSpanEvent = {
    id: `${traceId}-${spanId}`,
    workflow_id: str(span.resource['service.name']) ?? 'unknown',
    step: operation ?? (span.name || undefined),
    provider: str(a['gen_ai.provider.name']) ?? str(a['gen_ai.system']),
    // The model actually invoked (response) over the one asked for (request).
    model: str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']),
    call_type: operation === undefined ? undefined : (CALL_TYPE_BY_OPERATION[operation.toLowerCase()] ?? 'other'),
    max_tokens: int(a['gen_ai.request.max_tokens']),
    environment: deploymentEnvironment(a),
    outcome: span.statusCode === STATUS_ERROR ? 'error' : undefined,
    // One trace is one execution of the workflow unless outlay.run_id says otherwise.
    run_id: traceId,
  }

  const start = span.startTimeUnixNano
  const end = span.endTimeUnixNano
  if (start !== null && start > 0n) {
    event.timestamp = new Date(Number(start / 1_000_000n)).toISOString()
    if (end !== null && end >= start) event.latency_ms = Number(end - start) / 1e6
  }

  const usage = fromOtelGenAiAttributes(a)
  if (usage) {
    event.tokens_in = usage.tokens_in
    event.cached_tokens_in = usage.cached_tokens_in
    event.cache_write_tokens = usage.cache_write_tokens
    event.tokens_out = usage.tokens_out
  }

  // outlay.* attributes are the caller saying exactly what it means: they win.
  for (const f of TEXT_FIELDS) set(event, f, text(a[`outlay.${f}`]))
  for (const f of INT_FIELDS) set(event, f, int(a[`outlay.${f}`]))
  for (const f of NUMBER_FIELDS) set(event, f, num(a[`outlay.${f}`]))
  set(event, 'response_cache_hit', bool(a['outlay.response_cache_hit']))
  set(event, 'response_cache_savings_usd', text(a['outlay.response_cache_savings_usd']))
  const metadata: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(a)) {
    if (!k.startsWith(METADATA_PREFIX) || k.length === METADATA_PREFIX.length) continue
    const value = text(v)
    if (value !== undefined) metadata[k.slice(METADATA_PREFIX.length)] = value
  }
  if (Object.keys(metadata).length) event.metadata = metadata

  for (const k of Object.keys(event)) if (event[k] === undefined) delete event[k]
  // the workflow from service.name is a label the sender chose; a step from the operation or span name is a guess
  const service = str(span.resource['service.name'])
  const defaulted: TDefaultedField[] = []
  if (text(a['outlay.workflow_id']) === undefined && service === undefined) defaulted.push('workflow_id')
  if (text(a['outlay.step']) === undefined) defaulted.push('step')
  return { kind: 'event', event, origin: { source: `otel:${service ?? 'unknown'}`, defaulted } }
}

function set(event: TSpanEvent, field: string, value: unknown): void {
  if (value !== undefined) event[field] = value
}

/**
 * A string attribute. Numbers and booleans are spelled out (an account id sent
 * as an int); empty strings read as absent. Arrays and maps pass through so the
 * event validation names the field and its problem.
 */
function text(v: TAttrValue | undefined): unknown {
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return typeof v === 'string' ? v.trim() || undefined : v
}

/** A string attribute, or undefined when absent, empty or not a scalar. */
function str(v: TAttrValue | undefined): string | undefined {
  const t = text(v)
  return typeof t === 'string' ? t : undefined
}

/** A boolean attribute; "true" and "false" strings are read as booleans, anything else passes through to fail validation by name. */
function bool(v: TAttrValue | undefined): unknown {
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true'
  return v
}

/** A numeric attribute; numeric strings are read as numbers, anything else passes through to fail validation by name. */
function num(v: TAttrValue | undefined): unknown {
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return v
}

const int = num

/** The OpenTelemetry resource convention, when it names one of our environments ("prod" and the like are left to the key's default). */
function deploymentEnvironment(a: TAttributes): string | undefined {
  for (const k of ['deployment.environment.name', 'deployment.environment']) {
    const v = a[k]
    if (typeof v !== 'string') continue
    const env = ENVIRONMENTS.find((e) => e === v.trim().toLowerCase())
    if (env) return env
  }
  return undefined
}

export type TRejectedSpan = { span: string; errors: string[] }
export type TMappedSpans = {
  events: TSpanEvent[]
  /** Per event, the span it came from ("<traceId>/<spanId> <name>"), to name it in errors. */
  sources: string[]
  /** Per event, its service and the attribution it left out. */
  origins: TSpanOrigin[]
  rejected: TRejectedSpan[]
  ignored: number
}

/** Every span of a request → the events of its GenAI spans; malformed GenAI spans are listed, the others ignored. */
export function spansToEvents(spans: TOtlpSpan[]): TMappedSpans {
  const out: TMappedSpans = { events: [], sources: [], origins: [], rejected: [], ignored: 0 }
  for (const span of spans) {
    const m = spanToEvent(span)
    if (m.kind === 'ignored') out.ignored++
    else if (m.kind === 'rejected') out.rejected.push({ span: describeSpan(span), errors: m.errors })
    else {
      out.events.push(m.event)
      out.sources.push(describeSpan(span))
      out.origins.push(m.origin)
    }
  }
  return out
}

export function describeSpan(span: TOtlpSpan): string {
  const id = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 32) : '?')
  return `span ${id(span.traceId)}/${id(span.spanId)}${span.name ? ` "${span.name.slice(0, 80)}"` : ''}`
}
