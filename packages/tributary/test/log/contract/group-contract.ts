import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { OffsetBeyondEnd } from '../../../src/log/offset-beyond-end.ts'
import { buf, RecordingListener, sortTps, str, until, type ContractContext } from './harness.ts'

export function groupContract(ctx: ContractContext): void {
  describe('consumer groups', () => {
    it('spreads partitions over subscribed members, each partition to exactly one', async () => {
      const name = await ctx.topic(4)
      const group = ctx.unique('group')
      const listenerA = new RecordingListener()
      const listenerB = new RecordingListener()
      const a = await ctx.log.consumer({ groupId: group })
      await a.subscribe([name], { listener: listenerA })
      await until(async () => {
        await a.poll({ timeoutMs: 100 })
        return a.assignment().length === 4
      })
      assert.deepEqual([...listenerA.owned].sort(), sortTps(a.assignment()))

      const b = await ctx.log.consumer({ groupId: group })
      await b.subscribe([name], { listener: listenerB })
      await until(async () => {
        await Promise.all([a.poll({ timeoutMs: 100 }), b.poll({ timeoutMs: 100 })])
        const owned = [...sortTps(a.assignment()), ...sortTps(b.assignment())]
        return a.assignment().length > 0 && b.assignment().length > 0 && owned.length === 4
      })
      const ownedA = sortTps(a.assignment())
      const ownedB = sortTps(b.assignment())
      assert.equal(new Set([...ownedA, ...ownedB]).size, 4, 'no partition is owned twice')
      assert.deepEqual([...listenerA.owned].sort(), ownedA)
      assert.deepEqual([...listenerB.owned].sort(), ownedB)
      assert.ok(listenerA.calls.includes('revoked'), 'the first member gave partitions up')
      assert.ok(listenerB.calls.includes('assigned'))

      await b.close()
      await until(async () => {
        await a.poll({ timeoutMs: 100 })
        return a.assignment().length === 4
      })
      assert.deepEqual([...listenerA.owned].sort(), sortTps(a.assignment()))
      await a.close()
    })

    it('fails, never resets, when the committed offset is beyond the end of the partition', async () => {
      const name = await ctx.topic(1)
      const tp = { topic: name, partition: 0 }
      const group = ctx.unique('group')
      const producer = await ctx.log.producer()
      await producer.send(['a', 'b', 'c'].map((v) => ({ ...tp, key: null, value: buf(v) })))
      await producer.close()
      const [end] = await ctx.log.admin.endOffsets([tp])
      // As after a log replaced by an older copy: the group accounts for records the log lacks.
      const committer = await ctx.log.consumer({ groupId: group })
      await committer.commit([{ ...tp, offset: end!.offset + 100 }])
      await committer.close()
      for (const autoOffsetReset of ['earliest', 'latest'] as const) {
        const consumer = await ctx.log.consumer({ groupId: group, autoOffsetReset })
        try {
          await assert.rejects(
            async () => {
              await consumer.assign([tp])
              await consumer.poll({ timeoutMs: 500 })
            },
            (err: unknown) => {
              assert.ok(err instanceof OffsetBeyondEnd, String(err))
              assert.equal(
                err.message.split(':').slice(0, 2).join(':'),
                `group ${group}: committed offset ${end!.offset + 100} of ${name}-0 is beyond the end of the partition (${end!.offset})`,
              )
              return true
            },
          )
        } finally {
          await consumer.close()
        }
      }
    })

    it('hands each record to one member of the group', async () => {
      const name = await ctx.topic(4)
      const group = ctx.unique('group')
      const producer = await ctx.log.producer()
      const values = Array.from({ length: 40 }, (_, i) => `v${i}`)
      await producer.send(values.map((v, i) => ({ topic: name, partition: i % 4, key: null, value: buf(v) })))
      const a = await ctx.log.consumer({ groupId: group })
      const b = await ctx.log.consumer({ groupId: group })
      await a.subscribe([name])
      await b.subscribe([name])
      const seen: string[] = []
      await until(async () => {
        const [ra, rb] = await Promise.all([a.poll({ timeoutMs: 100 }), b.poll({ timeoutMs: 100 })])
        // Commit what was read so a partition moving between members resumes after it.
        for (const [consumer, records] of [
          [a, ra],
          [b, rb],
        ] as const) {
          seen.push(...records.map((r) => str(r.value)!))
          const last = new Map(
            records.map((r) => [
              `${r.partition}`,
              { topic: name, partition: r.partition, offset: r.offset + 1 },
            ]),
          )
          if (last.size > 0) await consumer.commit([...last.values()])
        }
        return seen.length >= 40
      })
      assert.deepEqual([...seen].sort(), [...values].sort())
      await a.close()
      await b.close()
      await producer.close()
    })
  })
}
