import { describe, expect, it } from 'vitest'
import { validateEvent } from '@/lib/ingest/schema'
import { decodeTraceRequest, type TOtlpSpan } from '@/lib/otlp/decode'
import { spanToEvent, spansToEvents, type TSpanEvent } from '@/lib/otlp/map'
import { collectorPayload, jsExporterPayload } from '@/lib/otlp/fixtures'

const NOW = new Date('2026-11-25T12:00:00.000Z')
const START = NOW.getTime() - 60_000

const span = (attributes: TOtlpSpan['attributes'], over: Partial<TOtlpSpan> = {}): TOtlpSpan => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  name: 'chat gpt-4o',
  startTimeUnixNano: BigInt(START) * 1_000_000n,
  endTimeUnixNano: BigInt(START + 500) * 1_000_000n,
  statusCode: 0,
  statusMessage: null,
  attributes,
  resource: { 'service.name': 'checkout' },
  ...over,
})

function eventOf(s: TOtlpSpan): TSpanEvent {
  const m = spanToEvent(s)
  if (m.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(m)}`)
  return m.event
}

/** The event as acceptEvents would store it. */
function accepted(e: TSpanEvent) {
  const r = validateEvent(e, { now: NOW })
  if (!r.ok) throw new Error(r.errors.join('; '))
  return r.event
}

describe('spansToEvents on exporter payloads', () => {
  it('maps the JS exporter’s GenAI span and ignores the HTTP span beside it', () => {
    const r = spansToEvents(decodeTraceRequest(jsExporterPayload(START)))
    expect(r.ignored).toBe(1)
    expect(r.rejected).toEqual([])
    expect(r.events).toHaveLength(1)
    expect(accepted(r.events[0])).toEqual({
      id: '5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174',
      run_id: '5b8efff798038103d269b633813fc60c',
      timestamp: new Date(START).toISOString(),
      environment: 'production',
      traffic_source: 'production',
      workflow_id: 'support-agent',
      step: 'draft-reply',
      call_type: 'generation',
      provider: 'openai',
      // the model actually invoked, not the alias asked for
      model: 'gpt-4o-mini-2024-07-18',
      tokens_in: 1200,
      cached_tokens_in: 1000,
      cache_write_tokens: 0,
      tokens_out: 80,
      requests: 1,
      max_tokens: 512,
      latency_ms: 1234,
      // the span's own attribute wins over the resource's
      account_id: 'acct-42',
      outcome: 'success',
      defaulted: ['outcome'],
    })
    expect(r.sources).toEqual(['span 5B8EFFF798038103D269B633813FC60C/EEE19B7EC3C1B174 "chat gpt-4o-mini"'])
    // telemetry health: the service, and nothing of the attribution left out (outlay.workflow_id and outlay.step are given)
    expect(r.origins).toEqual([{ source: 'otel:support-api', defaulted: [] }])
  })

  it('maps the collector’s legacy attributes: string ints, gen_ai.system, Anthropic’s exclusive input count, status ERROR', () => {
    const r = spansToEvents(decodeTraceRequest(collectorPayload(START)))
    expect(r.events).toHaveLength(1)
    expect(accepted(r.events[0])).toEqual(
      expect.objectContaining({
        id: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
        workflow_id: 'billing-worker',
        // no gen_ai.operation.name: the span name is the step
        step: 'anthropic.chat',
        call_type: 'generation',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        // 50 + 2000 cache reads + 100 cache writes: the count excluded them
        tokens_in: 2150,
        cached_tokens_in: 2000,
        cache_write_tokens: 100,
        tokens_out: 300,
        outcome: 'error',
        attempt: 2,
        environment: 'staging',
        latency_ms: 2500,
      }),
    )
  })
})

describe('spanToEvent', () => {
  it('ignores spans with no gen_ai.* attribute of their own, even when the resource has outlay.* ones', () => {
    expect(spanToEvent(span({ 'http.route': '/x', 'outlay.workflow_id': 'w' }))).toEqual({ kind: 'ignored' })
    expect(spanToEvent(span({ 'db.system': 'postgresql' }, { resource: { 'gen_ai.system': 'openai', 'outlay.workflow_id': 'w' } }))).toEqual({
      kind: 'ignored',
    })
  })

  it('uses gen_ai.request.model when the response model is absent, and gen_ai.provider.name over gen_ai.system', () => {
    const e = eventOf(span({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.provider.name': 'azure.ai.openai', 'gen_ai.system': 'openai' }))
    expect(e).toMatchObject({ model: 'gpt-4o', provider: 'azure.ai.openai' })
  })

  it.each([
    ['chat', 'generation'],
    ['text_completion', 'generation'],
    ['generate_content', 'generation'],
    ['embeddings', 'embedding'],
    ['execute_tool', 'tool'],
  ])('maps gen_ai.operation.name %s to call_type %s, and uses it as the step', (operation, callType) => {
    const e = eventOf(span({ 'gen_ai.operation.name': operation, 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'm' }))
    expect(e).toMatchObject({ call_type: callType, step: operation })
  })

  it('defaults the workflow to "unknown" without service.name, and the step to the span name', () => {
    const e = eventOf(span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }, { resource: {}, name: 'openai.chat' }))
    expect(e).toMatchObject({ workflow_id: 'unknown', step: 'openai.chat' })
    expect(e).not.toHaveProperty('call_type')
  })

  it('reads every outlay.* field, from the resource too, the span winning', () => {
    const e = eventOf(
      span(
        {
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.request.max_tokens': 4096,
          'outlay.workflow_id': 'support-agent',
          'outlay.step': 'classify',
          'outlay.run_id': 'run-1',
          'outlay.user_id': 'u-9',
          'outlay.feature': 'auto-triage',
          'outlay.scenario_id': 'sc-1',
          'outlay.owner': 'team-ml',
          'outlay.traffic_source': 'eval',
          'outlay.outcome': 'retry',
          'outlay.attempt': 1,
          'outlay.input_hash': 'sha256:abc',
          'outlay.output_hash': 'sha256:out',
          'outlay.prompt_version': 'classify-v3',
          'outlay.max_tokens': '256',
          'outlay.cost_usd': 0.0042,
          'outlay.metadata.ticket': 'T-1',
          'outlay.metadata.priority': 2,
        },
        { resource: { 'service.name': 'svc', 'outlay.environment': 'development', 'outlay.account_id': 1234, 'outlay.feature': 'from-resource' } },
      ),
    )
    expect(accepted(e)).toEqual(
      expect.objectContaining({
        workflow_id: 'support-agent',
        step: 'classify',
        run_id: 'run-1',
        account_id: '1234',
        user_id: 'u-9',
        feature: 'auto-triage',
        scenario_id: 'sc-1',
        owner: 'team-ml',
        environment: 'development',
        traffic_source: 'eval',
        outcome: 'retry',
        attempt: 1,
        input_hash: 'sha256:abc',
        output_hash: 'sha256:out',
        prompt_version: 'classify-v3',
        max_tokens: 256,
        cost_usd: 0.0042,
        metadata: { ticket: 'T-1', priority: '2' },
      }),
    )
  })

  it('reads outlay.response_cache_hit (a boolean, or "true"/"false") and its savings (a decimal string)', () => {
    const attrs = { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }
    expect(accepted(eventOf(span({ ...attrs, 'outlay.response_cache_hit': true, 'outlay.response_cache_savings_usd': '0.00325' })))).toMatchObject({
      response_cache_hit: true,
      response_cache_savings_usd: '0.00325',
    })
    expect(accepted(eventOf(span({ ...attrs, 'outlay.response_cache_hit': 'TRUE', 'outlay.response_cache_savings_usd': 0.5 })))).toMatchObject({
      response_cache_hit: true,
      response_cache_savings_usd: '0.5',
    })
    expect(eventOf(span({ ...attrs, 'outlay.response_cache_hit': 'false' })).response_cache_hit).toBe(false)
    expect(eventOf(span(attrs))).not.toHaveProperty('response_cache_hit')
    const r = validateEvent(eventOf(span({ ...attrs, 'outlay.response_cache_hit': 'yes' })), { now: NOW })
    expect(r.ok ? [] : r.errors).toEqual(['response_cache_hit: must be true or false'])
  })

  it('marks a span with status ERROR as an error, unless outlay.outcome says otherwise', () => {
    const attrs = { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }
    expect(eventOf(span(attrs, { statusCode: 2 })).outcome).toBe('error')
    expect(eventOf(span({ ...attrs, 'outlay.outcome': 'fallback' }, { statusCode: 2 })).outcome).toBe('fallback')
    expect(eventOf(span(attrs, { statusCode: 1 }))).not.toHaveProperty('outcome')
  })

  it('leaves tokens out when the span reports no usage', () => {
    const e = eventOf(span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }))
    expect(e).not.toHaveProperty('tokens_in')
    expect(accepted(e)).toMatchObject({ requests: 1 })
  })

  it('takes usage through the shared mapping (reasoning included in output, not double counted)', () => {
    const e = eventOf(
      span({
        'gen_ai.provider.name': 'openai',
        'gen_ai.response.model': 'o3',
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.output_tokens': 900,
        'gen_ai.usage.reasoning.output_tokens': 700,
      }),
    )
    expect(e).toMatchObject({ tokens_in: 100, tokens_out: 900, cached_tokens_in: 0, cache_write_tokens: 0 })
    expect(e).not.toHaveProperty('reasoning_tokens')
  })

  it('keeps the timestamp and latency exact from nanoseconds', () => {
    const start = 1_764_072_000_123_456_789n
    const e = eventOf(
      span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }, { startTimeUnixNano: start, endTimeUnixNano: start + 1_500_250_000n }),
    )
    expect(e).toMatchObject({ timestamp: '2025-11-25T12:00:00.123Z', latency_ms: 1500.25 })
  })

  it('omits timestamp and latency when the span has no times (the receipt time applies)', () => {
    const e = eventOf(span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }, { startTimeUnixNano: null, endTimeUnixNano: null }))
    expect(e).not.toHaveProperty('timestamp')
    expect(e).not.toHaveProperty('latency_ms')
  })

  it('rejects a GenAI span whose ids are not OTLP hex ids', () => {
    expect(spanToEvent(span({ 'gen_ai.system': 'openai' }, { traceId: 'S/kvNXezTaajzpKdDg5HNg==' }))).toEqual({
      kind: 'rejected',
      errors: ['traceId: must be 32 hex characters, not all zero'],
    })
    expect(spanToEvent(span({ 'gen_ai.system': 'openai' }, { traceId: '0'.repeat(32), spanId: undefined }))).toEqual({
      kind: 'rejected',
      errors: ['traceId: must be 32 hex characters, not all zero', 'spanId: must be 16 hex characters, not all zero'],
    })
  })

  it('passes unusable outlay.* values on so the event validation names them', () => {
    const e = eventOf(
      span({
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'outlay.attempt': 'first',
        'outlay.outcome': 'maybe',
        'outlay.feature': ['a', 'b'],
      }),
    )
    const r = validateEvent(e, { now: NOW })
    expect(r.ok).toBe(false)
    if (!r.ok)
      expect(r.errors).toEqual(
        expect.arrayContaining(['attempt: must be a number', expect.stringMatching(/^outcome: must be one of/), 'feature: must be a string']),
      )
  })

  it.each(['invoke_agent', 'create_agent'])('ignores %s spans: their children carry the model calls (no double count)', (operation) => {
    expect(
      spanToEvent(span({ 'gen_ai.operation.name': operation, 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 10 })),
    ).toEqual({ kind: 'ignored' })
  })

  it('ignores a tool call with no model, and keeps one that names its model', () => {
    expect(spanToEvent(span({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' }))).toEqual({ kind: 'ignored' })
    expect(eventOf(span({ 'gen_ai.operation.name': 'execute_tool', 'outlay.provider': 'acme', 'outlay.model': 'search-api' }))).toMatchObject({
      call_type: 'tool',
      model: 'search-api',
    })
  })

  it('uses the trace id as the run id unless outlay.run_id says otherwise', () => {
    const s = span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' })
    expect(eventOf(s).run_id).toBe(s.traceId)
    expect(eventOf(span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'outlay.run_id': 'run-7' })).run_id).toBe('run-7')
  })

  it('lets the event validation reject a GenAI span with no model or provider', () => {
    const e = eventOf(span({ 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': 'c1' }))
    const r = validateEvent(e, { now: NOW })
    expect(r).toEqual({ ok: false, errors: ['provider: is required unless gpu_seconds is given', 'model: is required unless gpu_seconds is given'] })
  })

  it('counts a span of a self-hosted model by outlay.gpu_seconds and outlay.gpu_pool', () => {
    const e = eventOf(
      span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'llama-3.1-70b', 'outlay.gpu_seconds': 1.5, 'outlay.gpu_pool': 'a100-prod' }),
    )
    expect(accepted(e)).toMatchObject({ gpu_seconds: 1.5, gpu_pool: 'a100-prod', model: 'llama-3.1-70b' })
  })
})
