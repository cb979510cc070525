// One case of bench/observability.ts in its own process. Prints one JSON line (case-timing.ts)
// with figures of the steady state only: from when the input's first fifth has been read
// (start-up and the first compilations are behind) until all records are processed (before the
// final commit and close). CPU time per record (user + system, µs) of the whole process (with the
// garbage collector's and compiler's threads) and of the main thread alone, and the rate.
// Usage: tsx bench/observability-case.ts <stateless|windowed> <variant> <records>
//   off, off2 (the same, for the A/A row): no observer; info, debug: runtimeMetrics at that
//   recording level; traced: tracing with an OpenTelemetry SDK recording every span (exported to
//   nowhere); unsampled: the same SDK with a sample ratio of 0 (records carry no traceparent).
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
  type Serde,
  type Topology,
} from 'tributary-streams'
import { runtimeMetrics, tracingObserver } from 'tributary-streams/observe'
import { printCaseResult } from './case-timing.ts'

const [kind, variant, countArg] = process.argv.slice(2) as [string, string, string]
const RECORDS = Number(countArg)
const KEYS = 1000
const PARTITIONS = 4
const str = Serdes.string()
type Order = { id: number; amount: number; region: string }

function topology(orderSerde: Serde<Order>): Topology {
  const b = new StreamsBuilder()
  const orders = b.stream('in', { key: str, value: orderSerde })
  if (kind === 'stateless')
    orders
      .mapValues((v) => ({ ...v, amount: v.amount * 2 }))
      .filter((_k, v) => v.amount % 3 !== 0)
      .to('out', { key: str, value: Serdes.json() })
  else if (kind === 'windowed')
    orders
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count({ name: 'per-minute' })
      .toStream()
      .map((w, n) => [w.key, String(n)])
      .to('out', { key: str, value: str })
  else throw new Error(`unknown benchmark ${kind}: stateless or windowed`)
  return b.build()
}

function observer(): RuntimeObserver | undefined {
  if (variant === 'info' || variant === 'debug')
    return runtimeMetrics({ registry: new Registry(), level: variant })
  if (variant === 'traced' || variant === 'unsampled') {
    const provider = new BasicTracerProvider({ spanProcessors: [new NoopSpanProcessor()] })
    return tracingObserver({ tracer: provider.getTracer('bench'), sampleRatio: variant === 'traced' ? 1 : 0 })
  }
  if (variant === 'off' || variant === 'off2') return undefined
  throw new Error(`unknown variant ${variant}: off, off2, info, debug, traced or unsampled`)
}

/** A usage of the process and the app at one moment. */
const reading = (app: StreamsApp) => ({
  processed: app.metrics().processed,
  at: performance.now(),
  cpu: process.cpuUsage(),
  main: process.threadCpuUsage(),
})

/** `serde` calling `reached` when its `at`-th value is read: the reading is taken at that exact
 *  record (a timer would take it a processing turn or more later). */
function noting<T>(serde: Serde<T>, at: number, reached: () => void): Serde<T> {
  let read = 0
  return {
    serialize: (value, topic) => serde.serialize(value, topic),
    deserialize: (bytes, topic) => {
      if (++read === at) reached()
      return serde.deserialize(bytes, topic)
    },
  }
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
let start: ReturnType<typeof reading> | undefined
const app: StreamsApp = new StreamsApp(
  topology(noting(Serdes.json<Order>(), Math.round(RECORDS / 5), () => (start = reading(app)))),
  {
    applicationId: `bench-observe-${kind}`,
    dataDir: dir,
    log,
    processingGuarantee: 'at-least-once',
    ...(observing === undefined ? {} : { observer: observing }),
  },
)
await app.start()
// Polled when the loop idles, i.e. right after the last record is processed.
while (app.metrics().processed < RECORDS) {
  await new Promise((r) => setTimeout(r, 2))
  if (app.state === 'failed') await app.done
}
const end = reading(app)
await app.close()
await log.close()
rmSync(dir, { recursive: true, force: true })
if (start === undefined) throw new Error('the input was not read')
const records = end.processed - start.processed
const micros = (now: NodeJS.CpuUsage, then: NodeJS.CpuUsage) =>
  Math.round(((now.user - then.user + now.system - then.system) / records) * 100) / 100
printCaseResult(
  {
    case: kind,
    observe: variant,
    cpuMicrosPerRecord: micros(end.cpu, start.cpu),
    mainCpuMicrosPerRecord: micros(end.main, start.main),
  },
  records,
  (end.at - start.at) / 1000,
)
