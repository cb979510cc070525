// One case of bench/alignment.ts in its own process. Prints one JSON line.
// Usage: tsx bench/alignment-case.ts <window-sum|order-analytics> <on|off> <records>
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EmbeddedLog,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  TimeWindows,
  type Topology,
} from 'tributary-streams'
import { topicNames } from '../apps/order-analytics/src/context.ts'
import { orderLines, userLines } from '../apps/order-analytics/src/generator/data-set.ts'
import { keyOf } from '../apps/order-analytics/src/replay/feed.ts'
import { orderAnalyticsTopology } from '../apps/order-analytics/src/topology/order-analytics-topology.ts'
import { printCaseResult } from './case-timing.ts'

const [kind, alignment, countArg] = process.argv.slice(2) as [string, string, string]
const RECORDS = Number(countArg)
const PARTITIONS = 4
const str = Serdes.string()
const num = Serdes.number()

/** The input, in event-time order within each partition (what alignment must not slow down). */
function input(): { topic: string; key: Buffer | null; value: Buffer; timestamp?: number }[] {
  if (kind === 'window-sum')
    return Array.from({ length: RECORDS }, (_, i) => ({
      topic: 'orders',
      key: Buffer.from(`u${i % 1000}`),
      value: num.serialize(i % 100, 'orders'),
      timestamp: 1_700_000_000_000 + i * 5,
    }))
  const options = { seed: 42, users: 5000, orders: RECORDS, lateRate: 0 }
  const topics = topicNames('')
  return [
    ...[...userLines(options)].map((l) => ({
      topic: topics.usersRaw,
      key: keyOf(l, 'user_id'),
      value: Buffer.from(l),
    })),
    ...[...orderLines(options)].map((l) => ({
      topic: topics.ordersRaw,
      key: keyOf(l, 'order_id'),
      value: Buffer.from(l),
    })),
  ]
}

function topology(): Topology {
  if (kind === 'order-analytics') return orderAnalyticsTopology({ topics: topicNames('') })
  const b = new StreamsBuilder()
  b.stream('orders', { key: str, value: num })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000))
    .reduce((x, y) => x + y, { name: 'sums', value: num })
    .toStream()
    .to('out', { key: Serdes.json(), value: num })
  return b.build()
}

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-align-'))
const log = await EmbeddedLog.open({ dataDir: join(dir, 'log'), fsync: 'never' })
const records = input()
const topics = [...new Set([...records.map((r) => r.topic), 'out', ...Object.values(topicNames(''))])]
await log.admin.createTopics(topics.map((name) => ({ name, partitions: PARTITIONS })))
const producer = await log.producer()
for (let i = 0; i < records.length; i += 10_000) await producer.send(records.slice(i, i + 10_000))
await producer.close()
const app = new StreamsApp(topology(), {
  applicationId: `bench-align-${kind}`,
  dataDir: dir,
  log,
  commitIntervalMs: 1000,
  eventTimeAlignment: alignment === 'on',
})
const t0 = performance.now()
await app.start()
await app.settle()
const seconds = (performance.now() - t0) / 1000
const late = app.metrics().lateRecords
await app.close()
await log.close()
rmSync(dir, { recursive: true, force: true })
printCaseResult({ case: kind, alignment, late }, records.length, seconds)
