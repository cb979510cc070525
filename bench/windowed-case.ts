// The harness's windowed scenario (1-minute tumbling count, final-only output) on the durable
// embedded log, in one process: for profiling the windowed path without a broker
// (`node --cpu-prof --import tsx bench/windowed-case.ts [records=100000]`). Prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedLog, StreamsApp } from 'tributary-streams'
import { events, PARTITIONS } from './harness/inputs.ts'
import { printCaseResult, secondsToProcess } from './case-timing.ts'
import { benchTopology } from './systems/tributary-topologies.ts'

const records = Number(process.argv[2] ?? '100000')
const dir = mkdtempSync(join(tmpdir(), 'tributary-windowed-'))
const log = await EmbeddedLog.open({ dataDir: join(dir, 'log'), fsync: 'never' })
await log.admin.createTopics(['in', 'out'].map((name) => ({ name, partitions: PARTITIONS })))
const producer = await log.producer()
const batch: Array<{ topic: string; key: Buffer; value: Buffer; timestamp: number }> = []
for (const e of events(records, 'uniform')) {
  batch.push({ topic: 'in', key: Buffer.from(e.key!), value: Buffer.from(e.value), timestamp: e.timestamp! })
  if (batch.length === 10_000) await producer.send(batch.splice(0))
}
if (batch.length > 0) await producer.send(batch)
const env = {
  brokers: '',
  topology: 'windowed',
  guarantee: 'at-least-once',
  applicationId: 'windowed',
  stateDir: dir,
  commitIntervalMs: 100,
  input: 'in',
  table: '',
  output: 'out',
} as const
const app = new StreamsApp(benchTopology(env), {
  applicationId: 'windowed',
  dataDir: dir,
  log,
  commitIntervalMs: 100,
})
const seconds = await secondsToProcess(app, records)
await log.close()
rmSync(dir, { recursive: true, force: true })
printCaseResult({ case: 'windowed' }, records, seconds)
