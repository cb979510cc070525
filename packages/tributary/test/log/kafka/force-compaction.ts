import type { KafkaLog } from '../../../src/log/kafka/index.ts'
import type { KafkaAdmin } from '../../../src/log/kafka/kafka-admin.ts'

const TOPIC_RESOURCE = 2

/**
 * Makes the broker compact partition 0 of a compacted topic now: a short segment.ms and a tiny
 * dirty ratio, one record (key `__roll`) to roll the active segment, which the cleaner never
 * touches, then waits until the cleaner has run (the broker's log.cleaner.backoff.ms apart).
 * Relies on records sent before the call with distinct keys beside superseded ones.
 */
export async function forceCompaction(log: KafkaLog, topic: string, timeoutMs = 60_000): Promise<void> {
  const admin = log.admin as KafkaAdmin
  await admin.client.alterConfigs({
    resources: [
      {
        resourceType: TOPIC_RESOURCE,
        resourceName: topic,
        // AlterConfigs replaces the topic's whole set: the cleanup policy is restated.
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.ms', value: '100' },
          { name: 'min.cleanable.dirty.ratio', value: '0.001' },
        ],
      },
    ],
  })
  await new Promise((r) => setTimeout(r, 300))
  const producer = await log.producer()
  await producer.send([{ topic, partition: 0, key: Buffer.from('__roll'), value: Buffer.from('') }])
  await producer.close()
  const tp = { topic, partition: 0 }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const keys = await readKeys(log, tp)
    if (new Set(keys).size === keys.length) return // every key once: compacted
    if (Date.now() > deadline) throw new Error(`the broker did not compact ${topic} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

async function readKeys(log: KafkaLog, tp: { topic: string; partition: number }): Promise<string[]> {
  const consumer = await log.consumer({ groupId: `compaction-check-${Date.now()}` })
  try {
    await consumer.assign([tp])
    const [start] = await log.admin.beginningOffsets([tp])
    const [end] = await log.admin.endOffsets([tp])
    consumer.seek(tp, start!.offset)
    const keys: string[] = []
    while (consumer.position(tp) < end!.offset)
      for (const r of await consumer.poll({ timeoutMs: 500 })) keys.push(r.key?.toString() ?? '')
    return keys
  } finally {
    await consumer.close()
  }
}
