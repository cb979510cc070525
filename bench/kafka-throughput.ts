// Throughput on a real Kafka broker, all cases against the same broker in one run:
//   (b) the broker's own kafka-producer-perf-test / kafka-consumer-perf-test (Java, .kafka/libs),
//   (a) a bare @platformatic/kafka consume-transform-produce loop (no state, no transactions),
//   Tributary StreamsApp, the same transform, at-least-once and exactly-once,
//   Tributary StreamsApp, a per-key count (lmdb store + compacted changelog), both guarantees.
// Usage: npm run kafka:start && npx tsx bench/kafka-throughput.ts [records=100000] [brokers]
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Consumer, MessagesStreamModes, ProduceAcks, Producer } from '@platformatic/kafka'
import { Serdes, StreamsApp, StreamsBuilder, type Topology } from '../packages/tributary/src/index.ts'
import { KafkaLog } from '../packages/tributary/src/log/kafka/index.ts'

const RECORDS = Number(process.argv[2] ?? 100_000)
const BROKERS = process.argv[3] ?? process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'
const PARTITIONS = 4
const VALUE_BYTES = 100
const ROOT = join(import.meta.dirname, '..')
const run = randomUUID().slice(0, 8)
const silent = { debug() {}, info() {}, warn() {}, error() {} }
const rows: Array<[string, number, string]> = []
const report = (name: string, recordsPerSec: number, note = ''): void => {
  rows.push([name, Math.round(recordsPerSec), note])
  console.error(`${name}: ${Math.round(recordsPerSec)} rec/s ${note}`)
}

const log = await KafkaLog.connect({ brokers: [BROKERS], clientId: 'bench' })
const topic = async (name: string): Promise<string> => {
  const full = `bench-${run}-${name}`
  await log.admin.createTopics([{ name: full, partitions: PARTITIONS }])
  return full
}

