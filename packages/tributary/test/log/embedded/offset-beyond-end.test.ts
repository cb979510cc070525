import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf } from './helpers.ts'

describe('a committed offset beyond the end of its partition', () => {
  it('fails poll naming the group, the partition and both offsets, and reports it; never resets to 0', async () => {
    const log = await EmbeddedLog.open()
    await log.admin.createTopics([{ name: 't', partitions: 1 }])
    const producer = await log.producer()
    await producer.send([{ topic: 't', key: null, value: buf('a') }])
    const consumer = await log.consumer({ groupId: 'g' })
    await consumer.commit([{ topic: 't', partition: 0, offset: 7 }])
    await consumer.assign([{ topic: 't', partition: 0 }])
    await assert.rejects(
      consumer.poll({ timeoutMs: 10 }),
      /group g: committed offset 7 of t-0 is beyond the end of the partition \(1\)/,
    )
    await assert.rejects(consumer.poll({ timeoutMs: 10 }), /beyond the end/)
    assert.deepEqual(
      log.problems.list().map((p) => p.kind),
      ['offset-out-of-range'],
    )
    await consumer.commit([{ topic: 't', partition: 0, offset: 1 }])
    assert.deepEqual(await consumer.poll({ timeoutMs: 10 }), [], 'committing a valid offset resumes')
    await log.close()
  })
})
