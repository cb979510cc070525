// One windows/joins benchmark case in its own process. Prints one JSON line.
// Usage: tsx bench/windows-joins-case.ts <window-sum|join|plain-window-sum|plain-join> <records>
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EmbeddedLog,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  type Topology,
} from 'tributary-streams'
import { printCaseResult, secondsToProcess } from './case-timing.ts'

const [kind, countArg] = process.argv.slice(2) as [string, string]
const RECORDS = Number(countArg)
const KEYS = 1_000
const PARTITIONS = 4
const str = Serdes.string()
const num = Serdes.number()
const MINUTE = 60_000

interface Order {
  user: string
  amount: number
}
const order = Serdes.json<Order>()
const orders = Array.from({ length: RECORDS }, (_, i) => ({
  key: Buffer.from(`u${i % KEYS}`),
  value: order.serialize({ user: `u${i % KEYS}`, amount: i % 100 }, 'orders'),
  timestamp: 1_700_000_000_000 + i * 5, // 200 orders per second of event time
}))
const users = Array.from({ length: KEYS }, (_, i) => ({
  key: Buffer.from(`u${i}`),
  value: Buffer.from(`region-${i % 7}`),
}))

function windowSum(): Topology {
  const b = new StreamsBuilder()
  b.stream('orders', { key: str, value: order })
    .mapValues((o) => o.amount)
    .groupByKey({ value: num })
    .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 5_000))
    .reduce((x, y) => x + y, { name: 'sums', value: num })
    .toStream()
    .to('out', { key: WindowedSerdes.timeWindowed(str, MINUTE), value: num })
  return b.build()
}

function enrich(): Topology {
  const b = new StreamsBuilder()
  const regions = b.table('users', { key: str, value: str }, { name: 'users' })
  b.stream('orders', { key: str, value: order })
    .join(regions, (o, region) => ({ ...o, region }))
    .to('out', { key: str, value: Serdes.json() })
  return b.build()
}

function plain(): void {
  if (kind === 'plain-window-sum') {
    const sums = new Map<string, number>()
    for (const r of orders) {
      const o = order.deserialize(r.value, 'orders')
      const k = `${r.key.toString()}@${r.timestamp - (r.timestamp % MINUTE)}`
      const s = (sums.get(k) ?? 0) + o.amount
      sums.set(k, s)
      num.serialize(s, 'out')
    }
  } else {
    const table = new Map(users.map((u) => [u.key.toString(), u.value.toString()]))
    for (const r of orders) {
      const o = order.deserialize(r.value, 'orders')
      const region = table.get(r.key.toString())
      if (region !== undefined) Buffer.from(JSON.stringify({ ...o, region }))
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-'))
let seconds: number
if (kind.startsWith('plain')) {
  const t0 = performance.now()
  plain()
  seconds = (performance.now() - t0) / 1000
} else {
  const log = await EmbeddedLog.open({ dataDir: join(dir, 'log'), fsync: 'never' })
  await log.admin.createTopics(['orders', 'users', 'out'].map((name) => ({ name, partitions: PARTITIONS })))
  const producer = await log.producer()
  if (kind === 'join') await producer.send(users.map((u) => ({ topic: 'users', ...u })))
  for (let i = 0; i < RECORDS; i += 10_000)
    await producer.send(orders.slice(i, i + 10_000).map((r) => ({ topic: 'orders', ...r })))
  const app = new StreamsApp(kind === 'join' ? enrich() : windowSum(), {
    applicationId: `bench-${kind}`,
    dataDir: dir,
    log,
    commitIntervalMs: 1000,
  })
  const total = RECORDS + (kind === 'join' ? KEYS : 0)
  seconds = await secondsToProcess(app, total)
  await log.close()
}
rmSync(dir, { recursive: true, force: true })
printCaseResult({ case: kind }, RECORDS, seconds)
