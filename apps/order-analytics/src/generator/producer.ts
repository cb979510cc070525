import {
  isTributaryError,
  storageErrorOf,
  type Log,
  type Producer,
  type ProducerRecord,
} from 'tributary-streams'
import type { AppContext } from '../context.ts'
import { openEventCodec, type EventCodec } from './event-codec.ts'
import { makeOrder, makeUser, userId } from './events.ts'
import { Random } from './random.ts'
import { traceRecords } from './trace-records.ts'

export interface ProducerOptions {
  /** Orders per second. */
  readonly rate: number
  /** Seeds the content: the same seed gives the same users and orders (timestamps are wall clock). */
  readonly seed: number
  /** Users created before the first order; one more per 20 orders after. Default 200. */
  readonly initialUsers?: number
  /** Stop after this many orders (default: run until `signal` aborts). */
  readonly maxOrders?: number
  readonly signal?: AbortSignal
  /** Called about every 5 s with the running totals. */
  readonly onProgress?: (state: ProducerState) => void
  /** How long log failures (broker unreachable or restarting) are retried before the producer
   *  stops with the error; default 300000. A storage error (a full disk) stops it at once. */
  readonly retryTimeoutMs?: number
  /** Called on each retried failure. */
  readonly onRetry?: (err: unknown) => void
}

/** What the producer has sent; committed with every batch so a restart resumes after it. */
export interface ProducerState {
  readonly orders: number
  readonly users: number
}

const TICK_MS = 200
const stateTopic = (ctx: Pick<AppContext, 'applicationId'>) => `${ctx.applicationId}-producer-state`

/**
 * Produces users and orders at `rate` orders/s, as JSON or (ORDERS_FORMAT=avro) Avro. Each tick's records and the producer's new state
 * go in one transaction (transactional id `<applicationId>-producer-<seed>`, which also fences a
 * stale copy of this producer), and a restart reads the committed state back: every order is
 * written exactly once across crashes, and its content depends only on (seed, its number). A log
 * failure aborts the tick; the producer is then reopened and resumes from the committed state.
 */
export async function runProducer(ctx: AppContext, options: ProducerOptions): Promise<ProducerState> {
  const topic = stateTopic(ctx)
  await ctx.log.admin.createTopics([
    { name: ctx.topics.usersRaw, partitions: ctx.partitions },
    { name: ctx.topics.ordersRaw, partitions: ctx.partitions },
    { name: topic, partitions: 1, cleanupPolicy: 'compact' },
  ])
  const key = `seed-${options.seed}`
  let state = (await readState(ctx.log, topic, key)) ?? { orders: 0, users: 0 }
  const codec = await openEventCodec(ctx)
  const open = () => ctx.log.producer({ transactionalId: `${ctx.applicationId}-producer-${options.seed}` })
  let producer: Producer | undefined = await open().catch(async (err: unknown) => {
    await codec.close()
    throw err
  })
  const initialUsers = options.initialUsers ?? 200
  const started = Date.now()
  const startOrders = state.orders
  let lastReport = started
  let failingSince: number | undefined
  try {
    while (!options.signal?.aborted && state.orders < (options.maxOrders ?? Infinity)) {
      const now = Date.now()
      const due = Math.min(
        startOrders + Math.floor(((now - started) / 1000) * options.rate),
        options.maxOrders ?? Infinity,
      )
      try {
        if (producer === undefined) {
          producer = await open() // fences the failed one and aborts what it left open
          state = (await readState(ctx.log, topic, key)) ?? state
        }
        if (due > state.orders) {
          const { records, next } = batch(ctx, codec, options.seed, state, due, initialUsers, now)
          records.push({
            topic,
            partition: 0,
            key: Buffer.from(key),
            value: Buffer.from(JSON.stringify(next)),
          })
          await producer.beginTransaction()
          await producer.send(traceRecords(records, [ctx.topics.ordersRaw, ctx.topics.usersRaw]))
          await producer.commitTransaction()
          state = next
        }
        failingSince = undefined
      } catch (err) {
        failingSince ??= now
        // A full or failing disk under the embedded log does not pass by retrying: stop, naming it.
        const retryable =
          (isTributaryError(err, 'LOG') || isTributaryError(err, 'TRANSACTION')) &&
          storageErrorOf(err) === undefined
        if (!retryable || now - failingSince > (options.retryTimeoutMs ?? 300_000)) throw err
        options.onRetry?.(err)
        await producer?.close().catch(() => {})
        producer = undefined
        await new Promise((r) => setTimeout(r, 1_000))
      }
      if (options.onProgress && now - lastReport >= 5000) {
        lastReport = now
        options.onProgress(state)
      }
      await new Promise((r) => setTimeout(r, TICK_MS))
    }
  } finally {
    await producer?.close().catch(() => {})
    await codec.close()
  }
  return state
}

