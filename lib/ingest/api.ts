import { endpoint } from '@/lib/http/endpoint'
import { MAX_BODY_BYTES, ZEventsBody, ZIngestAnswer, ZTraceAnswer } from '@/lib/ingest/schema'
import { ZOutcomesBody } from '@/lib/outcomes/schema'

// The ingest endpoints' contract (PRODUCT.md "Ingest"): API keys with the
// "ingest" scope only. events and outcomes are answered by the web server's
// fast path (lib/http/fast-routes.ts) with these same limits and answers.

const INGEST = { tag: 'Ingest', scope: 'ingest', permission: null } as const

export const ingestEvents = endpoint({
  method: 'POST',
  path: '/api/v1/events',
  ...INGEST,
  summary: 'Send inference events',
  description:
    'One event per model call (1 to 1000 per request). The batch is stored durably before the answer; each event is validated on its own: the valid ones are accepted even when others are rejected (listed by index with "field: reason"), and an id already received counts as a duplicate, never twice. 400 only when the body is not {"events": [...]}. The body may be sent with Content-Encoding: gzip; its limit applies once decompressed. 429 past the organization’s ingest rate or while a backlog is processed (Retry-After).',
  body: {
    schema: ZEventsBody,
    maxBytes: MAX_BODY_BYTES,
    validate: 'handler',
    message: 'Invalid request body: expected {"events": [...]} with 1 to 1000 events',
  },
  responses: { 202: { description: 'Accepted for processing: how many were new, duplicates, and the rejected events', schema: ZIngestAnswer } },
  example: {
    body: {
      events: [
        {
          id: 'evt-1',
          workflow_id: 'support-bot',
          step: 'answer',
          provider: 'openai',
          model: 'gpt-4o-mini',
          tokens_in: 1200,
          tokens_out: 300,
          outcome: 'success',
        },
      ],
    },
  },
})

export const ingestOutcomes = endpoint({
  method: 'POST',
  path: '/api/v1/outcomes',
  ...INGEST,
  summary: 'Report accepted outcomes',
  description:
    'What a workflow run achieved ("ticket resolved"), for cost per accepted outcome (1 to 1000 per request). Validated one by one like events: the valid ones are kept, the others listed in `rejected`.',
  body: {
    schema: ZOutcomesBody,
    maxBytes: MAX_BODY_BYTES,
    validate: 'handler',
    message: 'Invalid request body: expected {"outcomes": [...]} with 1 to 1000 outcomes',
  },
  responses: { 202: { description: 'Accepted for processing: how many were new, duplicates, and the rejected outcomes', schema: ZIngestAnswer } },
  example: { body: { outcomes: [{ id: 'out-1', workflow_id: 'support-bot', run_id: 'run-42', accepted: true, kind: 'ticket_resolved' }] } },
})

export const ingestTraces = endpoint({
  method: 'POST',
  path: '/api/v1/otlp/v1/traces',
  ...INGEST,
  summary: 'OTLP/HTTP trace export',
  description:
    'Point an OpenTelemetry exporter here: spans with GenAI semantic conventions become inference events (the same validation, durability and idempotency as POST /api/v1/events); other spans are ignored. The answer is in the request’s encoding, as OTLP asks: JSON `{}` or `{"partialSuccess": {"rejectedSpans", "errorMessage"}}`, or the protobuf ExportTraceServiceResponse.',
  body: {
    raw: {
      contentTypes: ['application/x-protobuf', 'application/json'],
      maxBytes: MAX_BODY_BYTES,
      description: 'An OTLP ExportTraceServiceRequest, protobuf or JSON, optionally with Content-Encoding: gzip (the limit applies once decompressed).',
    },
  },
  responses: {
    200: {
      description: 'Exported; rejected GenAI spans are reported as a partial success',
      schema: ZTraceAnswer,
      alternates: [{ contentType: 'application/x-protobuf', description: 'ExportTraceServiceResponse (protobuf), for a protobuf request' }],
    },
  },
})
