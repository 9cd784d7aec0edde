import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { OTLPTraceExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST } from '@/app/api/v1/otlp/v1/traces/route'
import { GET as getMetrics } from '@/app/api/v1/metrics/route'
import { recordSpans } from '@/lib/otlp/testing'
import { decodeTraceResponseProto } from '@/lib/otlp/proto'

// The real OpenTelemetry exporters, over real HTTP, into the route handler,
// through the ingest worker into PostgreSQL.

const PATH = '/api/v1/otlp/v1/traces'
let server: http.Server
let baseUrl = ''
let orgId = ''
let ingestKey = ''
let readKey = ''
const START = Date.now() - 10 * 60_000

beforeAll(async () => {
  await useTestServices('otlp')
  const a = await createOrgWithAdmin({ org_name: 'Otlp Co', email: 'otlp@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  orgId = a.org.id
  ingestKey = (await createTestApiKey(orgId, { name: 'otel', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key

  // What Next.js does for the route: a web Request in, the handler's Response out.
  server = http.createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== PATH) return void res.writeHead(404).end()
    received.push({ contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] })
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
    const request = new Request(`${baseUrl}${req.url}`, {
      method: 'POST',
      headers,
      body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit)
    const response = await POST(request)
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  await closeQueues()
  await closeDb()
})

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, resolve))
}

type TExporterConfig = NonNullable<ConstructorParameters<typeof OTLPProtoExporter>[0]>
const exporterConfig = (compression?: 'gzip'): TExporterConfig => ({
  url: `${baseUrl}${PATH}`,
  headers: { Authorization: `Bearer ${ingestKey}` },
  ...(compression ? { compression: compression as TExporterConfig['compression'] } : {}),
})

/** What reached the server, to be sure each exporter spoke the encoding the test is about. */
const received: { contentType?: string; contentEncoding?: string }[] = []
const lastReceived = (n: number) => received.slice(-n).map((r) => `${r.contentType} ${r.contentEncoding ?? 'identity'}`)

async function processPending() {
  for (const id of await pendingBatches(0)) await processBatch(id)
}

async function storedEvent(eventId: string) {
  const r = await ownerPool().query(
    `SELECT workflow_id, step, call_type, provider, model, tokens_in::int, cached_tokens_in::int, cache_write_tokens::int, tokens_out::int,
            outcome, environment, account_id, latency_ms, cost_usd::text, reported_cost_usd::text, "timestamp"
       FROM inference_events WHERE org_id = $1 AND event_id = $2`,
    [orgId, eventId],
  )
  return r.rows[0]
}

async function eventCount(): Promise<number> {
  const r = await ownerPool().query('SELECT count(*)::int AS n FROM inference_events WHERE org_id = $1', [orgId])
  return r.rows[0].n
}

const idOf = (s: ReadableSpan) => `${s.spanContext().traceId}-${s.spanContext().spanId}`

describe('OTLP/HTTP traces from the real OpenTelemetry exporters', () => {
  let spans: ReadableSpan[] = []

  beforeAll(async () => {
    spans = await recordSpans({ 'service.name': 'support-api', 'deployment.environment.name': 'production' }, [
      {
        name: 'chat gpt-4o-mini',
        startMs: START,
        durationMs: 800,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.cache_read.input_tokens': 200,
          'gen_ai.usage.output_tokens': 100,
          'outlay.workflow_id': 'support-agent',
          'outlay.step': 'draft-reply',
          'outlay.account_id': 'acct-7',
          'outlay.cost_usd': 0.000195,
        },
      },
      {
        name: 'embeddings text-embedding-3-small',
        startMs: START + 1000,
        durationMs: 120,
        attributes: {
          'gen_ai.operation.name': 'embeddings',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'text-embedding-3-small',
          'gen_ai.usage.prompt_tokens': 5000,
        },
      },
      {
        name: 'chat claude-sonnet-4-5',
        startMs: START + 2000,
        durationMs: 3000,
        error: true,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-5',
          // Anthropic's own count: input_tokens excludes the cache reads and writes
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.cache_read.input_tokens': 10_000,
          'gen_ai.usage.cache_creation.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 500,
          'outlay.workflow_id': 'support-agent',
        },
      },
      { name: 'GET /tickets', startMs: START, durationMs: 5, attributes: { 'http.request.method': 'GET', 'http.route': '/tickets' } },
    ])
  })

  it('stores GenAI spans exported as OTLP/JSON with their tokens, model, workflow and cost', async () => {
    const exporter = new OTLPHttpJsonExporter(exporterConfig())
    expect(await exportWith(exporter, spans.slice(0, 2))).toEqual({ code: 0 })
    await exporter.shutdown()
    expect(lastReceived(1)).toEqual(['application/json identity'])
    await processPending()

    expect(await storedEvent(idOf(spans[0]))).toEqual({
      workflow_id: 'support-agent',
      step: 'draft-reply',
      call_type: 'generation',
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      tokens_in: 1000,
      cached_tokens_in: 200,
      cache_write_tokens: 0,
      tokens_out: 100,
      outcome: 'success',
      environment: 'production',
      account_id: 'acct-7',
      latency_ms: 800,
      // gpt-4o-mini: 800·0.15 + 200·0.075 + 100·0.60 = 195 µ$
      cost_usd: '0.000195000000',
      reported_cost_usd: '0.000195000000',
      timestamp: new Date(START),
    })
    // no outlay.* attributes: workflow from service.name, step from the operation
    expect(await storedEvent(idOf(spans[1]))).toMatchObject({
      workflow_id: 'support-api',
      step: 'embeddings',
      call_type: 'embedding',
      model: 'text-embedding-3-small',
      tokens_in: 5000,
      tokens_out: 0,
      // 5000 · 0.02 per million
      cost_usd: '0.000100000000',
    })
  })

  it('stores GenAI spans exported as gzip-compressed OTLP/protobuf, and ignores the non-GenAI span', async () => {
    const before = await eventCount()
    const exporter = new OTLPProtoExporter(exporterConfig('gzip'))
    expect(await exportWith(exporter, spans.slice(2))).toEqual({ code: 0 })
    await exporter.shutdown()
    expect(lastReceived(1)).toEqual(['application/x-protobuf gzip'])
    await processPending()

    expect(await eventCount()).toBe(before + 1)
    expect(await storedEvent(idOf(spans[2]))).toMatchObject({
      workflow_id: 'support-agent',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      tokens_in: 11_100,
      cached_tokens_in: 10_000,
      cache_write_tokens: 1000,
      tokens_out: 500,
      outcome: 'error',
      latency_ms: 3000,
      // claude-sonnet-4-5: 100·3 + 10000·0.30 + 1000·3.75 + 500·15 = 14550 µ$
      cost_usd: '0.014550000000',
    })
  })

  it('counts re-sent spans once, whichever encoding they come back in', async () => {
    const before = await eventCount()
    const json = new OTLPHttpJsonExporter(exporterConfig('gzip'))
    const proto = new OTLPProtoExporter(exporterConfig())
    expect(await exportWith(json, spans)).toEqual({ code: 0 })
    expect(await exportWith(proto, spans)).toEqual({ code: 0 })
    await Promise.all([json.shutdown(), proto.shutdown()])
    expect(lastReceived(2)).toEqual(['application/json gzip', 'application/x-protobuf identity'])
    await processPending()
    expect(await eventCount()).toBe(before)

    // the rollups moved once too
    const metrics = await getMetrics(
      new Request('http://localhost/api/v1/metrics?from=2000-01-01&group_by=workflow_id', { headers: { authorization: `Bearer ${readKey}` } }),
    )
    expect((await metrics.json()).rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ workflow_id: 'support-agent', events: 2, tokens_in: 12_100, cost_usd: '0.014745' }),
        expect.objectContaining({ workflow_id: 'support-api', events: 1, tokens_in: 5000, cost_usd: '0.000100' }),
      ]),
    )
  })
})

