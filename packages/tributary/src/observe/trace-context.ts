import type { SpanContext } from '@opentelemetry/api'
import type { Headers } from '../record.ts'
import { TRACEPARENT, traceParentOf } from '../trace-parent.ts'

export { TRACEPARENT }

/** The remote span context in `headers`, or undefined when absent or malformed (never throws). */
export function spanContextFrom(headers: Headers | undefined): SpanContext | undefined {
  const parent = traceParentOf(headers)
  if (parent === undefined) return undefined
  return { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags, isRemote: true }
}

/** `headers` with `traceparent` set to `span` (a copy; the input is not changed). */
export function withSpanContext(headers: Headers | undefined, span: SpanContext): Headers {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0')
  return { ...headers, [TRACEPARENT]: Buffer.from(`00-${span.traceId}-${span.spanId}-${flags}`, 'latin1') }
}
