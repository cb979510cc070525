import { trace, type Tracer } from '@opentelemetry/api'
import { Histogram, type Registry } from 'prom-client'
import type { SinkBatch } from '../connect/postgres-sink.ts'
import { spanContextFrom } from './trace-context.ts'
import { startRecordSpan } from './tracing.ts'

export interface SinkObserverOptions {
  /** Label `sink` of the series and the span name (`sink <name>`). */
  readonly name: string
  /** Where `tributary_sink_record_e2e_latency_seconds` is registered; absent: no histogram. */
  readonly registry?: Registry
  /** Spans for records whose `traceparent` is sampled; default the global tracer (a no-op until
   *  the application registers an OpenTelemetry SDK). */
  readonly tracer?: Tracer
}

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

/**
 * A PostgresSink `onCommit` hook: per committed record, the end-to-end latency from its record
 * timestamp to the database commit, and a span (child of the record's `traceparent`) that ends the
 * record's trace at the sink. Records without a sampled traceparent get no span.
 */
export function sinkObserver(options: SinkObserverOptions): (batch: SinkBatch) => void {
  const tracer = options.tracer ?? trace.getTracer('tributary-streams')
  const latency =
    options.registry === undefined
      ? undefined
      : (
          (options.registry.getSingleMetric('tributary_sink_record_e2e_latency_seconds') as
            Histogram | undefined) ??
          new Histogram({
            name: 'tributary_sink_record_e2e_latency_seconds',
            help: 'Wall-clock time of the database commit minus the record timestamp, per sink',
            labelNames: ['sink'],
            buckets: BUCKETS,
            registers: [options.registry],
          })
        ).labels(options.name)
  return (batch) => {
    const now = Date.now()
    for (const record of batch.records) {
      latency?.observe(Math.max(0, now - record.timestamp) / 1000)
      const parent = spanContextFrom(record.headers)
      if (parent === undefined || (parent.traceFlags & 1) === 0) continue
      startRecordSpan(tracer, `sink ${options.name}`, record, parent, {
        'tributary.sink': options.name,
      }).end()
    }
  }
}
