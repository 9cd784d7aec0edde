import { SpanStatusCode, type Attributes } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace'

// Real OpenTelemetry SDK spans for the tests of lib/otlp: what an instrumented
// application hands to its OTLP exporter.

export type TTestSpan = { name: string; attributes: Attributes; startMs: number; durationMs: number; error?: boolean; parent?: boolean }

/** Spans recorded by a real tracer, one resource for all, children of one root span when `parent` is set. */
export async function recordSpans(resource: Attributes, specs: TTestSpan[]): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter()
  const provider = new TracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] })
  const tracer = provider.getTracer('outlay-test', '1.0.0')
  for (const s of specs) {
    const span = tracer.startSpan(s.name, { attributes: s.attributes, startTime: new Date(s.startMs) })
    if (s.error) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 529' })
    span.end(new Date(s.startMs + s.durationMs))
  }
  await provider.forceFlush()
  const spans = memory.getFinishedSpans()
  await provider.shutdown()
  return spans
}
