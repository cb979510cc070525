import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError, type Consumer } from 'tributary-streams'
import { connectKafka, unique, until } from './kafka-helpers.ts'

describe('offsets of a transaction carry the consumer generation (KIP-447 fencing)', () => {
  it('refuses offsets sent with a generation the group has moved past, accepts the current one', async () => {
    const log = await connectKafka({ heartbeatIntervalMs: 300 })
    try {
      const [topic, group] = [unique('fence-in'), unique('fence-group')]
      await log.admin.createTopics([{ name: topic, partitions: 2 }])
      const first = await log.consumer({ groupId: group, isolation: 'read_committed' })
      await first.subscribe([topic])
      const owns = async (c: Consumer, n: number) => {
        await c.poll({ timeoutMs: 100 })
        return c.assignment().length === n
      }
      await until(() => owns(first, 2), 'the first member owns both partitions')
      const stale = first.groupMetadata!()!
      const second = await log.consumer({ groupId: group, isolation: 'read_committed' })
      await second.subscribe([topic])
      await until(async () => (await owns(first, 1)) && (await owns(second, 1)), 'a new generation')
      const current = first.groupMetadata!()!
      assert.ok(current.generationId > stale.generationId)

      const producer = await log.producer({ transactionalId: unique('fence-txn') })
      await producer.beginTransaction()
      await assert.rejects(
        producer.sendOffsets(stale, [{ topic, partition: 0, offset: 1 }]),
        (err: unknown) =>
          isTributaryError(err, 'LOG') && /ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID/.test(err.message),
      )
      await producer.abortTransaction()
      const [mine] = first.assignment()
      await producer.beginTransaction()
      await producer.sendOffsets(current, [{ ...mine!, offset: 0 }])
      await producer.commitTransaction()
      await producer.close()
      await Promise.all([first.close(), second.close()])
    } finally {
      await log.close()
    }
  })
})
