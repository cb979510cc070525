import type { OrderItem, OrderPlaced, UserCreated } from '../contract/envelope.ts'
import { deterministicId } from '../contract/processed-row.ts'
import { FIRST_NAMES, ITEMS_PER_ORDER, LAST_NAMES, PRODUCTS, QUANTITY, REGIONS, SEGMENTS } from './catalog.ts'
import { Random } from './random.ts'

export const GENERATOR_SOURCE = 'order-generator'

export const userId = (seed: number, index: number): string => `u-${seed}-${index}`

/** The segment of user `index` of `seed` (as `makeUser` draws it). */
export const segmentOf = (seed: number, index: number): string => makeUser(seed, index, 0).payload.segment

/** User `index` of `seed`: the same user on every run. */
export function makeUser(seed: number, index: number, at: number): UserCreated {
  const rng = Random.for(seed, 'user', index)
  const first = rng.pick(FIRST_NAMES)
  const last = rng.pick(LAST_NAMES)
  const id = userId(seed, index)
  return {
    event_id: deterministicId(`user|${id}|${at}`),
    timestamp: at,
    source: GENERATOR_SOURCE,
    type: 'UserCreated',
    payload: {
      user_id: id,
      name: `${first} ${last}`,
      email: `${first}.${last}.${index}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
      region: rng.weighted(REGIONS),
      segment: rng.weighted(SEGMENTS),
      created_at: at,
    },
  }
}

/**
 * Order `seq` of `seed` at event time `at`, by one of the first `knownUsers` users (or, with
 * probability `unknownUserRate`, by a user that never existed). Busy users order more: user
 * indexes are skewed towards the low ones.
 */
export function makeOrder(
  seed: number,
  seq: number,
  at: number,
  knownUsers: number,
  unknownUserRate: number,
): OrderPlaced {
  const rng = Random.for(seed, 'order', seq)
  const ghost = rng.chance(unknownUserRate)
  const index = Math.floor(knownUsers * rng.next() ** 1.6)
  const user = ghost ? `u-${seed}-ghost-${index}` : userId(seed, index)
  // The segment shapes the basket, so baskets fit who buys (an enterprise buys more).
  const segment = ghost ? 'consumer' : segmentOf(seed, index)
  const items: OrderItem[] = []
  const [minItems, maxItems] = ITEMS_PER_ORDER[segment]!
  const [minQty, maxQty] = QUANTITY[segment]!
  let cents = 0
  for (let i = rng.int(minItems, maxItems); i > 0; i--) {
    const [sku, price] = rng.pick(PRODUCTS)
    const quantity = rng.int(minQty, maxQty)
    items.push({ sku, quantity, price: price / 100 })
    cents += quantity * price
  }
  const orderId = `o-${seed}-${seq}`
  return {
    event_id: deterministicId(`order|${orderId}`),
    timestamp: at,
    source: GENERATOR_SOURCE,
    type: 'OrderPlaced',
    payload: { order_id: orderId, user_id: user, items, total: cents / 100, timestamp: at },
  }
}

/** Ways a producer gets an order wrong; each breaks one rule of the contract. */
const BREAKERS: ReadonlyArray<(o: OrderPlaced) => string> = [
  (o) => JSON.stringify(o).slice(0, -7), // truncated JSON
  (o) => JSON.stringify({ ...o, payload: { ...o.payload, total: undefined } }),
  (o) => JSON.stringify({ ...o, payload: { ...o.payload, total: String(o.payload.total) } }),
  (o) => JSON.stringify({ ...o, payload: { ...o.payload, items: [] } }),
  (o) =>
    JSON.stringify({
      ...o,
      payload: { ...o.payload, items: o.payload.items.map((i) => ({ ...i, quantity: 0 })) },
    }),
  (o) =>
    JSON.stringify({
      ...o,
      payload: { ...o.payload, items: o.payload.items.map((i) => ({ ...i, price: -i.price })) },
    }),
  (o) => JSON.stringify({ ...o, payload: { ...o.payload, total: o.payload.total + 5 } }),
  (o) => JSON.stringify({ ...o, event_id: undefined }),
]

/** The order as text, broken by one of the contract's rules (picked by `rng`). */
export const breakOrder = (rng: Random, order: OrderPlaced): string => rng.pick(BREAKERS)(order)
