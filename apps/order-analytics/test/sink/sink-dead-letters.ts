import assert from 'node:assert/strict'
import { readTopic } from '../../src/replay/read-topic.ts'
import { readTable } from '../../src/sink/read-table.ts'
import { startSink } from '../../src/sink/start-sink.ts'
import { MINUTE, T0, type AppFixture } from './app-fixture.ts'

/**
 * Rows the database cannot store (revenue beyond numeric(18,2), U+0000 in text) between good
 * ones: the refused rows reach orders-sink-dlq with the database's error and their origin, the
 * sink keeps running, and every other row, before and after, is in the table.
 */
export async function refusedRowsAreDeadLettered(f: AppFixture): Promise<void> {
  const sink = await startSink(f.ctx)
  try {
    await f.processed([{ window_start: T0, region: 'eu', order_count: 1, revenue: 10 }])
    await f.processed([
      { window_start: T0 + MINUTE, region: 'eu', order_count: 1, revenue: 1e17 },
      { window_start: T0 + MINUTE, region: 'n\u0000l', order_count: 1, revenue: 5 },
      { window_start: T0 + MINUTE, region: 'us', order_count: 2, revenue: 20 },
    ])
    await f.processed([{ window_start: T0 + 2 * MINUTE, region: 'eu', order_count: 3, revenue: 30 }])
    await sink.waitUntilCaughtUp(30_000)
    assert.equal(sink.sink.state, 'running')
    assert.deepEqual(
      (await readTable(f.ctx)).map((r) => [r.window_start.getTime(), r.region, r.order_count, r.revenue]),
      [
        [T0, 'eu', 1, '10.00'],
        [T0 + MINUTE, 'us', 2, '20.00'],
        [T0 + 2 * MINUTE, 'eu', 3, '30.00'],
      ],
    )
    const dlq = await readTopic(f.ctx.log, f.ctx.topics.ordersSinkDlq)
    const header = (r: (typeof dlq)[number], name: string) => r.headers[`tributary.dlq.${name}`]?.toString()
    const refused = new Map(dlq.map((r) => [JSON.parse(r.value!.toString()).region as string, r]))
    assert.deepEqual([...refused.keys()].sort(), ['eu', 'n\u0000l'])
    assert.equal(header(refused.get('eu')!, 'error.sqlstate'), '22003') // numeric field overflow
    assert.match(header(refused.get('n\u0000l')!, 'error.sqlstate')!, /^22/) // U+0000 in text
    for (const r of dlq) {
      assert.equal(header(r, 'stage'), 'sink')
      assert.equal(header(r, 'topic'), f.ctx.topics.ordersProcessed)
    }
    for (const r of dlq) {
      assert.ok(header(r, 'error.message')!.length > 0)
      assert.ok(Number(header(r, 'offset')) >= 0)
    }
    assert.equal(sink.sink.metrics().deadLettered, 2)
  } finally {
    await sink.close()
  }
}
