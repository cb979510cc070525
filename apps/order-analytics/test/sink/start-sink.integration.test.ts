import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { pgSqlClient, type SqlClient } from 'tributary-streams/postgres'
import { ensureSchema, startSink } from '../../src/sink/start-sink.ts'
import { readTable } from '../../src/sink/read-table.ts'
import { appFixture, MINUTE, T0 } from './app-fixture.ts'
import { refusedRowsAreDeadLettered } from './sink-dead-letters.ts'

// The app's sink on real PostgreSQL (npm run postgres:start; export DATABASE_URL). Each run uses
// its own schema, so it never touches the tables of a pipeline sharing the database. Fails, not
// skips, without PostgreSQL.
const base = process.env['DATABASE_URL']
const schema = `oa_sink_test_${process.pid}`

describe('the order-analytics sink on PostgreSQL', () => {
  let admin: SqlClient
  let url: string

  before(async () => {
    if (base === undefined || base === '')
      throw new Error(
        'DATABASE_URL is not set: run `npm run postgres:start` and export the DATABASE_URL it prints',
      )
    admin = pgSqlClient(base, { max: 1 })
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((err: unknown) => {
      throw new Error(`PostgreSQL at ${base} is unreachable (${String(err)}): run \`npm run postgres:start\``)
    })
    const u = new URL(base)
    u.searchParams.set('options', `-c search_path=${schema}`)
    url = u.href
  })

  after(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin?.close()
  })

  it('upserts rows exactly once across a restart and reads them back sorted', async () => {
    const f = await appFixture({ databaseUrl: url })
    await ensureSchema(f.ctx)
    let sink = await startSink(f.ctx)
    await f.processed([
      { window_start: T0, region: 'us', segment: 'smb', order_count: 1, revenue: 2.675 },
      { window_start: T0, region: 'eu', segment: 'retail', order_count: 2, revenue: 20 },
    ])
    await sink.waitUntilCaughtUp(10_000)
    await sink.close()
    await f.processed([
      { window_start: T0, region: 'eu', segment: 'retail', order_count: 5, revenue: 50.5, final: true },
      { window_start: T0 + MINUTE, region: 'eu', segment: 'retail', order_count: 1, revenue: 1 },
    ])
    sink = await startSink(f.ctx)
    await sink.waitUntilCaughtUp(10_000)
    assert.equal(sink.sink.metrics().records, 2, 'resumed after the records the first run stored')
    await sink.close()
    assert.deepEqual(await readTable(f.ctx), [
      { window_start: new Date(T0), region: 'eu', segment: 'retail', order_count: 5, revenue: '50.50' },
      { window_start: new Date(T0), region: 'us', segment: 'smb', order_count: 1, revenue: '2.68' },
      {
        window_start: new Date(T0 + MINUTE),
        region: 'eu',
        segment: 'retail',
        order_count: 1,
        revenue: '1.00',
      },
    ])
    const { rows } = await admin.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${schema}.tributary_offsets`,
    )
    assert.equal(rows[0]!.n, '4', 'one offsets row per partition of orders-processed')
    await f.cleanup()
  })

  it('sends rows PostgreSQL refuses to orders-sink-dlq with its error and keeps writing the others', async () => {
    const f = await appFixture({ databaseUrl: url })
    try {
      await ensureSchema(f.ctx)
      await admin.query(`TRUNCATE ${schema}.revenue_per_minute, ${schema}.tributary_offsets`)
      await refusedRowsAreDeadLettered(f)
    } finally {
      await f.cleanup()
    }
  })
})
