import type { AppContext } from '../context.ts'
import type { OrderPlaced, UserCreated } from '../contract/envelope.ts'
import { breakOrder } from './events.ts'
import type { Random } from './random.ts'

/** How the producer turns events into record values: UTF-8 JSON, or Avro (ORDERS_FORMAT=avro). */
export interface EventCodec {
  user(user: UserCreated): Buffer
  order(order: OrderPlaced): Buffer
  /** The order broken by one of the contract's rules (picked by `rng`), as far as the format lets it. */
  broken(rng: Random, order: OrderPlaced): Buffer
  close(): Promise<void>
}

export const jsonCodec: EventCodec = {
  user: (user) => Buffer.from(JSON.stringify(user)),
  order: (order) => Buffer.from(JSON.stringify(order)),
  broken: (rng, order) => Buffer.from(breakOrder(rng, order)),
  close: async () => {},
}

/** JSON, or with `ctx.avro` the Avro codec (opens the registry; fails when `init` did not register the schemas). */
export async function openEventCodec(ctx: Pick<AppContext, 'log' | 'topics' | 'avro'>): Promise<EventCodec> {
  if (ctx.avro === undefined) return jsonCodec
  const { openAvroCodec } = await import('./avro-codec.ts')
  return openAvroCodec(ctx, ctx.avro)
}
