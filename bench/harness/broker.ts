// The harness's own use of the broker: topics, preloading generated records, watching a group's
// committed offsets, and reading an output topic back read_committed. Through Tributary's KafkaLog.
import type { ConsumerRecord, Log, PartitionOffset, TopicPartition } from 'tributary-streams'
import { PARTITIONS, type Generated } from './inputs.ts'

const BATCH = 10_000
const IN_FLIGHT = 1 // the idempotent producer keeps one send in flight

/**
 * Topics keep their records forever: the generated records carry event times of January 2026,
 * older than the broker's 7-day retention, which would otherwise delete inputs and outputs in the
 * middle of a run (its retention check runs every 5 minutes).
 */
export async function createTopics(log: Log, names: readonly string[]): Promise<void> {
  const existing = new Set(await log.admin.listTopics())
  const missing = names.filter((n) => !existing.has(n))
  if (missing.length > 0)
    await log.admin.createTopics(missing.map((name) => ({ name, partitions: PARTITIONS, retentionMs: -1 })))
}

/** Writes the records (key-hashed partitions, their event timestamps), idempotent, acks=all. */
export async function preload(log: Log, topic: string, records: Iterable<Generated>): Promise<number> {
  const producer = await log.producer()
  const pending: Array<Promise<unknown>> = []
  let batch: Generated[] = []
  let total = 0
  const flush = async (): Promise<void> => {
    const send = batch.map((r) => ({
      topic,
      key: r.key === null ? null : Buffer.from(r.key),
      value: Buffer.from(r.value),
      ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
    }))
    batch = []
    pending.push(producer.send(send))
    if (pending.length >= IN_FLIGHT) await pending.shift()
  }
  for (const record of records) {
    batch.push(record)
    total++
    if (batch.length === BATCH) await flush()
  }
  if (batch.length > 0) await flush()
  await Promise.all(pending)
  await producer.close()
  return total
}

export function partitionsOf(topics: readonly string[]): TopicPartition[] {
  return topics.flatMap((topic) =>
    Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })),
  )
}

const sum = (offsets: readonly PartitionOffset[]): number => offsets.reduce((s, o) => s + o.offset, 0)

/** Records of `topics` (all partitions) that the group has committed past. */
export async function committedRecords(log: Log, group: string, topics: readonly string[]): Promise<number> {
  return sum(await log.admin.committedOffsets(group, partitionsOf(topics)))
}

/**
 * Records of the group's repartition topics (Kafka Streams and Tributary: `<group>-...-repartition`;
 * Quix Streams: `repartition__<group>--...`) not yet committed. Under
 * exactly-once a partition's last offset is a commit marker, never committed past: one record per
 * partition is tolerated there (`markers`).
 */
export async function repartitionBacklog(log: Log, group: string, markers: boolean): Promise<number> {
  const topics = (await log.admin.listTopics()).filter(
    (t) =>
      (t.startsWith(`${group}-`) && t.endsWith('-repartition')) || t.startsWith(`repartition__${group}--`),
  )
  const partitions = partitionsOf(topics)
  const ends = await log.admin.endOffsets(partitions)
  const committed = new Map(
    (await log.admin.committedOffsets(group, partitions)).map((o) => [`${o.topic}:${o.partition}`, o.offset]),
  )
  return ends.reduce((backlog, e) => {
    const gap = e.offset - (committed.get(`${e.topic}:${e.partition}`) ?? 0) - (markers ? 1 : 0)
    return backlog + Math.max(gap, 0)
  }, 0)
}

export async function endRecords(log: Log, topics: readonly string[]): Promise<number> {
  return sum(await log.admin.endOffsets(partitionsOf(topics)))
}

/** Every committed record of `topic`, read_committed from the beginning to the stable end. */
export async function readCommitted(log: Log, topic: string): Promise<ConsumerRecord[]> {
  const partitions = partitionsOf([topic])
  const ends = await log.admin.endOffsets(partitions, 'read_committed')
  const consumer = await log.consumer({ groupId: `bench-reader-${topic}`, isolation: 'read_committed' })
  await consumer.assign(partitions)
  for (const tp of partitions) consumer.seek(tp, 0)
  const records: ConsumerRecord[] = []
  const behind = () => ends.some((e) => consumer.position(e) < e.offset)
  while (behind()) records.push(...(await consumer.poll({ maxRecords: 10_000, timeoutMs: 500 })))
  await consumer.close()
  return records
}