function batch(
  ctx: AppContext,
  codec: EventCodec,
  seed: number,
  state: ProducerState,
  due: number,
  initialUsers: number,
  now: number,
): { records: ProducerRecord[]; next: ProducerState } {
  const records: ProducerRecord[] = []
  const usersNeeded = initialUsers + Math.floor(due / 20)
  for (let i = state.users; i < usersNeeded; i++) {
    const user = makeUser(seed, i, now - 5_000)
    records.push(record(ctx.topics.usersRaw, userId(seed, i), codec.user(user)))
  }
  for (let seq = state.orders; seq < due; seq++) {
    const rng = Random.for(seed, 'live', seq)
    const at = now - Math.floor(rng.next() * 2_000)
    const order = makeOrder(seed, seq, at, Math.max(1, initialUsers + Math.floor(seq / 20)), 0.01)
    const id = order.payload.order_id
    if (rng.chance(0.005)) {
      records.push(record(ctx.topics.ordersRaw, id, codec.broken(rng, order)))
      continue
    }
    const line = codec.order(order)
    records.push(record(ctx.topics.ordersRaw, id, line))
    if (rng.chance(0.01)) records.push(record(ctx.topics.ordersRaw, id, line)) // an at-least-once retry upstream
    // Now and then a burst: the same user orders a big basket several times (an anomaly to see).
    if (rng.chance(0.0005))
      for (let b = 0; b < 30; b++) {
        const burst = makeOrder(seed + 1_000_003, seq * 64 + b, at, 1, 0)
        const big = {
          ...burst,
          payload: { ...burst.payload, order_id: `${id}-burst-${b}`, user_id: order.payload.user_id },
        }
        records.push(record(ctx.topics.ordersRaw, big.payload.order_id, codec.order(big)))
      }
  }
  return { records, next: { orders: due, users: Math.max(state.users, usersNeeded) } }
}

const record = (topic: string, key: string, value: Buffer): ProducerRecord => ({
  topic,
  key: Buffer.from(key),
  value,
})

/** The latest committed state of this producer, read to the end of the state topic. */
async function readState(log: Log, topic: string, key: string): Promise<ProducerState | undefined> {
  const tp = { topic, partition: 0 }
  const [end] = await log.admin.endOffsets([tp], 'read_committed')
  const consumer = await log.consumer({ groupId: `${topic}-reader`, isolation: 'read_committed' })
  let state: ProducerState | undefined
  try {
    await consumer.assign([tp])
    consumer.seek(tp, 0)
    // Markers may sit at the end (never returned): stop after a few empty polls.
    for (let empty = 0; consumer.position(tp) < end!.offset && empty < 10;) {
      const records = await consumer.poll({ timeoutMs: 200 })
      empty = records.length === 0 ? empty + 1 : 0
      for (const r of records)
        if (r.key?.toString() === key && r.value) state = JSON.parse(r.value.toString()) as ProducerState
    }
  } finally {
    await consumer.close()
  }
  return state
}
