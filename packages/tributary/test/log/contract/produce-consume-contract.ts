import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { partitionForKey } from '../../../src/log/murmur2.ts'
import { buf, collect, drain, rejectsWith, str, tp, type ContractContext } from './harness.ts'

export function produceConsumeContract(ctx: ContractContext): void {
  describe('producing and consuming', () => {
    it('round-trips keys, values, null values, headers and timestamps', async () => {
      const name = await ctx.topic(1)
      const producer = await ctx.log.producer()
      const sent = await producer.send([
        { topic: name, partition: 0, key: buf('k1'), value: buf('v1'), timestamp: 1_700_000_000_000 },
        { topic: name, partition: 0, key: buf('k2'), value: null, timestamp: 1_700_000_000_001 },
        {
          topic: name,
          partition: 0,
          key: null,
          value: buf('v3'),
          headers: { trace: buf('abc'), n: buf('1') },
        },
      ])
      assert.equal(sent.length, 3)
      assert.ok(sent[0]!.offset < sent[1]!.offset && sent[1]!.offset < sent[2]!.offset)
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await consumer.assign([{ topic: name, partition: 0 }])
      const got = await collect(consumer, 3)
      assert.deepEqual(
        got.map((r) => [r.topic, r.partition, r.offset, str(r.key), str(r.value)]),
        [
          [name, 0, sent[0]!.offset, 'k1', 'v1'],
          [name, 0, sent[1]!.offset, 'k2', null],
          [name, 0, sent[2]!.offset, null, 'v3'],
        ],
      )
      assert.equal(got[0]!.timestamp, 1_700_000_000_000)
      assert.equal(got[1]!.timestamp, 1_700_000_000_001)
      assert.ok(
        Math.abs(got[2]!.timestamp - Date.now()) < 60_000,
        'a missing timestamp defaults to send time',
      )
      assert.deepEqual(Object.keys(got[0]!.headers), [])
      assert.equal(str(got[2]!.headers['trace'] ?? null), 'abc')
      assert.equal(str(got[2]!.headers['n'] ?? null), '1')
      await consumer.close()
      await producer.close()
    })

    it('lands concurrent sends of one producer, each send in call order per partition', async () => {
      // The idempotent Kafka producer numbers records per partition; sends racing to the broker
      // out of that order were refused with OUT_OF_ORDER_SEQUENCE_NUMBER.
      const name = await ctx.topic(4)
      const producer = await ctx.log.producer()
      const sends = Array.from({ length: 8 }, (_, s) =>
        producer.send(
          Array.from({ length: 500 }, (_, i) => ({
            topic: name,
            key: buf(`k${i % 40}`),
            value: buf(`${s}:${i}`),
          })),
        ),
      )
      const sent = (await Promise.all(sends)).flat()
      assert.equal(sent.length, 4_000)
      const byOffset = (p: number) => sent.filter((m) => m.partition === p).map((m) => m.offset)
      for (let p = 0; p < 4; p++) {
        const offsets = byOffset(p)
        assert.deepEqual(
          offsets,
          [...offsets].sort((a, b) => a - b),
          `partition ${p} in call order`,
        )
        assert.equal(new Set(offsets).size, offsets.length)
      }
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await consumer.assign(Array.from({ length: 4 }, (_, partition) => ({ topic: name, partition })))
      assert.equal((await collect(consumer, 4_000)).length, 4_000)
      await consumer.close()
      await producer.close()
    })

    it('partitions keyed records with murmur2 like Kafka', async () => {
      const name = await ctx.topic(6)
      const producer = await ctx.log.producer()
      const keys = ['order-42', 'user:1001', 'a', 'abcdefg', 'héllo wörld', '', 'x'.repeat(100)]
      const sent = await producer.send(keys.map((k) => ({ topic: name, key: buf(k), value: buf('v') })))
      assert.deepEqual(
        sent.map((m) => m.partition),
        keys.map((k) => partitionForKey(buf(k), 6)),
      )
      // Fixed vectors computed with Kafka's Java client (see murmur2.test.ts).
      assert.equal(sent[0]!.partition, 0)
      assert.equal(sent[1]!.partition, 5)
      await producer.close()
    })

    it('spreads null-keyed records over valid partitions', async () => {
      const name = await ctx.topic(3)
      const producer = await ctx.log.producer()
      const sent = await producer.send(
        Array.from({ length: 30 }, () => ({ topic: name, key: null, value: buf('v') })),
      )
      for (const m of sent) assert.ok(m.partition >= 0 && m.partition < 3)
      await producer.close()
    })

    it('resolves a waiting poll as soon as records arrive', async () => {
      const name = await ctx.topic(1)
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await consumer.assign([{ topic: name, partition: 0 }])
      await consumer.poll({ timeoutMs: 100 })
      const producer = await ctx.log.producer()
      const started = Date.now()
      const polled = consumer.poll({ timeoutMs: 10_000 })
      setTimeout(() => void producer.send([{ topic: name, key: null, value: buf('wake') }]), 50)
      const records = await polled
      assert.ok(Date.now() - started < 5_000, 'poll returned before its timeout')
      assert.deepEqual(
        records.map((r) => str(r.value)),
        ['wake'],
      )
      await consumer.close()
      await producer.close()
    })

    it('returns an empty batch after the timeout when nothing arrives', async () => {
      const name = await ctx.topic(1)
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await consumer.assign([{ topic: name, partition: 0 }])
      assert.deepEqual(await drain(consumer, 300), [])
      await consumer.close()
    })

    it('starts at the end with autoOffsetReset latest', async () => {
      const name = await ctx.topic(1)
      const producer = await ctx.log.producer()
      await producer.send([{ topic: name, key: null, value: buf('old') }])
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group'), autoOffsetReset: 'latest' })
      await consumer.assign([{ topic: name, partition: 0 }])
      const [end] = await ctx.log.admin.endOffsets([{ topic: name, partition: 0 }])
      assert.equal(consumer.position({ topic: name, partition: 0 }), end!.offset)
      await producer.send([{ topic: name, key: null, value: buf('new') }])
      assert.deepEqual(
        (await collect(consumer, 1)).map((r) => str(r.value)),
        ['new'],
      )
      await consumer.close()
      await producer.close()
    })

    it('seeks to an offset and pauses and resumes partitions', async () => {
      const name = await ctx.topic(2)
      const producer = await ctx.log.producer()
      const sent = await producer.send(
        ['a', 'b', 'c'].map((v) => ({ topic: name, partition: 0, key: null, value: buf(v) })),
      )
      await producer.send([{ topic: name, partition: 1, key: null, value: buf('p1') }])
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group') })
      const p0 = { topic: name, partition: 0 }
      const p1 = { topic: name, partition: 1 }
      await consumer.assign([p0, p1])
      consumer.seek(p0, sent[2]!.offset)
      consumer.pause([p1])
      assert.deepEqual(
        (await collect(consumer, 1)).map((r) => str(r.value)),
        ['c'],
      )
      assert.deepEqual(await drain(consumer, 200), [])
      consumer.resume([p1])
      assert.deepEqual(
        (await collect(consumer, 1)).map((r) => str(r.value)),
        ['p1'],
      )
      await consumer.close()
      await producer.close()
    })
  })

  describe('committed offsets', () => {
    it('resumes a group from its committed offsets', async () => {
      const name = await ctx.topic(2)
      const group = ctx.unique('group')
      const p0 = tp(name)
      const p1 = { topic: name, partition: 1 }
      const producer = await ctx.log.producer()
      const sent = await producer.send(
        ['a', 'b', 'c', 'd'].map((v) => ({ topic: name, partition: 0, key: null, value: buf(v) })),
      )
      const first = await ctx.log.consumer({ groupId: group })
      await first.assign([p0])
      assert.deepEqual(
        (await collect(first, 4)).map((r) => str(r.value)),
        ['a', 'b', 'c', 'd'],
      )
      assert.deepEqual(await first.committed([p0]), [], 'partitions without a commit are left out')
      await first.commit([{ ...p0, offset: sent[2]!.offset }])
      assert.deepEqual(await first.committed([p0]), [{ ...p0, offset: sent[2]!.offset }])
      await first.close()

      assert.deepEqual(await ctx.log.admin.committedOffsets(group, [p0, p1]), [
        { ...p0, offset: sent[2]!.offset },
      ])
      const second = await ctx.log.consumer({ groupId: group })
      await second.assign([p0])
      assert.equal(second.position(p0), sent[2]!.offset)
      assert.deepEqual(
        (await collect(second, 2)).map((r) => str(r.value)),
        ['c', 'd'],
      )
      await second.close()
      await producer.close()
    })
  })

  describe('closing', () => {
    it('rejects calls on a closed consumer and producer with code CLOSED', async () => {
      const name = await ctx.topic(1)
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await consumer.assign([{ topic: name, partition: 0 }])
      await consumer.close()
      await rejectsWith(consumer.poll({ timeoutMs: 10 }), 'CLOSED')
      const producer = await ctx.log.producer()
      await producer.close()
      await rejectsWith(producer.send([{ topic: name, key: null, value: buf('x') }]), 'CLOSED')
    })
  })
}
