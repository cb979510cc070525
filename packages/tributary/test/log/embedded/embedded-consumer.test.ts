import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'

/** A consumer of `t` (4 partitions; `counts[p]` records in partition p), assigned all of it. */
async function consumerOver(counts: readonly number[]) {
  const log = await EmbeddedLog.open()
  await log.admin.createTopics([{ name: 't', partitions: counts.length }])
  const producer = await log.producer()
  for (const [partition, count] of counts.entries())
    await producer.send(
      Array.from({ length: count }, () => ({ topic: 't', partition, key: null, value: Buffer.from('v') })),
    )
  await producer.close()
  const consumer = await log.consumer({ groupId: 'g' })
  await consumer.assign(counts.map((_, partition) => ({ topic: 't', partition })))
  const perPartition = async (maxRecords: number) => {
    const got = counts.map(() => 0)
    for (const r of await consumer.poll({ maxRecords, timeoutMs: 0 })) got[r.partition]!++
    return got
  }
  return { log, consumer, perPartition }
}

describe('EmbeddedConsumer.poll', () => {
  it('shares maxRecords among the partitions with records, so a backlog does not fill whole polls', async () => {
    const { log, perPartition } = await consumerOver([1000, 1000, 1000, 1000])
    assert.deepEqual(await perPartition(100), [25, 25, 25, 25])
    await log.close()
  })

  it('gives what partitions with fewer records leave to the others', async () => {
    const { log, perPartition } = await consumerOver([1000, 5, 0, 1000])
    assert.deepEqual(await perPartition(100), [48, 5, 0, 47])
    assert.deepEqual(await perPartition(100), [50, 0, 0, 50])
    await log.close()
  })

  it('shares among unpaused partitions only', async () => {
    const { log, consumer, perPartition } = await consumerOver([1000, 1000, 1000, 1000])
    consumer.pause([{ topic: 't', partition: 1 }])
    assert.deepEqual(await perPartition(90), [30, 0, 30, 30])
    await log.close()
  })
})
