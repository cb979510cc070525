import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api'
import type { ConsumerRecord } from '../log/log.ts'
import type { RecordScope, RuntimeObserver } from '../runtime/runtime-observer.ts'
import { SpanLineage } from './span-lineage.ts'
import { spanContextFrom, withSpanContext } from './trace-context.ts'

export interface TracingOptions {
  /** Default `trace.getTracer('tributary-streams')`: a no-op until the app registers an SDK. */
  readonly tracer?: Tracer
  /**
   * Share of records without a sampled parent that get a span of their own (0..1, default 1).
   * A record whose `traceparent` is sampled is always traced (parent-based sampling); an unsampled
   * record's `traceparent` passes through unchanged.
   */
  readonly sampleRatio?: number
  /**
   * Most span links per record span (default 16): a span links to the spans that built the state
   * it read (a window's earlier records, a join's other side), most recent first.
   */
  readonly maxLinks?: number
  /** How many state entries remember their builders' spans (default 10,000; in memory). */
  readonly maxLineageEntries?: number
}

/**
 * Tracing of a StreamsApp (give it to `StreamsConfig.observer`, or combine it with metrics through
 * `combineObservers`): one CONSUMER span per processed record, a child of the `traceparent` in the
 * record's headers, and every output the record causes (outputs, repartition topics, DLQ) carries
 * that span as its `traceparent`, so a trace runs from the producer through repartitions, joins and
 * window aggregations to the sink. A record's span links to the spans of the records that built the
 * state it reads (bounded by `maxLinks`): a window result to the records aggregated into it, a join
 * result to the record on the other side. Only `@opentelemetry/api` is used: spans are recorded when the
 * application registers an OpenTelemetry SDK, and cost almost nothing otherwise.
 */
export function tracingObserver(options: TracingOptions = {}): RuntimeObserver {
  const tracer = options.tracer ?? trace.getTracer('tributary-streams')
  const ratio = options.sampleRatio ?? 1
  const lineage = new SpanLineage(options.maxLinks ?? 16, options.maxLineageEntries ?? 10_000)
  return {
    recordStarted(taskId, raw) {
      const parent = spanContextFrom(raw.headers)
      const sampledParent = parent !== undefined && (parent.traceFlags & TraceFlags.SAMPLED) !== 0
      if (!sampledParent && (parent !== undefined || Math.random() >= ratio)) return undefined
      const span = startRecordSpan(tracer, `process ${raw.topic}`, raw, parent, { 'tributary.task': taskId })
      return spanScope(span, lineage)
    },
  }
}

/**
 * A CONSUMER span for one consumed record, child of `parent` when given (e.g. `spanContextFrom`
 * of its headers); connectors use it for their own per-record spans.
 */
export function startRecordSpan(
  tracer: Tracer,
  name: string,
  raw: ConsumerRecord,
  parent: SpanContext | undefined,
  attributes: Record<string, string | number> = {},
): Span {
  const ctx: Context = parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent)
  return tracer.startSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': raw.topic,
        'messaging.destination.partition.id': String(raw.partition),
        'messaging.kafka.offset': raw.offset,
        ...attributes,
      },
    },
    ctx,
  )
}

function spanScope(span: Span, lineage: SpanLineage): RecordScope {
  const context = span.spanContext()
  const linked: SpanContext[] = []
  return {
    decorate: (record) => ({ ...record, headers: withSpanContext(record.headers, context) }),
    stateRead(store, entry) {
      for (const builder of lineage.read(store, entry)) {
        if (linked.length >= lineage.maxLinks) return
        if (builder.spanId === context.spanId || linked.some((l) => l.spanId === builder.spanId)) continue
        linked.push(builder)
        span.addLink({ context: builder })
      }
    },
    stateWritten(store, entry) {
      lineage.written(store, entry, [context, ...linked])
    },
    end(error) {
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error))
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) })
      }
      span.end()
    },
  }
}
