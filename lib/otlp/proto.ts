import protobuf from 'protobufjs/light'
import { badRequest } from '@/lib/errors'

// The OTLP trace messages of opentelemetry-proto (v1; collector/trace/v1,
// trace/v1, resource/v1, common/v1) as a protobufjs JSON descriptor. Only the
// fields we read are declared: protobuf decoders skip undeclared fields by
// their wire type, so spans carrying events, links, flags or fields added by
// later proto versions decode the same. Field names are the lowerCamelCase of
// the OTLP JSON encoding, so both encodings reach one parser (see decode.ts).
// @opentelemetry/otlp-transformer only serializes requests and parses
// responses (its own hand-written writer); it has no request decoder.

const DESCRIPTOR: protobuf.INamespace = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: {
                      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
                      fields: {
                        stringValue: { type: 'string', id: 1 },
                        boolValue: { type: 'bool', id: 2 },
                        intValue: { type: 'int64', id: 3 },
                        doubleValue: { type: 'double', id: 4 },
                        arrayValue: { type: 'ArrayValue', id: 5 },
                        kvlistValue: { type: 'KeyValueList', id: 6 },
                        bytesValue: { type: 'bytes', id: 7 },
                      },
                    },
                    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
                    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
                    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
                  },
                },
              },
            },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: { fields: { attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 1 } } },
                  },
                },
              },
            },
            trace: {
              nested: {
                v1: {
                  nested: {
                    ResourceSpans: {
                      fields: {
                        resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
                        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
                      },
                    },
                    ScopeSpans: { fields: { spans: { rule: 'repeated', type: 'Span', id: 2 } } },
                    Span: {
                      fields: {
                        traceId: { type: 'bytes', id: 1 },
                        spanId: { type: 'bytes', id: 2 },
                        parentSpanId: { type: 'bytes', id: 4 },
                        name: { type: 'string', id: 5 },
                        kind: { type: 'int32', id: 6 },
                        startTimeUnixNano: { type: 'fixed64', id: 7 },
                        endTimeUnixNano: { type: 'fixed64', id: 8 },
                        attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 9 },
                        status: { type: 'Status', id: 15 },
                      },
                    },
                    // code is the enum StatusCode (0 unset, 1 ok, 2 error): int32 on the wire.
                    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
                  },
                },
              },
            },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: {
                          fields: { resourceSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } },
                        },
                        ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
                        ExportTracePartialSuccess: {
                          fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
}

let types: { request: protobuf.Type; response: protobuf.Type } | null = null

function messageTypes() {
  if (!types) {
    const root = protobuf.Root.fromJSON(DESCRIPTOR)
    types = {
      request: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
      response: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
    }
  }
  return types
}

const toHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex')

/**
 * Decode a protobuf ExportTraceServiceRequest into the shape of its OTLP JSON
 * encoding: int64/fixed64 as decimal strings, trace and span ids as hex,
 * bytesValue as base64. Throws a 400 when the bytes are not such a message.
 */
export function decodeTraceRequestProto(bytes: Uint8Array): unknown {
  const { request } = messageTypes()
  let obj: Record<string, unknown>
  try {
    obj = request.toObject(request.decode(bytes), { longs: String, bytes: String })
  } catch (e) {
    throw badRequest(`Body is not a valid protobuf ExportTraceServiceRequest: ${(e as Error).message}`)
  }
  for (const rs of (obj.resourceSpans as { scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] | undefined) ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        for (const k of ['traceId', 'spanId', 'parentSpanId'] as const) if (typeof span[k] === 'string') span[k] = toHex(span[k])
      }
    }
  }
  return obj
}

export type { TPartialSuccess } from '@/lib/ingest/schema'
import type { TPartialSuccess } from '@/lib/ingest/schema'

/** An ExportTraceServiceResponse; partialSuccess stays unset when nothing was rejected, as the OTLP spec asks. */
export function encodeTraceResponseProto(partial: TPartialSuccess | null): Uint8Array {
  const { response } = messageTypes()
  return response.encode(response.fromObject(partial ? { partialSuccess: partial } : {})).finish()
}

/** Decode an ExportTraceServiceResponse (for tests and clients of our own). */
export function decodeTraceResponseProto(bytes: Uint8Array): { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } } {
  const { response } = messageTypes()
  return response.toObject(response.decode(bytes), { longs: String })
}
