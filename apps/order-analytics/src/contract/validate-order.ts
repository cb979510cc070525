import { isObject, type RawValue } from './parse-json.ts'
import { textProblem } from './text-check.ts'

/** What the pipeline keeps of an accepted OrderPlaced. */
export interface ValidOrder {
  readonly order_id: string
  readonly user_id: string
  readonly total: number
  /** payload.timestamp: the event time. */
  readonly timestamp: number
}

export type Validation<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string }

/**
 * Reasons an order is dead-lettered, in the order they are checked (`invalid-avro`, with
 * ORDERS_FORMAT=avro, replaces `invalid-json`: bytes Avro cannot decode, with the serde's reason). A reason string starts with
 * its code, then a colon and the detail, e.g. `missing-field: payload.total`.
 */
export const ORDER_REASONS = [
  'invalid-json',
  'invalid-avro',
  'missing-field',
  'wrong-type',
  'invalid-string',
  'wrong-event-type',
  'invalid-timestamp',
  'no-items',
  'invalid-quantity',
  'invalid-price',
  'invalid-total',
  'total-mismatch',
] as const
export type OrderReason = (typeof ORDER_REASONS)[number]

/**
 * Largest price and total accepted: revenue_per_minute stores numeric(18,2), and a window's sum
 * is kept in integer millionths, exact below 2^53 (about 9e9 in currency units), so an order may
 * not exceed 1e9 on its own.
 */
export const MAX_AMOUNT = 1e9
/** Largest quantity of an item accepted. */
export const MAX_QUANTITY = 1e6

/** |total - sum(quantity * price)| above this is a mismatch (the 1e-9 absorbs float error). */
export const TOTAL_TOLERANCE = 0.01 + 1e-9

type Kind = 'string' | 'number' | 'object' | 'array'
const kindOf = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x)
const fail = (code: OrderReason, detail: string): Validation<never> => ({
  ok: false,
  reason: `${code}: ${detail}`,
})

/** undefined when `obj[field]` is present with the right kind, else the failure. */
function check(
  obj: Record<string, unknown>,
  path: string,
  field: string,
  kind: Kind,
): Validation<never> | undefined {
  const value = obj[field]
  if (value === undefined) return fail('missing-field', `${path}${field}`)
  const actual = kindOf(value)
  if (actual !== kind) return fail('wrong-type', `${path}${field} is ${actual}, expected ${kind}`)
  if (kind === 'number' && !Number.isFinite(value))
    return fail('wrong-type', `${path}${field} is not a finite number`)
  if (kind === 'string') {
    const problem = textProblem(value as string)
    if (problem !== undefined) return fail('invalid-string', `${path}${field} has a ${problem}`)
  }
  return undefined
}

const ENVELOPE: ReadonlyArray<[string, Kind]> = [
  ['event_id', 'string'],
  ['timestamp', 'number'],
  ['source', 'string'],
  ['type', 'string'],
  ['payload', 'object'],
]
const PAYLOAD: ReadonlyArray<[string, Kind]> = [
  ['order_id', 'string'],
  ['user_id', 'string'],
  ['items', 'array'],
  ['total', 'number'],
  ['timestamp', 'number'],
]
const ITEM: ReadonlyArray<[string, Kind]> = [
  ['sku', 'string'],
  ['quantity', 'number'],
  ['price', 'number'],
]

/** Applies the contract's rules for orders-raw (issue 5) to one raw value. */
export function validateOrder(raw: RawValue): Validation<ValidOrder> {
  if (!raw.parsed) return fail('invalid-json', raw.text === null ? 'null value' : 'value is not valid JSON')
  const env = raw.json
  if (!isObject(env)) return fail('wrong-type', `value is ${kindOf(env)}, expected object`)
  for (const [field, kind] of ENVELOPE) {
    const failure = check(env, '', field, kind)
    if (failure) return failure
  }
  const payload = env['payload'] as Record<string, unknown>
  for (const [field, kind] of PAYLOAD) {
    const failure = check(payload, 'payload.', field, kind)
    if (failure) return failure
  }
  if (env['type'] !== 'OrderPlaced')
    return fail('wrong-event-type', `type is ${JSON.stringify(env['type'])}, expected "OrderPlaced"`)
  const timestamp = payload['timestamp'] as number
  if (timestamp < 0) return fail('invalid-timestamp', `payload.timestamp ${timestamp} is negative`)
  const items = payload['items'] as unknown[]
  if (items.length === 0) return fail('no-items', 'payload.items is empty')
  let sum = 0
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    const path = `payload.items[${i}].`
    if (!isObject(item)) return fail('wrong-type', `payload.items[${i}] is ${kindOf(item)}, expected object`)
    for (const [field, kind] of ITEM) {
      const value = item[field]
      // A non-finite price or quantity has its own reason below, not wrong-type.
      if (kind === 'number' && typeof value === 'number') continue
      const failure = check(item, path, field, kind)
      if (failure) return failure
    }
    const quantity = item['quantity'] as number
    const price = item['price'] as number
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY)
      return fail(
        'invalid-quantity',
        `${path}quantity ${quantity} is not an integer from 1 to ${MAX_QUANTITY}`,
      )
    if (!Number.isFinite(price) || price < 0 || price > MAX_AMOUNT)
      return fail('invalid-price', `${path}price ${price} is not a number from 0 to ${MAX_AMOUNT}`)
    sum += quantity * price
  }
  const total = payload['total'] as number
  if (total < 0 || total > MAX_AMOUNT)
    return fail('invalid-total', `payload.total ${total} is not a number from 0 to ${MAX_AMOUNT}`)
  if (Math.abs(total - sum) > TOTAL_TOLERANCE)
    return fail(
      'total-mismatch',
      `payload.total ${total} differs from sum(quantity * price) ${sum.toFixed(2)} by more than 0.01`,
    )
  return {
    ok: true,
    value: {
      order_id: payload['order_id'] as string,
      user_id: payload['user_id'] as string,
      total,
      timestamp: Math.floor(timestamp),
    },
  }
}

/** The event time of a raw order, when it has a usable payload.timestamp (for the timestamp extractor). */
export function rawOrderTime(raw: RawValue): number | undefined {
  if (!raw.parsed || !isObject(raw.json)) return undefined
  const payload = raw.json['payload']
  if (!isObject(payload)) return undefined
  const ts = payload['timestamp']
  return typeof ts === 'number' && Number.isFinite(ts) && ts >= 0 ? Math.floor(ts) : undefined
}
