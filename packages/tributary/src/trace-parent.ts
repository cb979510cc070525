import type { Headers } from './record.ts'

/** The W3C Trace Context header a record carries from producer to streams to sink. */
export const TRACEPARENT = 'traceparent'

const PATTERN = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const INVALID_TRACE = '0'.repeat(32)
const INVALID_SPAN = '0'.repeat(16)

export interface TraceParent {
  readonly traceId: string
  readonly spanId: string
  readonly flags: number
}

/** The `traceparent` in `headers`, or undefined when absent or malformed (never throws). */
export function traceParentOf(headers: Headers | undefined): TraceParent | undefined {
  const raw = headers?.[TRACEPARENT]
  if (raw === undefined) return undefined
  const match = PATTERN.exec(raw.toString('latin1').trim())
  if (match === null) return undefined
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string]
  if (traceId === INVALID_TRACE || spanId === INVALID_SPAN) return undefined
  return { traceId, spanId, flags: Number.parseInt(flags, 16) }
}
