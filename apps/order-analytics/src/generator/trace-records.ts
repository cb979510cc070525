import { SpanKind, isSpanContextValid, trace } from '@opentelemetry/api'
import type { ProducerRecord } from 'tributary-streams'
import { withSpanContext } from 'tributary-streams/observe'

/**
 * Starts a trace for each record sent to one of `topics`: a PRODUCER span whose context goes into
 * the record's `traceparent` header, so the streams job and the sink continue the trace. Without a
 * registered OpenTelemetry SDK (or when its sampler says no) records are returned unchanged.
 */
export function traceRecords(records: ProducerRecord[], topics: readonly string[]): ProducerRecord[] {
  const tracer = trace.getTracer('order-analytics')
  return records.map((record) => {
    if (!topics.includes(record.topic)) return record
    const span = tracer.startSpan(`send ${record.topic}`, {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': record.topic },
    })
    const context = span.spanContext()
    span.end()
    if (!isSpanContextValid(context) || (context.traceFlags & 1) === 0) return record
    return { ...record, headers: withSpanContext(record.headers, context) }
  })
}
