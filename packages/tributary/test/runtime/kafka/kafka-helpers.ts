import { randomUUID } from 'node:crypto'
import type { ConsumerRecord, Isolation, Log, Logger } from 'tributary-streams'
import { KafkaLog, type KafkaLogOptions } from 'tributary-streams/kafka'

/** Brokers of the integration and chaos tests: `npm run kafka:start`, or KAFKA_BROKERS. */
export const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim())

export const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** Connects to the test broker; unreachable is a failure naming the fix, never a skip. */
export async function connectKafka(options: Partial<KafkaLogOptions> = {}): Promise<KafkaLog> {
  try {
    return await KafkaLog.connect({
      brokers,
      clientId: 'tributary-it',
      sessionTimeoutMs: 6_000,
      transactionTimeoutMs: 10_000,
      ...options,
    })
  } catch (err) {
    throw new Error(`Kafka is not reachable at ${brokers.join(',')}: run \`npm run kafka:start\``, {
      cause: err,
    })
  }
}

/** A name no earlier run against the same broker used (topics and groups outlive test runs). */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** Every record of `topic` up to its end offsets (read_committed by default), all partitions. */
export async function readTopic(
  log: Log,
  topic: string,
  isolation: Isolation = 'read_committed',
): Promise<ConsumerRecord[]> {
  const [described] = await log.admin.describeTopics([topic])
  const tps = Array.from({ length: described!.partitions }, (_, partition) => ({ topic, partition }))
  const end = await log.admin.endOffsets(tps, isolation)
  const consumer = await log.consumer({ groupId: unique('reader'), isolation })
  try {
    await consumer.assign(tps)
    const out: ConsumerRecord[] = []
    const deadline = Date.now() + 60_000
    while (tps.some((tp, i) => consumer.position(tp) < end[i]!.offset)) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} did not reach its end offsets`)
      out.push(...(await consumer.poll({ maxRecords: 10_000, timeoutMs: 200 })))
    }
    return out.filter((r) => r.offset < end[r.partition]!.offset)
  } finally {
    await consumer.close()
  }
}
