import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { EmbeddedLog } from '../../src/log/embedded/index.ts'
import { TributaryError } from '../../src/errors.ts'
import type { Consumer, ConsumerRecord, Log } from '../../src/log/log.ts'
import type { SqlClient, SqlQueryable } from '../../src/connect/sql-client.ts'
import { PostgresSink, type PostgresSinkOptions } from '../../src/connect/postgres-sink.ts'
import { OffsetBeyondEnd } from '../../src/log/offset-beyond-end.ts'

/** A database for one test: tables named with `prefix` are this test's alone. */
export interface SinkFixture {
  readonly sql: SqlClient
  readonly cleanup: () => Promise<void>
}

const silent = { debug() {}, info() {}, warn() {}, error() {} }
let seq = 0

/**
 * The exactly-once protocol of PostgresSink, run against every SqlClient implementation (PGlite
 * in process, PostgreSQL through pg). Each test uses its own tables so one database can serve all.
 */
export function postgresSinkContract(name: string, open: () => Promise<SinkFixture>): void {
  describe(`PostgresSink on ${name}`, () => {
    const fixtures: SinkFixture[] = []
    after(async () => {
      for (const f of fixtures) await f.cleanup()
    })

    /** A counter table: the upsert ADDS the record's amount, so a record applied twice shows. */
    async function setup() {
      const fixture = await open()
      fixtures.push(fixture)
      const id = `${process.pid}_${++seq}`
      const table = `sink_counts_${id}`
      const offsetsTable = `sink_offsets_${id}`
      await fixture.sql.query(`DROP TABLE IF EXISTS ${table}`)
      await fixture.sql.query(`DROP TABLE IF EXISTS ${offsetsTable}`)
      await fixture.sql.query(
        `CREATE TABLE ${table} (k text PRIMARY KEY, total bigint NOT NULL, hits bigint NOT NULL)`,
      )
      fixtures.push({
        sql: fixture.sql,
        cleanup: async () => {
          await fixture.sql.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {})
          await fixture.sql.query(`DROP TABLE IF EXISTS ${offsetsTable}`).catch(() => {})
        },
      })
      const log = await EmbeddedLog.open()
      await log.admin.createTopics([{ name: 'in', partitions: 3 }])
      const options = (sql: SqlClient, extra: Partial<PostgresSinkOptions> = {}): PostgresSinkOptions => ({
        log,
        sql,
        topics: ['in'],
        groupId: `sink-${id}`,
        offsetsTable,
        upsert: `INSERT INTO ${table} (k, total, hits) VALUES ($1, $2, 1)
                 ON CONFLICT (k) DO UPDATE SET total = ${table}.total + EXCLUDED.total, hits = ${table}.hits + 1`,
        toParams: (r: ConsumerRecord) => [r.key!.toString(), Number(r.value!.toString())],
        maxBatchRecords: 7,
        pollTimeoutMs: 20,
        logger: silent,
        ...extra,
      })
      const counts = async (): Promise<Record<string, [number, number]>> => {
        const { rows } = await fixture.sql.query<{ k: string; total: string; hits: string }>(
          `SELECT k, total::text AS total, hits::text AS hits FROM ${table} ORDER BY k`,
        )
        return Object.fromEntries(rows.map((r) => [r.k, [Number(r.total), Number(r.hits)]]))
      }
      const storedOffsets = async (): Promise<Record<string, number>> => {
        const { rows } = await fixture.sql.query<{ partition: number; next_offset: string }>(
          `SELECT partition, next_offset::text AS next_offset FROM ${offsetsTable} ORDER BY partition`,
        )
        return Object.fromEntries(rows.map((r) => [`in-${r.partition}`, Number(r.next_offset)]))
      }
      return { sql: fixture.sql, log, table, offsetsTable, options, counts, storedOffsets }
    }

    /** Sends `n` records (keys k0…k4, value 1 each) in one transaction. */
    async function produce(log: Log, n: number, abort = false): Promise<void> {
      const producer = await log.producer({ transactionalId: `p-${++seq}` })
      await producer.beginTransaction()
      await producer.send(
        Array.from({ length: n }, (_, i) => ({
          topic: 'in',
          key: Buffer.from(`k${i % 5}`),
          value: Buffer.from('1'),
        })),
      )
      if (abort) await producer.abortTransaction()
      else await producer.commitTransaction()
      await producer.close()
    }

    const endOffsets = async (log: Log) =>
      Object.fromEntries(
        (
          await log.admin.endOffsets(
            [0, 1, 2].map((partition) => ({ topic: 'in', partition })),
            'read_committed',
          )
        ).map((o) => [`in-${o.partition}`, o.offset]),
      )

    /** A client that fails the offset write of the n-th transaction that writes offsets (one
     *  per batch, which may hold records of several partitions), after its rows were written. */
    function crashingOnOffsetWrite(sql: SqlClient, offsetsTable: string, nth: number): SqlClient {
      let batches = 0
      const wrap = (q: SqlQueryable, batch: { n: number }): SqlQueryable => ({
        query: async (text, params) => {
          if (text.includes(`INSERT INTO ${offsetsTable}`)) {
            if (batch.n === 0) batch.n = ++batches
            if (batch.n === nth) throw new Error('simulated crash before commit')
          }
          return q.query(text, params)
        },
      })
      return {
        ...wrap(sql, { n: 0 }),
        transaction: (fn) => sql.transaction((tx) => fn(wrap(tx, { n: 0 }))),
        close: async () => {},
      }
    }

    it('upserts every record and stores the consumed offsets in the database', async () => {
      const t = await setup()
      await produce(t.log, 20)
      const sink = new PostgresSink(t.options(t.sql))
      await sink.start()
      await sink.waitUntilCaughtUp(10_000)
      await sink.close()
      assert.deepEqual(await t.counts(), { k0: [4, 4], k1: [4, 4], k2: [4, 4], k3: [4, 4], k4: [4, 4] })
      assert.deepEqual(await t.storedOffsets(), await endOffsets(t.log))
      assert.equal(sink.metrics().records, 20)
      assert.equal(sink.state, 'closed')
      await t.log.close()
    })

    it('writes the rows and the offsets of a batch in one transaction', async () => {
      const t = await setup()
      await produce(t.log, 20)
      const transactions: string[][] = []
      const recording: SqlClient = {
        query: (text, params) => t.sql.query(text, params),
        transaction: (fn) =>
          t.sql.transaction((tx) => {
            const statements: string[] = []
            transactions.push(statements)
            return fn({ query: (text, params) => (statements.push(text), tx.query(text, params)) })
          }),
        close: async () => {},
      }
      const sink = new PostgresSink(t.options(recording))
      await sink.start()
      await sink.waitUntilCaughtUp(10_000)
      await sink.close()
      const withRows = transactions.filter((s) => s.some((q) => q.includes(`INSERT INTO ${t.table}`)))
      assert.ok(withRows.length >= 3, 'batches of at most 7 records need several transactions')
      for (const statements of withRows)
        assert.ok(
          statements.some((q) => q.includes(`INSERT INTO ${t.offsetsTable}`)),
          'rows without their offsets',
        )
      await t.log.close()
    })

    it('leaves neither rows nor offsets when it crashes inside the transaction', async () => {
      const t = await setup()
      await produce(t.log, 20)
      const sink = new PostgresSink(t.options(crashingOnOffsetWrite(t.sql, t.offsetsTable, 1)))
      await sink.start()
      await assert.rejects(sink.done, /simulated crash/)
      assert.equal(sink.state, 'failed')
      assert.deepEqual(await t.counts(), {})
      assert.deepEqual(await t.storedOffsets(), {})
      await t.log.close()
    })

    it('resumes from the stored offsets after a crash with no duplicate effect', async () => {
      const t = await setup()
      await produce(t.log, 30)
      const first = new PostgresSink(t.options(t.sql))
      await first.start()
      await first.waitUntilCaughtUp(10_000)
      await first.close()
      await produce(t.log, 40)
      const crashing = new PostgresSink(t.options(crashingOnOffsetWrite(t.sql, t.offsetsTable, 3)))
      await crashing.start()
      await assert.rejects(crashing.done, /simulated crash/)
      const partial = await t.counts()
      assert.ok(
        Object.values(partial).some(([total]) => total > 6),
        'the crashing sink committed some batches first',
      )
      await produce(t.log, 10)
      const restarted = new PostgresSink(t.options(t.sql))
      await restarted.start()
      await restarted.waitUntilCaughtUp(10_000)
      await restarted.close()
      assert.deepEqual(await t.counts(), {
        k0: [16, 16],
        k1: [16, 16],
        k2: [16, 16],
        k3: [16, 16],
        k4: [16, 16],
      })
      assert.deepEqual(await t.storedOffsets(), await endOffsets(t.log))
      await t.log.close()
    })

    it('stops at once, never rewinding, when an offset stored in the database is beyond the end of its partition', async () => {
      const t = await setup()
      await produce(t.log, 20)
      const first = new PostgresSink(t.options(t.sql))
      await first.start()
      await first.waitUntilCaughtUp(10_000)
      await first.close()
      const before = await t.counts()
      const ends = await endOffsets(t.log)
      // As after a log replaced by an older copy: the database accounts for records the log lacks.
      await t.sql.query(`UPDATE ${t.offsetsTable} SET next_offset = next_offset + 1000 WHERE partition = 1`)
      const sink = new PostgresSink(t.options(t.sql, { logRetryTimeoutMs: 60_000 }))
      await sink.start().catch(() => {})
      await assert.rejects(sink.done, (err: unknown) => {
        assert.ok(err instanceof OffsetBeyondEnd, String(err))
        assert.deepEqual([err.stored, err.end], [ends['in-1']! + 1000, ends['in-1']])
        assert.match(
          err.message,
          new RegExp(
            `sink sink-[0-9_]+: offset stored in the database ${ends['in-1']! + 1000} of in-1 is beyond the end of the partition \\(${ends['in-1']}\\)`,
          ),
        )
        assert.match(err.message, new RegExp(`set next_offset .* in ${t.offsetsTable}`))
        return true
      })
      assert.deepEqual(await t.counts(), before, 'nothing was applied again')
      await t.log.close()
    })

    it('starts from the database even when the log holds later committed offsets for its group', async () => {
      const t = await setup()
      await produce(t.log, 10)
      const options = t.options(t.sql)
      const consumer = await t.log.consumer({ groupId: options.groupId })
      const ends = await t.log.admin.endOffsets([0, 1, 2].map((partition) => ({ topic: 'in', partition })))
      await consumer.assign(ends)
      await consumer.commit(ends)
      await consumer.close()
      const sink = new PostgresSink(options)
      await sink.start()
      await sink.waitUntilCaughtUp(10_000)
      await sink.close()
      assert.deepEqual(await t.counts(), { k0: [2, 2], k1: [2, 2], k2: [2, 2], k3: [2, 2], k4: [2, 2] })
      await t.log.close()
    })

    it('reads committed transactions only: aborted records never reach the table', async () => {
      const t = await setup()
      await produce(t.log, 10)
      await produce(t.log, 10, true)
      await produce(t.log, 5)
      const sink = new PostgresSink(t.options(t.sql))
      await sink.start()
      await sink.waitUntilCaughtUp(10_000)
      await sink.close()
      assert.deepEqual(await t.counts(), { k0: [3, 3], k1: [3, 3], k2: [3, 3], k3: [3, 3], k4: [3, 3] })
      assert.deepEqual(await t.storedOffsets(), await endOffsets(t.log))
      await t.log.close()
    })

    it('stops naming the record when the row mapper throws, and writes nothing of that batch', async () => {
      const t = await setup()
      await produce(t.log, 3)
      const sink = new PostgresSink(
        t.options(t.sql, {
          toParams: (r) => {
            if (r.key!.toString() === 'k2') throw new Error('bad row')
            return [r.key!.toString(), 1]
          },
          maxBatchRecords: 100,
        }),
      )
      await sink.start()
      await assert.rejects(sink.done, (err: Error & { code?: string }) => {
        assert.equal(err.code, 'PROCESSING')
        assert.match(err.message, /in-\d@\d+: Error: bad row/)
        return true
      })
      await t.log.close()
    })

    it('dead-letters the records the database refuses or the mapper cannot map, and writes the rest', async () => {
      const t = await setup()
      await t.log.admin.createTopics([{ name: 'in-dlq', partitions: 1 }])
      const producer = await t.log.producer()
      const values = ['1', '2', 'oops', '3', '9223372036854775808', '4', 'throw']
      await producer.send(
        values.map((v, i) => ({
          topic: 'in',
          partition: 0,
          key: Buffer.from(`k${i}`),
          value: Buffer.from(v),
        })),
      )
      await producer.close()
      const sink = new PostgresSink(
        t.options(t.sql, {
          deadLetterTopic: 'in-dlq',
          maxBatchRecords: 100,
          toParams: (r) => {
            if (r.value!.toString() === 'throw') throw new Error('unmappable')
            return [r.key!.toString(), r.value!.toString()] // bigint: the database judges the text
          },
        }),
      )
      await sink.start()
      await sink.waitUntilCaughtUp(10_000)
      assert.equal(sink.state, 'running')
      await sink.close()
      assert.deepEqual(await t.counts(), { k0: [1, 1], k1: [2, 1], k3: [3, 1], k5: [4, 1] })
      assert.deepEqual(await t.storedOffsets(), { 'in-0': 7, 'in-1': 0, 'in-2': 0 })
      const consumer = await t.log.consumer({ groupId: `dlq-reader-${seq}` })
      await consumer.assign([{ topic: 'in-dlq', partition: 0 }])
      const letters = await consumer.poll({ maxRecords: 10, timeoutMs: 1000 })
      await consumer.close()
      const header = (r: ConsumerRecord, name: string) => r.headers[`tributary.dlq.${name}`]?.toString()
      assert.deepEqual(
        letters.map((r) => [
          r.key!.toString(),
          header(r, 'offset'),
          header(r, 'error.sqlstate'),
          header(r, 'stage'),
        ]),
        [
          ['k2', '2', '22P02', 'sink'], // invalid input syntax for type bigint
          ['k4', '4', '22003', 'sink'], // out of range for type bigint
          ['k6', '6', undefined, 'sink'],
        ],
      )
      assert.match(header(letters[2]!, 'error.message')!, /unmappable/)
      assert.equal(sink.metrics().deadLettered, 3)
      await t.log.close()
    })

    it('writes only the last record of a key within a batch when coalescing', async () => {
      const t = await setup()
      const producer = await t.log.producer()
      await producer.send(
        Array.from({ length: 6 }, () => ({
          topic: 'in',
          partition: 0,
          key: Buffer.from('same'),
          value: Buffer.from('1'),
        })),
      )
      await producer.close()
      const sink = new PostgresSink(
        t.options(t.sql, { coalesceKey: (r) => r.key!.toString(), maxBatchRecords: 100 }),
      )
      await sink.start()
      await sink.waitUntilCaughtUp(10_000)
      await sink.close()
      assert.deepEqual(await t.counts(), { same: [1, 1] })
      assert.equal(sink.metrics().rowsWritten, 1)
      assert.equal(sink.metrics().records, 6)
      await t.log.close()
    })

    it('drops its batch and re-reads the offsets when another writer moved them', async () => {
      const t = await setup()
      await produce(t.log, 10)
      const sink = new PostgresSink(t.options(t.sql))
      await sink.start()
      await sink.waitUntilCaughtUp(10_000)
      const before = await t.counts()
      // Another writer (the new owner after a rebalance) has already applied what comes next.
      const end = (await endOffsets(t.log))['in-0']!
      await t.sql.query(`UPDATE ${t.offsetsTable} SET next_offset = $1 WHERE partition = 0`, [end + 9])
      const producer = await t.log.producer()
      await producer.send(
        Array.from({ length: 9 }, () => ({
          topic: 'in',
          partition: 0,
          key: Buffer.from('k0'),
          value: Buffer.from('1'),
        })),
      )
      await producer.close()
      await sink.waitUntilCaughtUp(10_000)
      await new Promise((r) => setTimeout(r, 100))
      await sink.close()
      assert.deepEqual(
        await t.counts(),
        before,
        'records already applied by the other writer are not applied again',
      )
      assert.equal(sink.metrics().fenced, 1)
      assert.equal(sink.state, 'closed')
      await t.log.close()
    })

    it('rides out log failures, resuming from the stored offsets, and applies each record once', async () => {
      const t = await setup()
      await produce(t.log, 50)
      // Polls 3, 4 and 7 fail as a restarting broker would; the batches between them commit.
      const sink = new PostgresSink({ ...t.options(t.sql), log: failingPolls(t.log, [3, 4, 7]) })
      await sink.start()
      await sink.waitUntilCaughtUp(10_000)
      await sink.close()
      assert.equal(sink.state, 'closed')
      assert.deepEqual(await t.counts(), {
        k0: [10, 10],
        k1: [10, 10],
        k2: [10, 10],
        k3: [10, 10],
        k4: [10, 10],
      })
      assert.deepEqual(await t.storedOffsets(), await endOffsets(t.log))
      await t.log.close()
    })

    it('stops with the log error once the log has failed for longer than logRetryTimeoutMs', async () => {
      const t = await setup()
      await produce(t.log, 5)
      const always = Array.from({ length: 1000 }, (_, i) => i + 1)
      const sink = new PostgresSink({
        ...t.options(t.sql),
        log: failingPolls(t.log, always),
        logRetryTimeoutMs: 300,
      })
      await sink.start()
      await assert.rejects(sink.done, /broker unreachable/)
      assert.equal(sink.state, 'failed')
      await t.log.close()
    })
  })
}

/** `log` whose consumers' n-th polls (counted from 1, per consumer) fail with code LOG. */
function failingPolls(log: Log, failing: readonly number[]): Log {
  return {
    admin: log.admin,
    producer: (options) => log.producer(options),
    close: () => log.close(),
    consumer: async (options) => {
      const consumer = await log.consumer(options)
      let polls = 0
      const wrapped: Consumer = {
        memberId: consumer.memberId,
        assign: (partitions) => consumer.assign(partitions),
        subscribe: (topics, subscribeOptions) => consumer.subscribe(topics, subscribeOptions),
        assignment: () => consumer.assignment(),
        poll: async (pollOptions) => {
          if (failing.includes(++polls)) throw new TributaryError('LOG', 'broker unreachable (simulated)')
          return consumer.poll(pollOptions)
        },
        seek: (tp, offset) => consumer.seek(tp, offset),
        position: (tp) => consumer.position(tp),
        pause: (partitions) => consumer.pause(partitions),
        resume: (partitions) => consumer.resume(partitions),
        commit: (offsets) => consumer.commit(offsets),
        committed: (partitions) => consumer.committed(partitions),
        close: () => consumer.close(),
      }
      return wrapped
    },
  }
}
