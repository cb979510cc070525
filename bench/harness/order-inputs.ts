// order-analytics' input: the app's own replayable data set (apps/order-analytics/src/generator):
// users first, then orders with their disorder, duplicates, broken and late records, keyed as the
// app's producer keys them.
import { orderLines, userLines } from '../../apps/order-analytics/src/generator/data-set.ts'
import { keyOf } from '../../apps/order-analytics/src/replay/feed.ts'
import type { Generated } from './inputs.ts'

const USERS = 10_000
const SEED = 42

const keyed = (line: string, field: 'order_id' | 'user_id'): Generated => ({
  key: keyOf(line, field)?.toString('utf8') ?? null,
  value: line,
})

export function* userRecords(): Generator<Generated> {
  for (const line of userLines({ seed: SEED, users: USERS, orders: 0 })) yield keyed(line, 'user_id')
}

export function* orderRecords(orders: number): Generator<Generated> {
  for (const line of orderLines({ seed: SEED, users: USERS, orders })) yield keyed(line, 'order_id')
}
