import { randomUUID } from 'node:crypto'
import { TributaryError } from '../errors.ts'

/** Every event on the wire: who made it, when, what kind, and its payload. */
export interface Envelope<Type extends string = string, Payload = unknown> {
  readonly event_id: string
  /** Event time, ms since the epoch. */
  readonly timestamp: number
  readonly source: string
  readonly type: Type
  readonly payload: Payload
}

/** The union of envelopes of an event map, e.g. `EnvelopeOf<{ OrderPlaced: Order; OrderCancelled: Cancel }>`. */
export type EnvelopeOf<Events> = { [K in keyof Events & string]: Envelope<K, Events[K]> }[keyof Events &
  string]

/** Checks a payload; returns the problems (empty or undefined when valid). */
export type PayloadCheck = (payload: unknown) => readonly string[] | undefined

export interface EnvelopeOptions<Events> {
  /** Written into `source` by `create`, e.g. the service name. */
  readonly source: string
  /** Per-type payload checks used by `validate`; types without one accept any object. With a check
   *  for every type, `validate` also rejects types it does not know. */
  readonly payloads?: { readonly [K in keyof Events]?: PayloadCheck }
  /** Reject types without a payload check (default: true when `payloads` covers at least one type). */
  readonly closed?: boolean
}

export interface Envelopes<Events> {
  create<K extends keyof Events & string>(
    type: K,
    payload: Events[K],
    options?: { eventId?: string; timestamp?: number; source?: string },
  ): Envelope<K, Events[K]>
  /** The value as a typed envelope, or SERDE naming every problem. */
  validate(value: unknown): EnvelopeOf<Events>
  /** A type guard for one type, for filter/branch. */
  is<K extends keyof Events & string>(type: K): (value: EnvelopeOf<Events>) => value is Envelope<K, Events[K]>
  /** Dispatches on `type`; unknown types go to `otherwise` (default: SERDE). */
  route<R>(
    handlers: { readonly [K in keyof Events & string]?: (event: Envelope<K, Events[K]>) => R },
    otherwise?: (event: Envelope) => R,
  ): (event: EnvelopeOf<Events>) => R
}

/**
 * Typed helpers for the envelope `{event_id, timestamp, source, type, payload}` of an event map:
 *
 *   type ShopEvents = { OrderPlaced: OrderPlaced; OrderCancelled: OrderCancelled }
 *   const shop = envelopes<ShopEvents>({ source: 'checkout' })
 *   const e = shop.create('OrderPlaced', { order_id: 'o-1', ... })   // Envelope<'OrderPlaced', OrderPlaced>
 *   stream.mapValues(shop.validate).filter((_, e) => shop.is('OrderPlaced')(e))
 */
export function envelopes<Events extends object>(options: EnvelopeOptions<Events>): Envelopes<Events> {
  const checks = (options.payloads ?? {}) as Partial<Record<string, PayloadCheck>>
  const closed = options.closed ?? Object.keys(checks).length > 0
  return {
    create(type, payload, extra = {}) {
      return {
        event_id: extra.eventId ?? randomUUID(),
        timestamp: extra.timestamp ?? Date.now(),
        source: extra.source ?? options.source,
        type,
        payload,
      }
    },
    validate(value) {
      const problems = envelopeProblems(value)
      if (problems.length === 0) {
        const { type, payload } = value as Envelope
        const check = checks[type]
        if (check !== undefined) problems.push(...(check(payload) ?? []).map((p) => `payload: ${p}`))
        else if (closed) problems.push(`type: unknown event type '${type}'`)
      }
      if (problems.length > 0) throw new TributaryError('SERDE', `invalid envelope: ${problems.join('; ')}`)
      return value as EnvelopeOf<Events>
    },
    is:
      (type) =>
      (value): value is never =>
        value.type === type,
    route(handlers, otherwise) {
      const table = handlers as Partial<Record<string, (event: Envelope) => unknown>>
      return (event) => {
        const handler = table[event.type]
        if (handler !== undefined) return handler(event) as never
        if (otherwise !== undefined) return otherwise(event)
        throw new TributaryError('SERDE', `no route for event type '${event.type}' (event ${event.event_id})`)
      }
    },
  }
}

/** The envelope's own fields, type by type. */
export function envelopeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['not an object']
  const v = value as Record<string, unknown>
  const problems: string[] = []
  if (typeof v['event_id'] !== 'string' || v['event_id'] === '')
    problems.push('event_id: a non-empty string is required')
  if (typeof v['timestamp'] !== 'number' || !Number.isFinite(v['timestamp']) || v['timestamp'] < 0)
    problems.push('timestamp: ms since the epoch is required')
  if (typeof v['source'] !== 'string' || v['source'] === '')
    problems.push('source: a non-empty string is required')
  if (typeof v['type'] !== 'string' || v['type'] === '') problems.push('type: a non-empty string is required')
  if (!('payload' in v) || v['payload'] === undefined) problems.push('payload: is required')
  return problems
}

/**
 * An Avro record schema for envelopes of one payload record. `timestamp` is a long with logicalType
 * timestamp-millis. Several event types on one topic: one envelope schema per type (e.g.
 * shop.OrderPlacedEvent) registered with subjectNameStrategy 'topic-record' or 'record', as
 * Confluent recommends; avsc cannot write a union of records without wrapping the value.
 */
export function envelopeAvroSchema(options: { name: string; namespace?: string; payload: object }): object {
  return {
    type: 'record',
    name: options.name,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    fields: [
      { name: 'event_id', type: 'string' },
      { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'source', type: 'string' },
      { name: 'type', type: 'string' },
      { name: 'payload', type: options.payload },
    ],
  }
}

/** A JSON Schema for envelopes: `payload` must match the schema of its `type`. */
export function envelopeJsonSchema(options: {
  title: string
  payloads: Readonly<Record<string, object>>
}): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: options.title,
    type: 'object',
    properties: {
      event_id: { type: 'string', minLength: 1 },
      timestamp: { type: 'integer', minimum: 0 },
      source: { type: 'string', minLength: 1 },
      type: { enum: Object.keys(options.payloads) },
      payload: { type: 'object' },
    },
    required: ['event_id', 'timestamp', 'source', 'type', 'payload'],
    allOf: Object.entries(options.payloads).map(([type, schema]) => ({
      if: { properties: { type: { const: type } } },
      then: { properties: { payload: schema } },
    })),
  }
}
