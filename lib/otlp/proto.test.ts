import { describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { AppError } from '@/lib/errors'
import { decodeTraceRequest } from '@/lib/otlp/decode'
import { spansToEvents } from '@/lib/otlp/map'
import { decodeTraceRequestProto, decodeTraceResponseProto, encodeTraceResponseProto } from '@/lib/otlp/proto'
import { formatOf, receiveTraces } from '@/lib/otlp/receive'
import { recordSpans } from '@/lib/otlp/testing'

// Both OTLP encodings, as the real OpenTelemetry serializers write them, must
// reach the same spans and events.

const START = Date.now() - 60_000

async function sdkSpans() {
  return recordSpans({ 'service.name': 'support-api', 'outlay.environment': 'staging' }, [
    {
      name: 'chat claude-sonnet-4-5',
      startMs: START,
      durationMs: 1500,
      error: true,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 3000,
        'gen_ai.usage.cache_read.input_tokens': 2000,
        'gen_ai.usage.output_tokens': 400,
        'gen_ai.request.temperature': 0.5,
        'gen_ai.response.finish_reasons': ['end_turn'],
        'outlay.workflow_id': 'support-agent',
        'outlay.attempt': 2,
        'outlay.cost_usd': 0.0123,
        'outlay.retried': true,
      },
    },
    { name: 'GET /health', startMs: START, durationMs: 3, attributes: { 'http.request.method': 'GET' } },
  ])
}

describe('protobuf decoding', () => {
  it('reads what the protobuf serializer writes exactly as the JSON serializer’s output', async () => {
    const spans = await sdkSpans()
    const fromJson = decodeTraceRequest(JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!)))
    const fromProto = decodeTraceRequest(decodeTraceRequestProto(ProtobufTraceSerializer.serializeRequest(spans)!))
    expect(fromProto).toEqual(fromJson)
    expect(fromProto).toHaveLength(2)
    expect(fromProto[0]).toMatchObject({
      traceId: spans[0].spanContext().traceId,
      spanId: spans[0].spanContext().spanId,
      statusCode: 2,
      endTimeUnixNano: BigInt(START + 1500) * 1_000_000n,
      attributes: expect.objectContaining({
        'gen_ai.usage.input_tokens': 3000,
        'gen_ai.request.temperature': 0.5,
        'gen_ai.response.finish_reasons': ['end_turn'],
        'outlay.retried': true,
      }),
      resource: expect.objectContaining({ 'service.name': 'support-api' }),
    })

    const { events, ignored } = spansToEvents(fromProto)
    expect(ignored).toBe(1)
    expect(events).toEqual([
      {
        id: `${spans[0].spanContext().traceId}-${spans[0].spanContext().spanId}`,
        run_id: spans[0].spanContext().traceId,
        timestamp: new Date(START).toISOString(),
        latency_ms: 1500,
        workflow_id: 'support-agent',
        step: 'chat',
        call_type: 'generation',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        environment: 'staging',
        outcome: 'error',
        tokens_in: 3000,
        cached_tokens_in: 2000,
        cache_write_tokens: 0,
        tokens_out: 400,
        attempt: 2,
        cost_usd: 0.0123,
      },
    ])
  })

  it('reads int64 attributes beyond 2^53 without rounding them', () => {
    // KeyValue{key:"n", value: AnyValue{int_value: 2^63-1}} in a Span in ScopeSpans in ResourceSpans, hand-encoded.
    const anyValue = Buffer.from([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
    const kv = Buffer.concat([Buffer.from([0x0a, 0x01, 0x6e, 0x12, anyValue.length]), anyValue])
    const span = Buffer.concat([Buffer.from([0x4a, kv.length]), kv])
    const scope = Buffer.concat([Buffer.from([0x12, span.length]), span])
    const rs = Buffer.concat([Buffer.from([0x12, scope.length]), scope])
    const req = Buffer.concat([Buffer.from([0x0a, rs.length]), rs])
    expect(decodeTraceRequest(decodeTraceRequestProto(req))[0].attributes).toEqual({ n: '9223372036854775807' })
  })

  it('answers a 400 for bytes that are not an ExportTraceServiceRequest', () => {
    for (const bytes of [Buffer.from('{"resourceSpans": []}'), Buffer.from([0x0a, 0xff, 0x01])]) {
      try {
        decodeTraceRequestProto(bytes)
        expect.unreachable()
      } catch (e) {
        expect(e).toBeInstanceOf(AppError)
        expect((e as AppError).httpStatus).toBe(400)
        expect((e as AppError).message).toMatch(/^Body is not a valid protobuf ExportTraceServiceRequest: /)
      }
    }
  })

  it('reads an empty body as an empty request', () => {
    expect(decodeTraceRequest(decodeTraceRequestProto(new Uint8Array()))).toEqual([])
  })
})