// (b) The broker's own tools.
const java = (cls: string, args: string[]): string =>
  execFileSync(
    'java',
    ['-Xmx256m', '-cp', join(ROOT, '.kafka', 'libs', '*'), `org.apache.kafka.tools.${cls}`, ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
const perfTopic = await topic('perf')
const producerOut = java('ProducerPerformance', [
  '--topic',
  perfTopic,
  '--num-records',
  String(RECORDS),
  '--record-size',
  String(VALUE_BYTES),
  '--throughput',
  '-1',
  '--producer-props',
  `bootstrap.servers=${BROKERS}`,
  'acks=all',
  'linger.ms=5',
])
const producerRate = Number(/([\d.]+) records\/sec/.exec(producerOut.trim().split('\n').at(-1)!)?.[1])
report('kafka-producer-perf-test (Java, acks=all)', producerRate, `${VALUE_BYTES} B values`)
const consumerOut = java('ConsumerPerformance', [
  '--bootstrap-server',
  BROKERS,
  '--topic',
  perfTopic,
  '--messages',
  String(RECORDS),
  '--timeout',
  '60000',
])
// CSV: start, end, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
const consumerCsv = consumerOut
  .trim()
  .split('\n')
  .at(-1)!
  .split(',')
  .map((c) => c.trim())
report('kafka-consumer-perf-test (Java)', Number(consumerCsv[5]), 'includes group join')

// The input every consume-transform-produce case reads: RECORDS keyed records, preloaded.
const input = await topic('input')
{
  const producer = await log.producer()
  const value = Buffer.alloc(VALUE_BYTES, 'x')
  const started = Date.now()
  for (let i = 0; i < RECORDS; i += 5_000) {
    await producer.send(
      Array.from({ length: Math.min(5_000, RECORDS - i) }, (_, j) => ({
        topic: input,
        key: Buffer.from(`k${(i + j) % 1000}`),
        value,
      })),
    )
  }
  report(
    'Tributary KafkaLog producer (idempotent, acks=all)',
    RECORDS / ((Date.now() - started) / 1000),
    'preload, 5000/send',
  )
  await producer.close()
}

// (a) Bare @platformatic/kafka: consume stream -> uppercase -> produce, autocommit.
{
  const output = await topic('bare-out')
  const options = { clientId: `bench-bare-${run}`, bootstrapBrokers: [BROKERS] }
  const consumer = new Consumer({ ...options, groupId: `bench-bare-${run}` })
  const producer = new Producer(options)
  const started = Date.now()
  const stream = await consumer.consume({
    topics: [input],
    mode: MessagesStreamModes.EARLIEST,
    autocommit: 1000,
  })
  let seen = 0
  let batch: Array<{ topic: string; key: Buffer; value: Buffer; partition: number }> = []
  const flush = async () => {
    const messages = batch
    batch = []
    if (messages.length > 0) await producer.send({ messages, acks: ProduceAcks.LEADER })
  }
  for await (const m of stream) {
    batch.push({
      topic: output,
      key: m.key as Buffer,
      value: Buffer.from((m.value as Buffer).toString().toUpperCase()),
      partition: m.partition,
    })
    if (++seen % 1000 === 0) await flush()
    if (seen >= RECORDS) break
  }
  await flush()
  report(
    'bare @platformatic/kafka consume-transform-produce',
    RECORDS / ((Date.now() - started) / 1000),
    'acks=1, autocommit, no state',
  )
  await stream.close().catch(() => undefined)
  await Promise.allSettled([consumer.close(true), producer.close()])
}

// Tributary StreamsApp cases: time from start() (group join included) until every input record is
// processed and the final commit on close() has made outputs and offsets durable.
async function streams(
  name: string,
  build: (output: string) => Topology,
  guarantee: 'at-least-once' | 'exactly-once',
) {
  const output = await topic(`${name}-${guarantee}-out`)
  const applicationId = `bench-${run}-${name}-${guarantee}`
  const dir = mkdtempSync(join(tmpdir(), 'bench-kafka-'))
  const app = new StreamsApp(build(output), {
    applicationId,
    dataDir: dir,
    log,
    processingGuarantee: guarantee,
    logger: silent,
  })
  const started = Date.now()
  await app.start()
  while (app.metrics().processed < RECORDS) await new Promise((r) => setTimeout(r, 20))
  const commits = app.metrics().commits
  await app.close() // the final commit: outputs and offsets durable (committed) when it resolves
  const seconds = (Date.now() - started) / 1000
  rmSync(dir, { recursive: true, force: true })
  report(
    `Tributary ${name} ${guarantee}`,
    RECORDS / seconds,
    `${commits} commits before close; start, join, final commit included`,
  )
}
const str = Serdes.string()
const transform = (output: string) => {
  const b = new StreamsBuilder()
  b.stream(input, { key: str, value: str })
    .mapValues((v) => v.toUpperCase())
    .to(output, { key: str, value: str })
  return b.build()
}
const count = (output: string) => {
  const b = new StreamsBuilder()
  b.stream(input, { key: str, value: str })
    .groupByKey()
    .count({ name: 'counts' })
    .toStream()
    .to(output, { key: str, value: Serdes.number() })
  return b.build()
}
for (const guarantee of ['at-least-once', 'exactly-once'] as const)
  await streams('transform', transform, guarantee)
for (const guarantee of ['at-least-once', 'exactly-once'] as const) await streams('count', count, guarantee)

await log.admin.deleteTopics((await log.admin.listTopics()).filter((t) => t.includes(`bench-${run}`)))
await log.close()
console.log(
  `records per case: ${RECORDS}; ${PARTITIONS} partitions; ${VALUE_BYTES} B values; broker ${BROKERS} (one KRaft node, scripts/kafka-start.sh)`,
)
for (const [name, rate, note] of rows)
  console.log(`${name.padEnd(52)} ${String(rate).padStart(8)} rec/s  ${note}`)
process.exit(0)
