// OTLP/JSON payloads shaped like real exporter output, for the tests of lib/otlp.
// Times are relative to `startMs` so the events stay inside the ingest window.

const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`
const str = (key: string, v: string) => ({ key, value: { stringValue: v } })
const int = (key: string, v: number) => ({ key, value: { intValue: v } })

/**
 * What @opentelemetry/exporter-trace-otlp-http (JsonTraceSerializer) sends for an
 * OpenAI chat call instrumented with the current GenAI conventions, beside an
 * HTTP server span: int attributes as JSON numbers, times as strings, every
 * field present.
 */
export function jsExporterPayload(startMs: number) {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'support-api'),
            str('telemetry.sdk.language', 'nodejs'),
            str('telemetry.sdk.name', 'opentelemetry'),
            str('telemetry.sdk.version', '3.1.0'),
            str('outlay.account_id', 'acct-from-resource'),
          ],
          droppedAttributesCount: 0,
        },
        scopeSpans: [
          {
            scope: { name: '@opentelemetry/instrumentation-openai', version: '0.6.0' },
            spans: [
              {
                traceId: '5B8EFFF798038103D269B633813FC60C',
                spanId: 'EEE19B7EC3C1B174',
                parentSpanId: 'eee19b7ec3c1b173',
                traceState: undefined,
                name: 'chat gpt-4o-mini',
                kind: 3,
                startTimeUnixNano: ns(startMs),
                endTimeUnixNano: ns(startMs + 1234),
                attributes: [
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.provider.name', 'openai'),
                  str('gen_ai.request.model', 'gpt-4o-mini'),
                  str('gen_ai.response.model', 'gpt-4o-mini-2024-07-18'),
                  int('gen_ai.request.max_tokens', 512),
                  { key: 'gen_ai.request.temperature', value: { doubleValue: 0.2 } },
                  int('gen_ai.usage.input_tokens', 1200),
                  int('gen_ai.usage.cache_read.input_tokens', 1000),
                  int('gen_ai.usage.output_tokens', 80),
                  { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
                  str('outlay.workflow_id', 'support-agent'),
                  str('outlay.step', 'draft-reply'),
                  str('outlay.account_id', 'acct-42'),
                ],
                droppedAttributesCount: 0,
                events: [],
                droppedEventsCount: 0,
                status: { code: 0 },
                links: [],
                droppedLinksCount: 0,
                flags: 257,
              },
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b173',
                name: 'POST /tickets/:id/reply',
                kind: 2,
                startTimeUnixNano: ns(startMs - 10),
                endTimeUnixNano: ns(startMs + 1300),
                attributes: [str('http.request.method', 'POST'), int('http.response.status_code', 200)],
                droppedAttributesCount: 0,
                events: [],
                droppedEventsCount: 0,
                status: { code: 0 },
                links: [],
                droppedLinksCount: 0,
              },
            ],
          },
        ],
      },
    ],
  }
}

/**
 * What the OpenTelemetry Collector's otlphttp exporter sends for a Python app
 * instrumented with an older GenAI instrumentation (OpenLLMetry-style): int64 as
 * strings, the legacy gen_ai.system and prompt/completion token names, Anthropic's
 * exclusive input count beside its cache counts, status ERROR, default fields omitted.
 */
export function collectorPayload(startMs: number) {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [str('service.name', 'billing-worker'), str('deployment.environment.name', 'staging')],
        },
        scopeSpans: [
          {
            scope: { name: 'opentelemetry.instrumentation.anthropic', version: '0.40.0' },
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: 'anthropic.chat',
                kind: 3,
                startTimeUnixNano: ns(startMs),
                endTimeUnixNano: ns(startMs + 2500),
                attributes: [
                  str('gen_ai.system', 'anthropic'),
                  str('gen_ai.request.model', 'claude-sonnet-4-5'),
                  { key: 'gen_ai.usage.prompt_tokens', value: { intValue: '50' } },
                  { key: 'gen_ai.usage.completion_tokens', value: { intValue: '300' } },
                  { key: 'gen_ai.usage.cache_read_input_tokens', value: { intValue: '2000' } },
                  { key: 'gen_ai.usage.cache_creation_input_tokens', value: { intValue: '100' } },
                  { key: 'outlay.attempt', value: { stringValue: '2' } },
                ],
                status: { code: 2, message: 'overloaded_error' },
              },
            ],
          },
        ],
      },
    ],
  }
}
