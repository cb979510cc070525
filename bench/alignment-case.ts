// One case of bench/alignment.ts in its own process. Prints one JSON line (case-timing.ts) with
// the CPU time per record (user + system, µs) and the late records. On `kafka`, the broker at
// KAFKA_BROKERS (topics and group named anew per run, deleted after).
// Usage: tsx bench/alignment-case.ts <window-sum|order-analytics> <on|off> <records> [embedded|kafka]
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EmbeddedLog,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  TimeWindows,
  type Log,
  type Topology,
} from 'tributary-streams'
import { KafkaLog } from 'tributary-streams/kafka'
import { topicNames } from '../apps/order-analytics/src/context.ts'
import { orderLines, userLines } from '../apps/order-analytics/src/generator/data-set.ts'
import { keyOf } from '../apps/order-analytics/src/replay/feed.ts'
import { orderAnalyticsTopology } from '../apps/order-analytics/src/topology/order-analytics-topology.ts'
import { printCaseResult } from './case-timing.ts'

const [kind, alignment, countArg, logArg] = process.argv.slice(2) as [string, string, string, string?]
const logKind = logArg ?? 'embedded'
const RECORDS = Number(countArg)
/** Topic names: fixed on a fresh embedded log, new per run on a broker kept between runs. */
const prefix = logKind === 'kafka' ? `bench-align-${randomUUID().slice(0, 8)}-` : ''
const ORDERS = `${prefix}orders`
const PARTITIONS = 4
/** Order-analytics grace: longer than the event time 1M orders span (500 s), because without
 *  alignment the join tasks drift apart over a long backlog (at 1M, up to 50 s and growing) and
 *  the run without it would drop records the run with it counts. */
const GRACE_MS = 600_000
const str = Serdes.string()
const num = Serdes.number()

type Input = { topic: string; key: Buffer | null; value: Buffer; timestamp?: number }

/**
 * The input, in event-time order within each partition and across them (what alignment must not
 * slow down): orders dense in event time (2000/s, no disorder, none late), with GRACE_MS, so that
 * nothing is dropped as late with alignment off either: both runs do the same work, and the bench
 * fails if either drops a record. Generated as it is written, so a million records fit in memory.
 */
function* input(): Generator<Input> {
  if (kind === 'window-sum') {
    for (let i = 0; i < RECORDS; i++)
      yield {
        topic: ORDERS,
        key: Buffer.from(`u${i % 1000}`),
        value: num.serialize(i % 100, 'orders'),
        timestamp: 1_700_000_000_000 + i * 5,
      }
    return
  }
  const options = {
    seed: 42,
    users: 5000,
    orders: RECORDS,
    lateRate: 0,
    ordersPerSecond: 2000,
    disorderMs: 0,
  }
  const topics = topicNames(prefix)
  for (const l of userLines(options))
    yield { topic: topics.usersRaw, key: keyOf(l, 'user_id'), value: Buffer.from(l) }
  for (const l of orderLines(options))
    yield { topic: topics.ordersRaw, key: keyOf(l, 'order_id'), value: Buffer.from(l) }
}

function topology(): Topology {
  if (kind === 'order-analytics')
    return orderAnalyticsTopology({ topics: topicNames(prefix), graceMs: GRACE_MS })
  const b = new StreamsBuilder()
  b.stream(ORDERS, { key: str, value: num })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000))
    .reduce((x, y) => x + y, { name: 'sums', value: num })
    .toStream()
    .to(`${prefix}out`, { key: Serdes.json(), value: num })
  return b.build()
}

/**
 * Waits until the app has fetched every partition of `topic` and all its other inputs to their
 * end. settle() is called only then: it commits every turn, which an app does not do (it commits
 * every commitIntervalMs) and which would make the measurement about commits, not processing.
 */
async function inputFetched(topic: string): Promise<void> {
  for (;;) {
    const lag = await app.partitionLag()
    const fetched = lag.filter((l) => l.topic === topic && l.lag === 0).length
    if (fetched === PARTITIONS && lag.every((l) => l.lag === 0)) return
    await new Promise((r) => setTimeout(r, 10))
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-align-'))
const log: Log =
  logKind === 'kafka'
    ? await KafkaLog.connect({
        brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
        clientId: 'bench-align',
      })
    : await EmbeddedLog.open({ dataDir: join(dir, 'log'), fsync: 'never' })
const topics = [ORDERS, `${prefix}out`, ...Object.values(topicNames(prefix))]
await log.admin.createTopics([...new Set(topics)].map((name) => ({ name, partitions: PARTITIONS })))
const producer = await log.producer()
let written = 0
let batch: Input[] = []
for (const record of input()) {
  batch.push(record)
  if (batch.length === 10_000) {
    await producer.send(batch)
    written += batch.length
    batch = []
  }
}
await producer.send(batch)
written += batch.length
await producer.close()
const app = new StreamsApp(topology(), {
  applicationId: `${prefix}bench-align-${kind}`,
  dataDir: dir,
  log,
  commitIntervalMs: 1000,
  eventTimeAlignment: alignment === 'on',
})
const cpuBefore = process.cpuUsage()
const t0 = performance.now()
await app.start()
await inputFetched(kind === 'window-sum' ? ORDERS : topicNames(prefix).ordersRaw)
await app.settle()
const seconds = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpuBefore)
// CPU time is what alignment adds; on a shared machine it is steadier than wall-clock time.
const cpuMicrosPerRecord = Math.round(((cpu.user + cpu.system) / written) * 100) / 100
const late = app.metrics().lateRecords
await app.close()
if (logKind === 'kafka') {
  const internal = (await log.admin.listTopics()).filter((t) => t.startsWith(`${prefix}bench-align-`))
  await log.admin.deleteTopics([...new Set(topics), ...internal])
}
await log.close()
rmSync(dir, { recursive: true, force: true })
printCaseResult({ case: kind, log: logKind, alignment, late, cpuMicrosPerRecord }, written, seconds)
