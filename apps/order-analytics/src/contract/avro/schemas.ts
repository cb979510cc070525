import { readFileSync } from 'node:fs'
import type { TopicNames } from '../../context.ts'
import type { OrderPlaced, UserCreated } from '../envelope.ts'
import type { OrderPlaced as OrderPlacedV1 } from './order-placed-v1.generated.ts'
import type { OrderPlaced as OrderPlacedV2 } from './order-placed-v2.generated.ts'
import type { UserCreated as AvroUserCreated } from './user-created.generated.ts'

export type { OrderPlacedV1, OrderPlacedV2, AvroUserCreated }

/** The versions of the OrderPlaced schema (src/schemas/order-placed.v<N>.avsc). v2 adds `payload.coupon`. */
export type OrderPlacedVersion = 1 | 2
export const ORDER_PLACED_VERSIONS: readonly OrderPlacedVersion[] = [1, 2]
export const LATEST_ORDER_PLACED_VERSION: OrderPlacedVersion = 2

/** An OrderPlaced as Avro reads it with either version. */
export type AvroOrderPlaced = OrderPlacedV1 | OrderPlacedV2

const load = (file: string): object =>
  JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')) as object

/** The Avro schemas of the app's events, as in src/schemas/ (types: `npm run codegen`). */
export const AVRO_SCHEMAS = {
  orderPlaced: { 1: load('order-placed.v1.avsc'), 2: load('order-placed.v2.avsc') } as Record<
    OrderPlacedVersion,
    object
  >,
  userCreated: load('user-created.avsc'),
} as const

/**
 * The registry subjects of the raw topics (TopicNameStrategy, as the serdes default to): every
 * OrderPlaced version under `<orders-raw>-value`, UserCreated under `<users-raw>-value`.
 */
export const avroSubjects = (topics: TopicNames) => ({
  orders: `${topics.ordersRaw}-value`,
  users: `${topics.usersRaw}-value`,
})

/** An order of the contract as an Avro record of `version` (v2: `coupon`, default null). */
export function toAvroOrder(order: OrderPlaced, version: 1, coupon?: string | null): OrderPlacedV1
export function toAvroOrder(
  order: OrderPlaced,
  version: OrderPlacedVersion,
  coupon?: string | null,
): AvroOrderPlaced
export function toAvroOrder(
  order: OrderPlaced,
  version: OrderPlacedVersion,
  coupon: string | null = null,
): AvroOrderPlaced {
  const { payload: p } = order
  const v1: OrderPlacedV1 = {
    event_id: order.event_id,
    timestamp: order.timestamp,
    source: order.source,
    type: order.type,
    payload: {
      order_id: p.order_id,
      user_id: p.user_id,
      items: p.items.map((i) => ({ sku: i.sku, quantity: i.quantity, price: i.price })),
      total: p.total,
      timestamp: p.timestamp,
    },
  }
  return version === 1 ? v1 : ({ ...v1, payload: { ...v1.payload, coupon } } satisfies OrderPlacedV2)
}

/** A user of the contract as an Avro UserCreated record. */
export const toAvroUser = (user: UserCreated): AvroUserCreated => ({
  event_id: user.event_id,
  timestamp: user.timestamp,
  source: user.source,
  type: user.type,
  payload: { ...user.payload },
})
