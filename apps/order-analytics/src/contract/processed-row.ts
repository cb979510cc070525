import { createHash } from 'node:crypto'
import { APP_SOURCE, type Envelope } from './envelope.ts'

/**
 * A value on orders-processed (UTF-8 JSON): one (window, region, segment) of the revenue table.
 * Updates carry final=false; the one result emitted once the window closed carries final=true.
 */
export interface ProcessedRow {
  /** ms since epoch, inclusive */
  readonly window_start: number
  /** ms since epoch, exclusive */
  readonly window_end: number
  readonly region: string
  readonly segment: string
  readonly order_count: number
  /** Sum of the orders' totals, rounded to cents. */
  readonly revenue: number
  readonly final: boolean
}

/** The key of a row on orders-processed (UTF-8): `${windowStartIso}|${region}|${segment}`. */
export const processedKey = (windowStart: number, region: string, segment: string): string =>
  `${new Date(windowStart).toISOString()}|${region}|${segment}`

export interface AnomalyPayload {
  readonly window_start: number
  readonly region: string
  readonly segment: string
  readonly revenue: number
  /** Mean revenue of the trailing final windows compared against, rounded to cents. */
  readonly trailing_average: number
  /** revenue / trailing_average, rounded to 3 decimals. */
  readonly ratio: number
}

export type WindowClosed = Envelope<'WindowClosed', ProcessedRow>
export type AnomalyDetected = Envelope<'AnomalyDetected', AnomalyPayload>
export type OutboxEvent = WindowClosed | AnomalyDetected

/** A UUID derived from `name` (SHA-1, RFC 4122 version 5 layout): the same event gets the same id on every run. */
export function deterministicId(name: string): string {
  const h = createHash('sha1').update(name).digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export const outboxEvent = <T extends OutboxEvent['type']>(
  type: T,
  key: string,
  timestamp: number,
  payload: Extract<OutboxEvent, { type: T }>['payload'],
): Envelope<T, typeof payload> => ({
  event_id: deterministicId(`${type}|${key}`),
  timestamp,
  source: APP_SOURCE,
  type,
  payload,
})
