import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buf, rejectsWith, sleep, type ContractContext } from './harness.ts'

export function adminContract(ctx: ContractContext): void {
  describe('admin', () => {
    it('creates, describes, lists and deletes topics', async () => {
      const a = ctx.unique('topic')
      const b = ctx.unique('topic')
      await ctx.log.admin.createTopics([
        { name: a, partitions: 3 },
        { name: b, partitions: 1, cleanupPolicy: 'compact' },
      ])
      const names = await ctx.log.admin.listTopics()
      assert.ok(names.includes(a) && names.includes(b))
      assert.deepEqual(await ctx.log.admin.describeTopics([a, b]), [
        { name: a, partitions: 3, cleanupPolicy: 'delete' },
        { name: b, partitions: 1, cleanupPolicy: 'compact' },
      ])
      await ctx.log.admin.deleteTopics([b])
      const deadline = Date.now() + 10_000
      while ((await ctx.log.admin.listTopics()).includes(b) && Date.now() < deadline) await sleep(100)
      assert.ok(!(await ctx.log.admin.listTopics()).includes(b))
    })

    it('leaves an existing topic as it is when it is created again', async () => {
      const name = await ctx.topic(2)
      await ctx.log.admin.createTopics([{ name, partitions: 5 }])
      const [description] = await ctx.log.admin.describeTopics([name])
      assert.equal(description?.partitions, 2)
    })

    it('rejects unknown topics with code LOG naming the topic', async () => {
      const missing = ctx.unique('missing')
      await rejectsWith(ctx.log.admin.describeTopics([missing]), 'LOG', missing)
      await rejectsWith(ctx.log.admin.endOffsets([{ topic: missing, partition: 0 }]), 'LOG', missing)
      const producer = await ctx.log.producer()
      await rejectsWith(producer.send([{ topic: missing, key: null, value: buf('x') }]), 'LOG', missing)
      await producer.close()
    })

    it('rejects a partition the topic does not have with code LOG', async () => {
      const name = await ctx.topic(2)
      const producer = await ctx.log.producer()
      await rejectsWith(
        producer.send([{ topic: name, partition: 7, key: null, value: buf('x') }]),
        'LOG',
        name,
      )
      await producer.close()
    })
  })
}
