import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ensureSchema, startSink } from '../../src/sink/start-sink.ts'
import { readTable } from '../../src/sink/read-table.ts'
import { openDatabase } from '../../src/sink/database.ts'
import { appFixture, MINUTE, T0 } from './app-fixture.ts'
import { readTopic } from '../../src/replay/read-topic.ts'
import { refusedRowsAreDeadLettered } from './sink-dead-letters.ts'

describe('the order-analytics sink on embedded PGlite', () => {
  it('creates the tables idempotently', async () => {
    const f = await appFixture()
    await ensureSchema(f.ctx)
    await ensureSchema(f.ctx)
    assert.deepEqual(await readTable(f.ctx), [])
    await f.cleanup()
  })

  it('upserts orders-processed into revenue_per_minute, the last update of a window winning', async () => {
    const f = await appFixture()
    const sink = await startSink(f.ctx)
    await f.processed([
      { region: 'eu', segment: 'retail', order_count: 1, revenue: 10 },
      { region: 'us', segment: 'smb', order_count: 2, revenue: 99.99 },
    ])
    await f.processed([{ region: 'eu', segment: 'retail', order_count: 3, revenue: 30.5, final: true }])
    await sink.waitUntilCaughtUp(10_000)
    const rows = await readTable(f.ctx)
    assert.deepEqual(rows, [
      { window_start: new Date(T0), region: 'eu', segment: 'retail', order_count: 3, revenue: '30.50' },
      { window_start: new Date(T0), region: 'us', segment: 'smb', order_count: 2, revenue: '99.99' },
    ])
    await sink.close()
    await f.cleanup()
  })

  it('resumes from the offsets stored in the database after a restart, applying nothing twice', async () => {
    const f = await appFixture()
    let sink = await startSink(f.ctx)
    await f.processed([{ window_start: T0, order_count: 1, revenue: 1 }])
    await sink.waitUntilCaughtUp(10_000)
    await sink.close()
    await f.processed([{ window_start: T0 + MINUTE, order_count: 7, revenue: 70 }])
    sink = await startSink(f.ctx)
    await sink.waitUntilCaughtUp(10_000)
    assert.equal(sink.sink.metrics().records, 1, 'only the record produced while it was down')
    await sink.close()
    const db = await openDatabase(f.ctx)
    const { rows } = await db.query<{ n: number }>(
      'SELECT sum(next_offset)::int AS n FROM tributary_offsets WHERE group_id = $1',
      ['oa-test-sink'],
    )
    await db.close()
    assert.equal(rows[0]!.n, 2 + 2, 'two committed records plus their transaction markers')
    assert.equal((await readTable(f.ctx)).length, 2)
    await f.cleanup()
  })

  it('sends a value of orders-processed that is not a row to orders-sink-dlq, naming its offset, and goes on', async () => {
    const f = await appFixture()
    const sink = await startSink(f.ctx)
    try {
      const producer = await f.ctx.log.producer()
      await producer.send([
        {
          topic: f.ctx.topics.ordersProcessed,
          partition: 1,
          key: Buffer.from('x'),
          value: Buffer.from('{"region":1}'),
        },
      ])
      await producer.close()
      await sink.waitUntilCaughtUp(30_000)
      assert.equal(sink.sink.state, 'running')
      const [dead, ...more] = await readTopic(f.ctx.log, f.ctx.topics.ordersSinkDlq)
      assert.equal(more.length, 0)
      assert.equal(dead!.value!.toString(), '{"region":1}')
      assert.equal(dead!.headers['tributary.dlq.offset']?.toString(), '0')
      assert.match(
        dead!.headers['tributary.dlq.error.message']!.toString(),
        /window_start is not a finite number/,
      )
    } finally {
      await sink.close()
      await f.cleanup()
    }
  })
})

describe('readTable', () => {
  it('sorts by window_start, region and segment byte-wise and formats revenue with two decimals', async () => {
    const f = await appFixture()
    const sink = await startSink(f.ctx)
    await f.processed([
      { window_start: T0 + MINUTE, region: 'eu', segment: 'b', revenue: 5 },
      { window_start: T0, region: 'eu', segment: 'retail', revenue: 0.1 + 0.2 },
      { window_start: T0, region: 'US', segment: 'smb', revenue: 1234567.005 },
      { window_start: T0, region: 'eu', segment: 'Retail', revenue: 2.675 },
      { window_start: T0 + MINUTE, region: 'apac', segment: 'a', revenue: 0 },
    ])
    await sink.waitUntilCaughtUp(10_000)
    const rows = await readTable(f.ctx)
    assert.deepEqual(
      rows.map((r) => [r.window_start.toISOString(), r.region, r.segment, r.revenue]),
      [
        ['2026-01-01T12:00:00.000Z', 'US', 'smb', '1234567.01'],
        ['2026-01-01T12:00:00.000Z', 'eu', 'Retail', '2.68'],
        ['2026-01-01T12:00:00.000Z', 'eu', 'retail', '0.30'],
        ['2026-01-01T12:01:00.000Z', 'apac', 'a', '0.00'],
        ['2026-01-01T12:01:00.000Z', 'eu', 'b', '5.00'],
      ],
    )
    assert.ok(rows.every((r) => r.window_start instanceof Date && typeof r.order_count === 'number'))
    assert.deepEqual(await readTable(f.ctx, { from: T0 + MINUTE }), rows.slice(3))
    await sink.close()
    await f.cleanup()
  })
})

describe('the order-analytics sink and rows the database refuses (PGlite)', () => {
  it('sends them to orders-sink-dlq with the database error and keeps writing the others', async () => {
    const f = await appFixture()
    try {
      await refusedRowsAreDeadLettered(f)
    } finally {
      await f.cleanup()
    }
  })
})