describe('OTLP/HTTP answers', () => {
  const post = (body: BodyInit, headers: Record<string, string>, key: string | null = ingestKey) =>
    fetch(`${baseUrl}${PATH}`, { method: 'POST', headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers }, body })

  const genAiSpan = (spanId: string, attrs: Record<string, unknown>) => ({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId,
    name: 'chat',
    startTimeUnixNano: `${BigInt(START) * 1_000_000n}`,
    endTimeUnixNano: `${BigInt(START + 10) * 1_000_000n}`,
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } })),
  })
  const payload = (spans: unknown[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] })

  it('reports the GenAI spans it could not take as a partial success, keeping the others', async () => {
    const res = await post(
      payload([
        genAiSpan('00f067aa0ba90201', { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 }),
        genAiSpan('00f067aa0ba90202', { 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': 'c1' }),
        genAiSpan('00f067aa0ba90203', { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'outlay.traffic_source': 'test' }),
      ]),
      { 'content-type': 'application/json' },
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 2,
        errorMessage:
          '2 GenAI spans rejected: span 4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba90202 "chat": provider: is required unless gpu_seconds is given, model: is required unless gpu_seconds is given; ' +
          'span 4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba90203 "chat": traffic_source: must be one of production, eval, replay, ops',
      },
    })
    await processPending()
    expect(await storedEvent('4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba90201')).toMatchObject({
      model: 'gpt-4o',
      tokens_in: 10,
      workflow_id: 'unknown',
      step: 'chat',
    })
  })

  it('answers a protobuf request with an ExportTraceServiceResponse', async () => {
    const spans = await recordSpans({ 'service.name': 'svc' }, [
      { name: 'chat', startMs: START, durationMs: 5, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' } },
    ])
    const res = await post(ProtobufTraceSerializer.serializeRequest(spans) as BodyInit, { 'content-type': 'application/x-protobuf' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-protobuf')
    expect(decodeTraceResponseProto(new Uint8Array(await res.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: expect.stringMatching(/^1 GenAI span rejected: span [0-9a-f]{32}\/[0-9a-f]{16} "chat": model: is required/),
      },
    })
  })

  it.each([
    ['no key', () => post('{}', { 'content-type': 'application/json' }, null), 401, 'unauthorized'],
    ['a read-only key', () => post('{}', { 'content-type': 'application/json' }, readKey), 403, 'forbidden'],
    ['malformed JSON', () => post('{"resourceSpans": [', { 'content-type': 'application/json' }), 400, 'bad_request'],
    ['a malformed OTLP/JSON request', () => post('{"resourceSpans": {}}', { 'content-type': 'application/json' }), 400, 'bad_request'],
    ['malformed protobuf', () => post(Buffer.from([0x0a, 0xff, 0x01]), { 'content-type': 'application/x-protobuf' }), 400, 'bad_request'],
    ['a wrong content type', () => post('{}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
    ['a body over 1 MiB', () => post(payload([{ name: 'x'.repeat(1100 * 1024) }]), { 'content-type': 'application/json' }), 413, 'payload_too_large'],
    [
      'a gzip body over 1 MiB once decompressed',
      () => post(gzipSync(payload([{ name: 'x'.repeat(1100 * 1024) }])), { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
      413,
      'payload_too_large',
    ],
  ])('rejects %s with a clear error', async (_name, send, status, code) => {
    const res = await send()
    expect(res.status).toBe(status)
    const body = await res.json()
    expect(body.error.code).toBe(code)
    expect(body.error.message.length).toBeGreaterThan(5)
  })
})
