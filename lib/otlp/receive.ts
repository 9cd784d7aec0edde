import { AppError, payloadTooLarge } from '@/lib/errors'
import { bodyEncoding, compressedLimit, gunzipLimited, parseJsonBytes, readLimited, type TBodyEncoding } from '@/lib/http/body'
import { acceptEvents, type TIngestContext } from '@/lib/ingest/accept'
import { enforceRate } from '@/lib/ingest/limits'
import { MAX_BODY_BYTES, MAX_EVENTS_PER_BATCH } from '@/lib/ingest/schema'
import { decodeTraceRequest, type TOtlpSpan } from '@/lib/otlp/decode'
import { spansToEvents, type TRejectedSpan } from '@/lib/otlp/map'
import { decodeTraceRequestProto, encodeTraceResponseProto, type TPartialSuccess } from '@/lib/otlp/proto'

// OTLP/HTTP trace export (POST …/v1/traces): body → spans → inference events →
// acceptEvents, the same validation, durability and idempotency as
// /api/v1/events. Answers in the request's encoding, as the OTLP spec asks.

export type TOtlpFormat = 'json' | 'protobuf'

/** Decompressed, like the events API's limit on its (uncompressed) JSON. */
export const MAX_OTLP_BODY_BYTES = MAX_BODY_BYTES
const MAX_LISTED_REJECTIONS = 5

export type TOtlpIngestResult = { accepted: number; duplicates: number; ignored: number; rejected: TRejectedSpan[] }

export async function receiveTraces(req: Request, ctx: TIngestContext): Promise<Response> {
  const format = formatOf(req.headers.get('content-type'))
  const body = await readBody(req, bodyEncoding(req.headers.get('content-encoding')))
  const payload = format === 'json' ? parseJsonBytes(body) : decodeTraceRequestProto(body)
  const result = await ingestSpans(ctx, decodeTraceRequest(payload))
  return traceResponse(format, partialSuccess(result))
}

/** Map the spans and hand their events to acceptEvents, at most 1000 per batch. */
export async function ingestSpans(ctx: TIngestContext, spans: TOtlpSpan[]): Promise<TOtlpIngestResult> {
  const mapped = spansToEvents(spans)
  const result: TOtlpIngestResult = { accepted: 0, duplicates: 0, ignored: mapped.ignored, rejected: [...mapped.rejected] }
  const now = ctx.now ?? new Date()
  // GenAI spans refused while mapping never reach acceptEvents: they count against the rate here (spans that
  // are not GenAI calls are not events at all and cost nothing).
  if (mapped.rejected.length > 0) await enforceRate(ctx.orgId, ctx.rateLimit, mapped.rejected.length)
  for (let i = 0; i < mapped.events.length; i += MAX_EVENTS_PER_BATCH) {
    const answer = await acceptEvents(
      { ...ctx, now, annotate: (index) => mapped.origins[i + index] },
      { events: mapped.events.slice(i, i + MAX_EVENTS_PER_BATCH) },
    )
    result.accepted += answer.accepted
    result.duplicates += answer.duplicates
    for (const r of answer.rejected) result.rejected.push({ span: mapped.sources[i + r.index], errors: r.errors })
  }
  return result
}

/** The OTLP partial success: null when every GenAI span was kept (duplicates of spans already counted are kept). */
export function partialSuccess(r: TOtlpIngestResult): TPartialSuccess | null {
  if (r.rejected.length === 0) return null
  const listed = r.rejected.slice(0, MAX_LISTED_REJECTIONS).map((x) => `${x.span}: ${x.errors.join(', ')}`)
  const more = r.rejected.length > MAX_LISTED_REJECTIONS ? `; and ${r.rejected.length - MAX_LISTED_REJECTIONS} more` : ''
  return {
    rejectedSpans: r.rejected.length,
    errorMessage: `${r.rejected.length} GenAI span${r.rejected.length === 1 ? '' : 's'} rejected: ${listed.join('; ')}${more}`,
  }
}

export function traceResponse(format: TOtlpFormat, partial: TPartialSuccess | null): Response {
  if (format === 'json') {
    return new Response(JSON.stringify(partial ? { partialSuccess: partial } : {}), { status: 200, headers: { 'content-type': 'application/json' } })
  }
  return new Response(Buffer.from(encodeTraceResponseProto(partial)), { status: 200, headers: { 'content-type': 'application/x-protobuf' } })
}

export function formatOf(contentType: string | null): TOtlpFormat {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (ct === 'application/json') return 'json'
  if (ct === 'application/x-protobuf' || ct === 'application/protobuf') return 'protobuf'
  throw new AppError('unsupported_media_type', 415, 'Content-Type must be application/json (OTLP/JSON) or application/x-protobuf (OTLP/protobuf)')
}

/** The body, decompressed, at most MAX_OTLP_BODY_BYTES: 413 beyond, before reading it all when the length is declared. */
async function readBody(req: Request, encoding: TBodyEncoding): Promise<Uint8Array> {
  const wireLimit = encoding ? compressedLimit(MAX_OTLP_BODY_BYTES) : MAX_OTLP_BODY_BYTES
  const declared = Number(req.headers.get('content-length') ?? '0')
  if (declared > wireLimit) throw payloadTooLarge(`Body is ${declared} bytes; the limit is ${MAX_OTLP_BODY_BYTES} bytes`)
  const raw = await readLimited(req, wireLimit, MAX_OTLP_BODY_BYTES)
  return encoding ? gunzipLimited(raw, MAX_OTLP_BODY_BYTES) : raw
}
