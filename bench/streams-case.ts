// One benchmark case in its own process (so peak RSS is the case's own). Prints one JSON line:
// { case, records, seconds, recordsPerSec, peakRssMb }.
// Usage: tsx bench/streams-case.ts <stateless|count|plain-stateless|plain-count> <at-least-once|exactly-once|-> <records>
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EmbeddedLog,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  type ProcessingGuarantee,
  type Topology,
} from 'tributary-streams'
import { printCaseResult, secondsToProcess } from './case-timing.ts'

const [kind, guarantee, countArg] = process.argv.slice(2) as [string, string, string]
const RECORDS = Number(countArg)
const KEYS = 10_000
const PARTITIONS = 4
const str = Serdes.string()
const num = Serdes.number()

const value = (i: number): string => JSON.stringify({ id: i, amount: i % 100, region: `r${i % 7}` })

function statelessTopology(): Topology {
  const b = new StreamsBuilder()
  b.stream('in', { key: str, value: Serdes.json<{ id: number; amount: number; region: string }>() })
    .mapValues((v) => ({ ...v, amount: v.amount * 2 }))
    .filter((_k, v) => v.amount % 3 !== 0)
    .to('out', { key: str, value: Serdes.json() })
  return b.build()
}

function countTopology(): Topology {
  const b = new StreamsBuilder()
  b.stream('in', { key: str, value: str })
    .groupByKey()
    .count({ name: 'counts', persistent: true })
    .toStream()
    .to('out', { key: str, value: num })
  return b.build()
}

/** The same computation as a plain loop over the encoded records: the upper bound. */
function plain(records: Array<{ key: Buffer; value: Buffer }>): number {
  let out = 0
  if (kind === 'plain-stateless') {
    for (const r of records) {
      const v = JSON.parse(r.value.toString()) as { amount: number }
      const mapped = { ...v, amount: v.amount * 2 }
      if (mapped.amount % 3 !== 0) out += Buffer.from(JSON.stringify(mapped)).length > 0 ? 1 : 0
    }
  } else {
    const counts = new Map<string, number>()
    for (const r of records) {
      const k = r.key.toString()
      const n = (counts.get(k) ?? 0) + 1
      counts.set(k, n)
      out += num.serialize(n, 'out').length > 0 ? 1 : 0
    }
  }
  return out
}

const records = Array.from({ length: RECORDS }, (_, i) => ({
  key: Buffer.from(`k${i % KEYS}`),
  value: Buffer.from(value(i)),
}))
const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-'))
let seconds: number
if (kind.startsWith('plain')) {
  const t0 = performance.now()
  plain(records)
  seconds = (performance.now() - t0) / 1000
} else {
  const log = await EmbeddedLog.open({ dataDir: join(dir, 'log'), fsync: 'never' })
  await log.admin.createTopics([
    { name: 'in', partitions: PARTITIONS },
    { name: 'out', partitions: PARTITIONS },
  ])
  const producer = await log.producer()
  for (let i = 0; i < RECORDS; i += 10_000)
    await producer.send(records.slice(i, i + 10_000).map((r) => ({ topic: 'in', ...r })))
  const app = new StreamsApp(kind === 'stateless' ? statelessTopology() : countTopology(), {
    applicationId: `bench-${kind}`,
    dataDir: dir,
    log,
    processingGuarantee: guarantee as ProcessingGuarantee,
    commitIntervalMs: guarantee === 'exactly-once' ? 100 : 1000,
  })
  seconds = await secondsToProcess(app, RECORDS)
  await log.close()
}
rmSync(dir, { recursive: true, force: true })
printCaseResult({ case: kind, guarantee }, RECORDS, seconds)
