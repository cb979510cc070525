// One case of bench/observability.ts in its own process. Prints one JSON line (case-timing.ts).
// Also prints the CPU time per record of processing (user + system, µs): of the whole process
// (with the garbage collector's and compiler's threads) and of the main thread alone.
// Usage: tsx bench/observability-case.ts <stateless|windowed> <off|info|debug|traced|unsampled> <records>
//   off: no observer; info/debug: runtimeMetrics at that recording level; traced: tracing with an
//   OpenTelemetry SDK recording every span (exported to nowhere); unsampled: the same SDK with
//   a sample ratio of 0 (records carry no traceparent, so none is traced).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { Registry } from 'prom-client'
import {
  EmbeddedLog,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  TimeWindows,
  type RuntimeObserver,
  type Topology,
} from 'tributary-streams'
import { runtimeMetrics, tracingObserver } from 'tributary-streams/observe'
import { printCaseResult, secondsToProcess } from './case-timing.ts'

const [kind, observe, countArg] = process.argv.slice(2) as [string, string, string]
const RECORDS = Number(countArg)
const KEYS = 1000
const PARTITIONS = 4
const str = Serdes.string()
type Order = { id: number; amount: number; region: string }

function topology(): Topology {
  const b = new StreamsBuilder()
  const orders = b.stream('in', { key: str, value: Serdes.json<Order>() })
  if (kind === 'stateless')
    orders
      .mapValues((v) => ({ ...v, amount: v.amount * 2 }))
      .filter((_k, v) => v.amount % 3 !== 0)
      .to('out', { key: str, value: Serdes.json() })
  else
    orders
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count({ name: 'per-minute' })
      .toStream()
      .map((w, n) => [w.key, String(n)])
      .to('out', { key: str, value: str })
  return b.build()
}

function observer(): RuntimeObserver | undefined {
  if (observe === 'info' || observe === 'debug')
    return runtimeMetrics({ registry: new Registry(), level: observe })
  if (observe === 'traced' || observe === 'unsampled') {
    const provider = new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] })
    return tracingObserver({ tracer: provider.getTracer('bench'), sampleRatio: observe === 'traced' ? 1 : 0 })
  }
  return undefined
}

const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-observe-'))
const log = await EmbeddedLog.open({ dataDir: join(dir, 'log'), fsync: 'never' })
await log.admin.createTopics(['in', 'out'].map((name) => ({ name, partitions: PARTITIONS })))
const producer = await log.producer()
for (let i = 0; i < RECORDS; i += 10_000)
  await producer.send(
    Array.from({ length: Math.min(10_000, RECORDS - i) }, (_, j) => {
      const n = i + j
      const order: Order = { id: n, amount: n % 100, region: `r${n % 7}` }
      return {
        topic: 'in',
        key: Buffer.from(`k${n % KEYS}`),
        value: Buffer.from(JSON.stringify(order)),
        timestamp: n * 10,
      }
    }),
  )
const observing = observer()
const app = new StreamsApp(topology(), {
  applicationId: `bench-observe-${kind}`,
  dataDir: dir,
  log,
  processingGuarantee: 'at-least-once',
  ...(observing === undefined ? {} : { observer: observing }),
})
const cpuBefore = process.cpuUsage()
const mainBefore = process.threadCpuUsage()
const seconds = await secondsToProcess(app, RECORDS)
const cpu = process.cpuUsage(cpuBefore)
const main = process.threadCpuUsage(mainBefore)
const mainCpuMicrosPerRecord = Math.round(((main.user + main.system) / RECORDS) * 100) / 100
// CPU time is what an observer adds; on a shared machine it is steadier than wall-clock time.
const cpuMicrosPerRecord = Math.round(((cpu.user + cpu.system) / RECORDS) * 100) / 100
await log.close()
rmSync(dir, { recursive: true, force: true })
printCaseResult({ case: kind, observe, cpuMicrosPerRecord, mainCpuMicrosPerRecord }, RECORDS, seconds)