describe('protobuf response', () => {
  it('is empty when nothing was rejected, and carries the partial success otherwise, as the exporter reads it', () => {
    expect(encodeTraceResponseProto(null)).toHaveLength(0)
    const bytes = encodeTraceResponseProto({ rejectedSpans: 3, errorMessage: '3 GenAI spans rejected: …' })
    expect(decodeTraceResponseProto(bytes)).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: '3 GenAI spans rejected: …' } })
    expect(ProtobufTraceSerializer.deserializeResponse(bytes)).toEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: '3 GenAI spans rejected: …' } })
  })
})

describe('receiveTraces before any event is stored', () => {
  const ctx = { orgId: '00000000-0000-0000-0000-000000000000' }
  const post = (body: BodyInit, headers: Record<string, string>) =>
    receiveTraces(new Request('http://localhost/api/v1/otlp/v1/traces', { method: 'POST', headers, body }), ctx)
  const thrown = async (p: Promise<unknown>) => {
    try {
      await p
    } catch (e) {
      return { status: (e as AppError).httpStatus, code: (e as AppError).code, message: (e as AppError).message }
    }
    throw new Error('expected an error')
  }

  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/x-protobuf', 'protobuf'],
    ['Application/Protobuf', 'protobuf'],
  ])('reads Content-Type %s as %s', (ct, format) => {
    expect(formatOf(ct)).toBe(format)
  })

  it('answers {} to a JSON request without GenAI spans and an empty message to a protobuf one', async () => {
    const spans = await sdkSpans()
    const onlyHttp = [spans[1]]
    const json = await post(JsonTraceSerializer.serializeRequest(onlyHttp) as BodyInit, { 'content-type': 'application/json' })
    expect(json.status).toBe(200)
    expect(json.headers.get('content-type')).toBe('application/json')
    expect(await json.json()).toEqual({})
    const proto = await post(gzipSync(ProtobufTraceSerializer.serializeRequest(onlyHttp)!), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    })
    expect(proto.status).toBe(200)
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf')
    expect((await proto.arrayBuffer()).byteLength).toBe(0)
  })

  it('refuses other media types and encodings with 415', async () => {
    expect(await thrown(post('x', { 'content-type': 'text/plain' }))).toMatchObject({ status: 415, code: 'unsupported_media_type' })
    expect(await thrown(post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' }))).toMatchObject({
      status: 415,
      message: 'Content-Encoding "br" is not supported: send gzip or no Content-Encoding',
    })
  })

  it('answers 413 past 1 MiB, compressed or not, and 400 for broken gzip or JSON', async () => {
    const big = JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(1024 * 1024) })
    expect(await thrown(post(big, { 'content-type': 'application/json' }))).toMatchObject({ status: 413, code: 'payload_too_large' })
    // a gzip bomb: 2 MiB of zeros is a few KiB on the wire
    expect(await thrown(post(gzipSync(Buffer.alloc(2 * 1024 * 1024)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }))).toMatchObject(
      {
        status: 413,
        message: 'Body exceeds the limit of 1048576 bytes once decompressed',
      },
    )
    expect(await thrown(post('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^Body is not valid gzip/),
    })
    expect(await thrown(post('{"resourceSpans": [', { 'content-type': 'application/json' }))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^Body is not valid JSON/),
    })
  })
})
