import type { OrderPlaced } from '../contract/envelope.ts'
import { breakOrder, makeOrder, makeUser } from './events.ts'
import { Random } from './random.ts'

export interface DataSetOptions {
  readonly seed: number
  readonly users: number
  readonly orders: number
  /** Event time of the first order (ms); default 2026-01-01T00:00:00Z. */
  readonly startMs?: number
  /** Orders per second of event time; default 50. */
  readonly ordersPerSecond?: number
  /** Orders arrive up to this much earlier than their place in the file suggests; default 2000 ms. */
  readonly disorderMs?: number
  /** Shares of the orders that are broken, sent twice, or by users that do not exist. */
  readonly invalidRate?: number
  readonly duplicateRate?: number
  readonly unknownUserRate?: number
  /** Share of the orders that arrive 5 minutes late (after their window closed); default 0.001. */
  readonly lateRate?: number
  /** Shares of the users records that are broken, and of users that get a second record later. */
  readonly invalidUserRate?: number
  readonly userUpdateRate?: number
}

/**
 * A replayable data set: JSONL lines of users-raw and orders-raw (one envelope per line), the
 * same for the same options. Users come first (created an hour before the first order); orders
 * are in event-time order but for a bounded disorder; a few are late, broken, duplicated (the same line
 * again, a little later) or by unknown users; a few users are broken or re-sent with a new region.
 */
export function* userLines(o: DataSetOptions): Generator<string> {
  const start = o.startMs ?? Date.UTC(2026, 0, 1)
  const rng = Random.for(o.seed, 'users-file', 0)
  const updated: number[] = []
  for (let i = 0; i < o.users; i++) {
    const user = makeUser(o.seed, i, start - 3_600_000 + i)
    if (rng.chance(o.invalidUserRate ?? 0.005)) {
      yield rng.chance(0.5)
        ? JSON.stringify(user).slice(0, 20)
        : JSON.stringify({ ...user, payload: { ...user.payload, user_id: undefined } })
      continue
    }
    yield JSON.stringify(user)
    if (rng.chance(o.userUpdateRate ?? 0.01)) updated.push(i)
  }
  for (const i of updated) {
    const user = makeUser(o.seed, i, start - 60_000)
    yield JSON.stringify({ ...user, payload: { ...user.payload, region: 'eu-north' } })
  }
}

export function* orderLines(o: DataSetOptions): Generator<string> {
  const start = o.startMs ?? Date.UTC(2026, 0, 1)
  const gap = 1000 / (o.ordersPerSecond ?? 50)
  const disorder = o.disorderMs ?? 2000
  const rng = Random.for(o.seed, 'orders-file', 0)
  const pending: Array<{ due: number; line: string }> = []
  for (let seq = 0; seq < o.orders; seq++) {
    const late = rng.chance(o.lateRate ?? 0.001) ? 5 * 60_000 : 0
    const at = Math.max(0, Math.floor(start + seq * gap - rng.next() * disorder - late))
    const order: OrderPlaced = makeOrder(o.seed, seq, at, o.users, o.unknownUserRate ?? 0.01)
    while (pending.length > 0 && pending[0]!.due <= seq) yield pending.shift()!.line
    if (rng.chance(o.invalidRate ?? 0.01)) {
      yield breakOrder(rng, order)
      continue
    }
    const line = JSON.stringify(order)
    yield line
    if (rng.chance(o.duplicateRate ?? 0.01)) pending.push({ due: seq + rng.int(1, 20), line })
  }
  for (const { line } of pending) yield line
}
