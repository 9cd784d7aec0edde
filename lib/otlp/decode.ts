import { z } from 'zod'
import { badRequest } from '@/lib/errors'
import { parseOrThrow } from '@/lib/validation'

// The OTLP/JSON encoding of ExportTraceServiceRequest (opentelemetry-proto's
// JSON mapping: lowerCamelCase keys, trace/span ids as hex, int64 and fixed64
// as decimal strings or numbers, enums as integers) → plain spans with their
// attributes flattened to JS values. Protobuf requests arrive here in the same
// shape (proto.ts). Unknown fields are ignored, as OTLP receivers must.

/** An attribute value: AnyValue without its wrapper. int64 that fit a JS number become numbers; larger ones stay decimal strings. */
export type TAttrValue = string | number | boolean | null | TAttrValue[] | { [key: string]: TAttrValue }
export type TAttributes = Record<string, TAttrValue>

export type TOtlpSpan = {
  /** As sent (hex expected); checked when the span becomes an event. */
  traceId: unknown
  spanId: unknown
  name: string
  startTimeUnixNano: bigint | null
  endTimeUnixNano: bigint | null
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number
  statusMessage: string | null
  attributes: TAttributes
  /** The attributes of the span's resource (service.name, …). */
  resource: TAttributes
}

export const STATUS_ERROR = 2
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 }
const MAX_DEPTH = 64

const INT64_MESSAGE = 'must be an integer or a string of digits'
const ZInt64 = z.union([z.number().refine(Number.isInteger, INT64_MESSAGE), z.string().regex(/^-?\d+$/, INT64_MESSAGE)], { error: INT64_MESSAGE })
const UINT64_MESSAGE = 'must be a non-negative integer or a string of digits'
// Nanosecond times exceed 2^53: no safe-integer check on numbers (z.int() has one), digits in strings.
const ZUint64 = z
  .union([z.number().refine((n) => Number.isInteger(n) && n >= 0, UINT64_MESSAGE), z.string().regex(/^\d+$/, UINT64_MESSAGE)], { error: UINT64_MESSAGE })
  .transform((v) => BigInt(v))
// The JSON mapping allows "NaN", "Infinity" and "-Infinity" for doubles, and numbers as strings.
const ZDouble = z.union([z.number(), z.string().regex(/^(-?Infinity|NaN|[-+]?(\d+(?:\.\d*)?|\.\d+)([eE][-+]?\d+)?)$/)], {
  error: 'must be a number',
})
// The spec says integers; enum names and numeric strings from lenient encoders are read too.
const ZStatusCode = z.union([z.number().int(), z.string()], { error: 'must be an integer' }).transform((v) => {
  if (typeof v === 'number') return v
  if (/^\d+$/.test(v)) return Number(v)
  return STATUS_NAMES[v.toUpperCase()] ?? 0
})

type TAnyValueJson = {
  stringValue?: string | null
  boolValue?: boolean | null
  intValue?: number | string | null
  doubleValue?: number | string | null
  arrayValue?: { values?: (TAnyValueJson | null)[] | null } | null
  kvlistValue?: { values?: TKeyValueJson[] | null } | null
  bytesValue?: string | null
}
type TKeyValueJson = { key: string; value?: TAnyValueJson | null }

export const ZAnyValue: z.ZodType<TAnyValueJson> = z.looseObject(
  {
    stringValue: z.string().nullish(),
    boolValue: z.boolean().nullish(),
    intValue: ZInt64.nullish(),
    doubleValue: ZDouble.nullish(),
    get arrayValue() {
      return z.looseObject({ values: z.array(ZAnyValue.nullable()).nullish() }).nullish()
    },
    get kvlistValue() {
      return z.looseObject({ values: z.array(ZKeyValue).nullish() }).nullish()
    },
    bytesValue: z.string().nullish(),
  },
  { error: 'must be an AnyValue object ({"stringValue": …}, {"intValue": …}, …)' },
)

