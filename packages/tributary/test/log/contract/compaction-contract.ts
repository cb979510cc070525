import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buf, collect, drain, str, tp, type ContractContext } from './harness.ts'

export function compactionContract(ctx: ContractContext): void {
  describe('compacted topics', () => {
    it('keeps the latest record per key, tombstones included, at the offsets they were written', async (t) => {
      const name = await ctx.topic(1, 'compact')
      const producer = await ctx.log.producer()
      const writes: [string, string | null][] = [
        ['k1', 'v1'],
        ['k2', 'v1'],
        ['k1', 'v2'],
        ['k3', 'v1'],
        ['k2', null],
        ['k1', 'v3'],
      ]
      const sent = await producer.send(
        writes.map(([k, v]) => ({
          topic: name,
          partition: 0,
          key: buf(k),
          value: v === null ? null : buf(v),
        })),
      )
      if (ctx.subject.compact === undefined) {
        t.skip('this log cannot be compacted on demand')
        await producer.close()
        return
      }
      await ctx.subject.compact(name)
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await consumer.assign([tp(name)])
      const got = await collect(consumer, 3)
      assert.deepEqual(await drain(consumer, 200), [])
      assert.deepEqual(
        got.map((r) => [r.offset, str(r.key), str(r.value)]),
        [
          [sent[3]!.offset, 'k3', 'v1'],
          [sent[4]!.offset, 'k2', null],
          [sent[5]!.offset, 'k1', 'v3'],
        ],
      )
      await Promise.all([producer.close(), consumer.close()])
    })
  })
}
