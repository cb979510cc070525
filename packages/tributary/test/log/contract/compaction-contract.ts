import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ConsumerRecord } from '../../../src/log/log.ts'
import { buf, collect, str, tp, type ContractContext } from './harness.ts'

export function compactionContract(ctx: ContractContext): void {
  describe('compacted topics', () => {
    it('keeps the latest record per key, tombstones included, at the offsets they were written', async () => {
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
      await ctx.subject.compact(name)
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await consumer.assign([tp(name)])
      const [end] = await ctx.log.admin.endOffsets([tp(name)])
      const got: ConsumerRecord[] = []
      while (consumer.position(tp(name)) < end!.offset) got.push(...(await collect(consumer, 1)))
      assert.deepEqual(
        got.filter((r) => !str(r.key)!.startsWith('__')).map((r) => [r.offset, str(r.key), str(r.value)]),
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