export const ZKeyValue: z.ZodType<TKeyValueJson> = z.looseObject({ key: z.string(), value: ZAnyValue.nullish() })
const ZAttributesJson = z.array(ZKeyValue, { error: 'must be an array of {"key", "value"}' }).nullish()

export const ZSpanJson = z.looseObject({
  traceId: z.unknown().optional(),
  spanId: z.unknown().optional(),
  name: z.string().nullish(),
  startTimeUnixNano: ZUint64.nullish(),
  endTimeUnixNano: ZUint64.nullish(),
  attributes: ZAttributesJson,
  status: z.looseObject({ code: ZStatusCode.nullish(), message: z.string().nullish() }).nullish(),
})

const ZScopeSpansJson = z.looseObject({ spans: z.array(ZSpanJson, { error: 'must be an array of spans' }).nullish() })

export const ZExportTraceServiceRequest = z.looseObject(
  {
    resourceSpans: z
      .array(
        z.looseObject({
          resource: z.looseObject({ attributes: ZAttributesJson }).nullish(),
          scopeSpans: z.array(ZScopeSpansJson, { error: 'must be an array' }).nullish(),
          // The name before opentelemetry-proto 0.15 (2022), still sent by old SDKs.
          instrumentationLibrarySpans: z.array(ZScopeSpansJson, { error: 'must be an array' }).nullish(),
        }),
        { error: 'must be an array' },
      )
      .nullish(),
  },
  { error: 'must be a JSON object: an OTLP ExportTraceServiceRequest {"resourceSpans": [...]}' },
)
export type TExportTraceServiceRequest = z.infer<typeof ZExportTraceServiceRequest>

/** Validate an OTLP/JSON (or protobuf-decoded) request and list its spans. Throws a 400 for a malformed request. */
export function decodeTraceRequest(body: unknown): TOtlpSpan[] {
  // Deep nesting (arrays of arrays of AnyValue) would exhaust the stack of a recursive parser.
  if (depthExceeds(body, MAX_DEPTH)) throw badRequest(`Request is nested more than ${MAX_DEPTH} levels deep`)
  const req = parseOrThrow(ZExportTraceServiceRequest, body, 'Invalid OTLP trace request')
  const spans: TOtlpSpan[] = []
  for (const rs of req.resourceSpans ?? []) {
    const resource = toAttributes(rs.resource?.attributes)
    for (const ss of [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])]) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          name: s.name ?? '',
          startTimeUnixNano: s.startTimeUnixNano ?? null,
          endTimeUnixNano: s.endTimeUnixNano ?? null,
          statusCode: s.status?.code ?? 0,
          statusMessage: s.status?.message ?? null,
          attributes: toAttributes(s.attributes),
          resource,
        })
      }
    }
  }
  return spans
}

/** KeyValue list → object; the last value of a repeated key wins. */
export function toAttributes(list: TKeyValueJson[] | null | undefined): TAttributes {
  const out: TAttributes = {}
  for (const kv of list ?? []) {
    // No prototype keys: an attribute named "__proto__" must stay data.
    if (kv.key === '__proto__') continue
    out[kv.key] = fromAnyValue(kv.value)
  }
  return out
}

export function fromAnyValue(v: TAnyValueJson | null | undefined): TAttrValue {
  if (!v) return null
  if (v.stringValue != null) return v.stringValue
  if (v.boolValue != null) return v.boolValue
  if (v.intValue != null) {
    const n = Number(v.intValue)
    return Number.isSafeInteger(n) ? n : String(v.intValue)
  }
  if (v.doubleValue != null) return Number(v.doubleValue)
  if (v.arrayValue != null) return (v.arrayValue.values ?? []).map(fromAnyValue)
  if (v.kvlistValue != null) return toAttributes(v.kvlistValue.values)
  if (v.bytesValue != null) return v.bytesValue
  return null
}

function depthExceeds(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 0]]
  while (stack.length) {
    const [v, d] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (d > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, d + 1])
  }
  return false
}
