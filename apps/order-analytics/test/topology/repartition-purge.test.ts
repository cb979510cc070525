import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startStreams } from '../../src/cli/start-streams.ts'
import { orderEnvelope, userEnvelope } from '../helpers/pipeline-driver.ts'
import { appFixture, MINUTE, T0 } from '../sink/app-fixture.ts'

describe('the pipeline on the embedded log purges its repartition topics', () => {
  it('moves each repartition topic start offset up to what was committed', async () => {
    const f = await appFixture()
    const streams = await startStreams(f.ctx, {
      processingGuarantee: 'exactly-once',
      commitIntervalMs: 50,
      repartitionPurgeIntervalMs: 0,
    })
    try {
      const producer = await f.ctx.log.producer()
      const send = (topic: string, key: string, value: object) =>
        producer.send([{ topic, key: Buffer.from(key), value: Buffer.from(JSON.stringify(value)) }])
      for (let u = 0; u < 4; u++)
        await send(f.ctx.topics.usersRaw, `u${u}`, userEnvelope(`u${u}`, 'eu', 'retail', T0 - MINUTE))
      for (let i = 0; i < 40; i++) {
        const order = orderEnvelope(
          `o-${i}`,
          `u${i % 4}`,
          [{ sku: 's', quantity: 1, price: 10 }],
          T0 + i * 1000,
        )
        await send(f.ctx.topics.ordersRaw, `o-${i}`, order)
      }
      await producer.close()
      await streams.app.settle()
      // One more commit after everything was consumed: its purge covers every record.
      await new Promise((resolve) => setTimeout(resolve, 200))
      await streams.app.settle()

      const repartition = (await f.ctx.log.admin.listTopics()).filter((t) => t.endsWith('-repartition'))
      assert.ok(repartition.length > 0, 'the topology has repartition topics')
      let purged = 0
      for (const topic of repartition) {
        const partitions = Array.from({ length: f.ctx.partitions }, (_, partition) => ({ topic, partition }))
        const starts = await f.ctx.log.admin.beginningOffsets(partitions)
        const ends = await f.ctx.log.admin.endOffsets(partitions)
        const committed = await f.ctx.log.admin.committedOffsets(f.ctx.applicationId, partitions)
        for (const [i, start] of starts.entries()) {
          assert.ok(start.offset <= ends[i]!.offset)
          const done = committed.find((c) => c.partition === start.partition)
          if (done !== undefined) assert.ok(start.offset <= done.offset, 'never beyond what was committed')
          purged += start.offset
        }
      }
      assert.ok(purged > 0, 'consumed repartition records were deleted')
      assert.equal(streams.app.state, 'running')
    } finally {
      await streams.close()
      await f.cleanup()
    }
  })
})
