import type { ConsumerRecord, Log } from 'tributary-streams'

/** Every committed record of `topic` up to its current end (read_committed: aborted transactions
 *  left out), partition by partition, in offset order. */
export async function readTopic(log: Log, topic: string): Promise<ConsumerRecord[]> {
  const [d] = await log.admin.describeTopics([topic])
  const partitions = Array.from({ length: d!.partitions }, (_, partition) => ({ topic, partition }))
  const ends = await log.admin.endOffsets(partitions, 'read_committed')
  const consumer = await log.consumer({ groupId: `${topic}-replay-reader`, isolation: 'read_committed' })
  const out: ConsumerRecord[] = []
  try {
    for (const end of ends) {
      const tp = { topic, partition: end.partition }
      await consumer.assign([tp])
      consumer.seek(tp, 0)
      for (let empty = 0; consumer.position(tp) < end.offset && empty < 10;) {
        const records = await consumer.poll({ maxRecords: 10_000, timeoutMs: 100 })
        empty = records.length === 0 ? empty + 1 : 0
        for (const r of records) if (r.offset < end.offset) out.push(r)
      }
    }
  } finally {
    await consumer.close()
  }
  return out
}
