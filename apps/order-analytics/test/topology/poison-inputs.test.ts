import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startStreams } from '../../src/cli/start-streams.ts'
import type { DlqRecord } from '../../src/contract/dlq-record.ts'
import { readTopic } from '../../src/replay/read-topic.ts'
import { readTable } from '../../src/sink/read-table.ts'
import { startSink } from '../../src/sink/start-sink.ts'
import { orderEnvelope, userEnvelope } from '../helpers/pipeline-driver.ts'
import { appFixture, MINUTE, T0 } from '../sink/app-fixture.ts'

const item = (price: number, sku = 'sku-1') => [{ sku, quantity: 1, price }]

/** Each poison record of issue 15 and the reason it must be dead-lettered with. */
const POISON: ReadonlyArray<{ topic: 'users' | 'orders'; key: string; value: object; reason: RegExp }> = [
  {
    topic: 'orders',
    key: 'o-huge-price',
    value: orderEnvelope('o-huge-price', 'u1', item(1e17), T0 + 1000),
    reason: /^invalid-price: payload\.items\[0\]\.price 100000000000000000 /,
  },
  {
    topic: 'orders',
    key: 'o-huge-total',
    value: orderEnvelope('o-huge-total', 'u1', item(10), T0 + 1000, 1e17),
    reason: /^invalid-total: payload\.total 100000000000000000 is not a number from 0 to 1000000000/,
  },
  {
    topic: 'orders',
    key: 'o-far-future',
    value: orderEnvelope('o-far-future', 'u1', item(10), 9e15),
    reason:
      /^invalid-timestamp: payload\.timestamp 9000000000000000 is more than 365 days ahead of the clock/,
  },
  {
    topic: 'orders',
    key: 'o-nul',
    value: { ...orderEnvelope('o-\u0000', 'u1', item(10), T0 + 1000), event_id: 'evt-o-nul' },
    reason: /^invalid-string: payload\.order_id has a control character U\+0000/,
  },
  {
    topic: 'orders',
    key: 'o-surrogate',
    value: orderEnvelope('o-surrogate', 'u1', item(10, 'sku-\ud800'), T0 + 1000),
    reason: /^invalid-string: payload\.items\[0\]\.sku has a lone surrogate U\+D800/,
  },
  {
    topic: 'users',
    key: 'u-nul',
    value: userEnvelope('u-nul', 'e\u0000u', 'retail', T0 - MINUTE),
    reason: /^invalid-string: payload\.region has a control character U\+0000/,
  },
  {
    topic: 'users',
    key: 'u-surrogate',
    value: userEnvelope('u-surrogate', 'eu', '\udc00retail', T0 - MINUTE),
    reason: /^invalid-string: payload\.segment has a lone surrogate U\+DC00/,
  },
]

describe('poison inputs on the live pipeline (embedded log, PGlite)', () => {
  it('dead-letters each with its reason, keeps running and counts the valid orders after them', async () => {
    const f = await appFixture()
    const streams = await startStreams(f.ctx, { processingGuarantee: 'at-least-once', commitIntervalMs: 50 })
    const sink = await startSink(f.ctx)
    try {
      const producer = await f.ctx.log.producer()
      const send = (topic: string, key: string, value: object) =>
        producer.send([{ topic, key: Buffer.from(key), value: Buffer.from(JSON.stringify(value)) }])
      await send(f.ctx.topics.usersRaw, 'u1', userEnvelope('u1', 'eu', 'retail', T0 - MINUTE))
      await streams.app.settle()
      for (const p of POISON)
        await send(p.topic === 'users' ? f.ctx.topics.usersRaw : f.ctx.topics.ordersRaw, p.key, p.value)
      // Valid orders after the poison, in the same minute and the next: counted, not late.
      for (let i = 0; i < 5; i++)
        await send(
          f.ctx.topics.ordersRaw,
          `ok-${i}`,
          orderEnvelope(`ok-${i}`, 'u1', item(10), T0 + i * 20_000),
        )
      await producer.close()
      await streams.app.settle()
      await sink.waitUntilCaughtUp(120_000)

      assert.equal(streams.app.state, 'running')
      assert.equal(sink.sink.state, 'running')
      const dlq = (await readTopic(f.ctx.log, f.ctx.topics.ordersDlq)).map(
        (r) => JSON.parse(r.value!.toString()) as DlqRecord,
      )
      for (const p of POISON) {
        const letter = dlq.find((d) => d.key === p.key)
        assert.ok(letter, `${p.key} is on orders-dlq`)
        assert.match(letter.reason, p.reason, p.key)
      }
      assert.equal(dlq.length, POISON.length)
      assert.equal(streams.app.metrics().lateRecords, 0, 'the far-future order did not move stream time')
      assert.deepEqual(
        (await readTable(f.ctx)).map((r) => [r.window_start.getTime(), r.region, r.order_count, r.revenue]),
        [
          [T0, 'eu', 3, '30.00'],
          [T0 + MINUTE, 'eu', 2, '20.00'],
        ],
      )
      assert.deepEqual(await readTopic(f.ctx.log, f.ctx.topics.ordersSinkDlq), [])
    } finally {
      await sink.close()
      await streams.close()
      await f.cleanup()
    }
  })
})
