import type { AppContext, AvroSettings } from '../context.ts'
import { appAvroSerdes, openSchemaRegistry, type AppAvroSerdes } from '../contract/avro/registry.ts'
import { toAvroOrder, toAvroUser, type OrderPlacedVersion } from '../contract/avro/schemas.ts'
import type { OrderPlaced } from '../contract/envelope.ts'
import type { EventCodec } from './event-codec.ts'

/**
 * Ways a producer gets an order wrong that Avro can still carry (the schema rules out missing
 * fields and wrong types): bytes that are not Avro, and values that break the contract's rules.
 */
const BREAKERS: ReadonlyArray<(o: OrderPlaced, encode: (o: OrderPlaced) => Buffer) => Buffer> = [
  (o, encode) => encode(o).subarray(0, -3), // truncated Avro
  (o) => Buffer.from(JSON.stringify(o)), // JSON on an Avro topic: magic byte '{'
  (o, encode) => encode({ ...o, type: 'OrderCancelled' } as unknown as OrderPlaced),
  (o, encode) => encode({ ...o, payload: { ...o.payload, items: [], total: 0 } }),
  (o, encode) =>
    encode({ ...o, payload: { ...o.payload, items: o.payload.items.map((i) => ({ ...i, quantity: 0 })) } }),
  (o, encode) =>
    encode({
      ...o,
      payload: { ...o.payload, items: o.payload.items.map((i) => ({ ...i, price: -i.price })) },
    }),
  (o, encode) => encode({ ...o, payload: { ...o.payload, total: o.payload.total + 5 } }),
  (o, encode) => encode({ ...o, payload: { ...o.payload, timestamp: -1 } }),
]

/** About one order in ten of the v2 writer has a coupon (a function of its event_id). */
export const couponOf = (order: OrderPlaced): string | null =>
  Number.parseInt(order.event_id.slice(0, 2), 16) < 26 ? 'WELCOME10' : null

/** Encoders of the app's events with prepared serdes: orders written with `version`'s schema. */
export function avroEncoders(
  serdes: AppAvroSerdes,
  topics: AppContext['topics'],
  version: OrderPlacedVersion,
): Omit<EventCodec, 'close'> {
  const order = (o: OrderPlaced): Buffer =>
    serdes.orders.serialize(toAvroOrder(o, version, couponOf(o)), topics.ordersRaw)
  return {
    user: (u) => serdes.users.serialize(toAvroUser(u), topics.usersRaw),
    order,
    broken: (rng, o) => rng.pick(BREAKERS)(o, order),
  }
}

export async function openAvroCodec(
  ctx: Pick<AppContext, 'log' | 'topics'>,
  settings: AvroSettings,
): Promise<EventCodec> {
  const open = await openSchemaRegistry(ctx.log, settings)
  try {
    const serdes = await appAvroSerdes(open.registry, ctx.topics, settings.orderPlacedVersion)
    return { ...avroEncoders(serdes, ctx.topics, settings.orderPlacedVersion), close: () => open.close() }
  } catch (err) {
    await open.close()
    throw err
  }
}
