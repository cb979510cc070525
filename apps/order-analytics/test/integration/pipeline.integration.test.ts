// The whole pipeline on real Apache Kafka and real PostgreSQL (issue 5): `init`, `producer`,
// `streams` and `sink` run as separate processes of the CLI (bin/order-analytics.js); the
// streams process is SIGKILLed twice while the producer is still sending, and restarted on the
// same data directory each time. The producer runs until the test stops it (SIGTERM) once both
// kills are done and it has sent about OA_IT_ORDERS orders, so no step depends on speed. Once
// everything is processed, revenue_per_minute must equal an independent computation
// (test/replay/expected-table.ts, no library code) of exactly what the producer committed to
// users-raw and orders-raw, read back with read_committed; the DLQ must hold each rejected record
// exactly once.
//
//   npm run kafka:start; eval "export DATABASE_URL=$(npm run -s postgres:start | tail -n 1)"
//   KAFKA_BROKERS=127.0.0.1:9092 node --import tsx --test --test-timeout=600000 \
//     test/integration/pipeline.integration.test.ts
//
// Every run has its own topic prefix, application id (consumer groups, transactional ids,
// internal topics) and PostgreSQL schema, so it never meets another run or another user of the
// broker; its topics and schema are removed afterwards (kept, and named, when it fails).
// Without KAFKA_BROKERS or DATABASE_URL, or with either unreachable, it fails (never skips).
//
// Nothing is late by construction: the producer stamps an order at most 2 s before it sends it
// (checked below), the streams process is never down for long, and the grace is 30 s; so the
// expected table is computed with the producer's own order and must show 0 late orders.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ConsumerRecord, Log } from 'tributary-streams'
import { KafkaLog } from 'tributary-streams/kafka'
import { pgSqlClient, type SqlClient } from 'tributary-streams/postgres'
import {
  CliProcess,
  csvRows,
  diff,
  readAll,
  sleep,
  tableRows,
  waitFor,
  withTimeout,
  type Row,
} from '../helpers/cli-processes.ts'
import { expectedTable } from '../replay/expected-table.ts'

const PARTITIONS = 4
const GRACE_MS = 30_000
const SEED = 17
/** The producer is stopped once orders-raw holds about this many records. */
const ORDERS = Number(process.env['OA_IT_ORDERS'] ?? 4000)
const RATE = Number(process.env['OA_IT_RATE'] ?? 200)
/** How long the streams process stays dead before each restart. */
const DOWN_MS = 1500
/** After the producer stops: how long everything may take to drain into the table. */
const DRAIN_TIMEOUT_MS = 240_000

const brokers = process.env['KAFKA_BROKERS'] ?? ''
const databaseBase = process.env['DATABASE_URL'] ?? ''
const runId = `oa-it-${Date.now().toString(36)}-${process.pid}`
const prefix = `${runId}-`
const schema = runId.replace(/-/g, '_')
const topic = {
  usersRaw: `${prefix}users-raw`,
  ordersRaw: `${prefix}orders-raw`,
  ordersProcessed: `${prefix}orders-processed`,
  ordersDlq: `${prefix}orders-dlq`,
}

describe('order-analytics on Kafka and PostgreSQL: producer, streams and sink as processes', () => {
  let log: Log | undefined
  let db: SqlClient | undefined
  let admin: SqlClient | undefined
  let workDir = ''
  let failed = true
  const processes: CliProcess[] = []

  before(async () => {
    if (brokers === '')
      throw new Error(
        'KAFKA_BROKERS is not set: run `npm run kafka:start` and set KAFKA_BROKERS=127.0.0.1:9092',
      )
    if (databaseBase === '')
      throw new Error(
        'DATABASE_URL is not set: run `npm run postgres:start` and export the DATABASE_URL it prints',
      )
    try {
      log = await withTimeout(
        KafkaLog.connect({ brokers: brokers.split(',').map((b) => b.trim()), clientId: `${runId}-check` }),
        20_000,
        'connecting',
      )
      await withTimeout(log.admin.listTopics(), 20_000, 'listing topics')
    } catch (err) {
      throw new Error(`Kafka at ${brokers} is unreachable (${String(err)}): run \`npm run kafka:start\``)
    }
    try {
      admin = pgSqlClient(databaseBase, { max: 1 })
      await withTimeout(admin.query(`CREATE SCHEMA ${schema}`), 20_000, 'creating a schema')
    } catch (err) {
      throw new Error(
        `PostgreSQL at ${databaseBase} is unreachable (${String(err)}): run \`npm run postgres:start\``,
      )
    }
    db = pgSqlClient(withSearchPath(databaseBase), { max: 1 })
    workDir = mkdtempSync(join(tmpdir(), `${runId}-`))
  })

  after(async () => {
    for (const p of processes) if (p.running) p.child.kill('SIGKILL')
    await Promise.all(processes.map((p) => p.exited))
    if (failed && workDir === '') {
      // before() failed: nothing was created (but perhaps the schema).
      await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {})
    } else if (failed) {
      for (const p of processes) console.error(p.tail(60))
      console.error(
        `# kept for diagnosis: topics ${prefix}*, schema ${schema} in ${databaseBase}, logs and state in ${workDir}`,
      )
    } else {
      if (log) {
        const mine = (await log.admin.listTopics()).filter((t) => t.startsWith(prefix))
        await log.admin
          .deleteTopics(mine)
          .catch((err: unknown) => console.error(`deleting topics: ${String(err)}`))
      }
      await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      if (workDir) rmSync(workDir, { recursive: true, force: true })
    }
    await db?.close()
    await admin?.close()
    await log?.close()
  })

  it('keeps revenue_per_minute exact across SIGKILLs of the streams process', async () => {
    const kafka = log!
    const sql = db!
    const env = (role: string): Record<string, string> => {
      const dataDir = join(workDir, role)
      mkdirSync(dataDir, { recursive: true })
      return {
        KAFKA_BROKERS: brokers,
        DATABASE_URL: withSearchPath(databaseBase),
        TRIBUTARY_DATA_DIR: dataDir,
        TRIBUTARY_APPLICATION_ID: runId,
        ORDERS_TOPIC_PREFIX: prefix,
        ORDERS_PARTITIONS: String(PARTITIONS),
        ORDERS_GRACE_MS: String(GRACE_MS),
        TRIBUTARY_INSTANCE_ID: 'it',
      }
    }
    const start = (name: string, args: string[], role: string) => {
      const p = new CliProcess(name, args, env(role), workDir)
      processes.push(p)
      return p
    }
    const started = Date.now()
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
    const ordersRaw = Array.from({ length: PARTITIONS }, (_, partition) => ({
      topic: topic.ordersRaw,
      partition,
    }))
    const committedOrders = async () =>
      (await kafka.admin.committedOffsets(runId, ordersRaw)).reduce((n, o) => n + o.offset, 0)
    const tableSize = async () =>
      Number(
        (await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM revenue_per_minute')).rows[0]!.n,
      )

    try {
      // 1. Topics and table.
      const init = start('init', ['init'], 'init')
      const initExit = await init.exited
      assert.deepEqual(initExit, { code: 0, signal: null }, `init failed\n${init.tail()}`)

      // 2. Sink and streams, then the producer.
      let sink = start('sink', ['sink'], 'sink')
      let streams = start('streams-1', ['streams'], 'streams')
      await sink.waitForLine(/sink: .* -> revenue_per_minute/, 60_000)
      await streams.waitForLine(/streams: .* running/, 60_000)
      const producer = start(
        'producer',
        ['producer', '--rate', String(RATE), '--seed', String(SEED)],
        'producer',
      )

      // 3. Kill the streams process once it has committed orders and the sink has rows; restart
      //    it on the same data directory. Twice: the second time shortly after it resumed.
      const kills: string[] = []
      for (let round = 1; round <= 2; round++) {
        const before = await committedOrders()
        const committed = await waitFor(
          `${streams.name} to commit orders beyond offset total ${before} and the sink to write rows`,
          120_000,
          async () => {
            if (!streams.running) throw new Error(`${streams.name} exited by itself\n${streams.tail()}`)
            const n = await committedOrders()
            return n > before && (await tableSize()) > 0 ? n : undefined
          },
          () => streams.tail(),
        )
        if (!producer.running) throw new Error(`the producer exited by itself\n${producer.tail()}`)
        streams.child.kill('SIGKILL')
        const exit = await streams.exited
        assert.equal(exit.signal, 'SIGKILL')
        kills.push(`${streams.name} killed at ${elapsed()} with ${committed} orders-raw offsets committed`)
        await sleep(DOWN_MS)
        streams = start(`streams-${round + 1}`, ['streams'], 'streams')
        await streams.waitForLine(/streams: .* running/, 60_000)
        if (round === 1) {
          // The sink too, once: it resumes from the offsets stored with its rows.
          const rows = await tableSize()
          sink.child.kill('SIGKILL')
          assert.equal((await sink.exited).signal, 'SIGKILL')
          kills.push(`sink killed at ${elapsed()} with ${rows} rows written`)
          sink = start('sink-2', ['sink'], 'sink')
          await sink.waitForLine(/sink: .* -> revenue_per_minute/, 60_000)
        }
      }

      // 4. Once it has sent enough, the producer is stopped as an operator would: SIGTERM drains.
      const ordersSent = async () =>
        (await kafka.admin.endOffsets(ordersRaw, 'read_committed')).reduce((n, o) => n + o.offset, 0)
      await waitFor(`${ORDERS} orders on ${topic.ordersRaw}`, 300_000, async () => {
        if (!producer.running) throw new Error(`the producer exited by itself\n${producer.tail()}`)
        return (await ordersSent()) >= ORDERS ? true : undefined
      })
      producer.child.kill('SIGTERM')
      const producerExit = await withTimeout(producer.exited, 60_000, 'the producer to stop')
      assert.deepEqual(producerExit, { code: 0, signal: null }, `producer failed\n${producer.tail()}`)
      await producer.waitForLine(/producer: done, \d+ orders/, 1000)
      const producedAt = elapsed()

      // 5. What the producer committed, and the table it must give (computed without the library).
      const users = await readAll(kafka, topic.usersRaw, PARTITIONS, `${runId}-check-users`)
      const orders = await readAll(kafka, topic.ordersRaw, PARTITIONS, `${runId}-check-orders`)
      // Committed transactions hold a prefix of the generator's sequence: no order is missing.
      const ids = new Set(orders.map((r) => r.key?.toString()))
      const seqs = [...ids].map((id) => Number(id?.slice(`o-${SEED}-`.length))).filter(Number.isInteger)
      const sentOrders = Math.max(...seqs) + 1
      for (let seq = 0; seq < sentOrders; seq++)
        assert.ok(ids.has(`o-${SEED}-${seq}`), `order o-${SEED}-${seq} is on ${topic.ordersRaw}`)
      let maxStampLagMs = 0
      for (const r of orders) {
        const ts = orderTime(r)
        if (ts !== undefined) maxStampLagMs = Math.max(maxStampLagMs, r.timestamp - ts)
      }
      assert.ok(
        maxStampLagMs < 5_000,
        `every order is sent within 5 s of its event time (max ${maxStampLagMs} ms)`,
      )
      // In the order the producer sent them (send time, then partition and offset).
      const sent = [...orders].sort(
        (a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset,
      )
      const text = (r: ConsumerRecord) => r.value?.toString('utf8') ?? ''
      const expected = expectedTable(users.map(text), sent.map(text), GRACE_MS)
      assert.equal(expected.late, 0, 'no order is late (event times are nearly monotonic)')
      assert.ok(expected.duplicates > 0, 'the data exercises duplicates')
      assert.ok(expected.rejected > 0, 'the data exercises the DLQ')
      assert.match(expected.csv, /,unknown,unknown,/, 'the data exercises unknown users')
      const want = csvRows(expected.csv)

      // 6. Wait until the table holds it, then for a while longer (nothing may change it after).
      let last = new Map<string, Row>()
      await waitFor(
        'revenue_per_minute to equal the expected table',
        DRAIN_TIMEOUT_MS,
        async () => {
          for (const p of [streams, sink])
            if (!p.running) throw new Error(`${p.name} exited by itself\n${p.tail()}`)
          last = await tableRows(sql)
          return diff(want, last).length === 0 ? true : undefined
        },
        () => {
          const d = diff(want, last)
          const sum = (m: Map<string, Row>, unknownOnly: boolean) =>
            [...m].reduce(
              (n, [k, r]) => (!unknownOnly || k.endsWith(',unknown,unknown') ? n + Number(r.order_count) : n),
              0,
            )
          return `orders in the table: ${sum(last, false)} (expected ${sum(want, false)}), of them by unknown users: ${sum(last, true)} (expected ${sum(want, true)}). ${d.length} rows differ (of ${want.size}); first ones:\n${d.slice(0, 20).join('\n')}\n${streams.tail(30)}\n${sink.tail(10)}`
        },
      )
      const equalAt = elapsed()
      const lag = await streamsLag(kafka)
      await sleep(5_000)
      const final = await tableRows(sql)
      assert.deepEqual(diff(want, final), [], 'the table stays exact')
      assert.equal(final.size, want.size)

      // 7. Each rejected record is in the DLQ exactly once (no output of an aborted attempt).
      const dlq = await readAll(kafka, topic.ordersDlq, PARTITIONS, `${runId}-check-dlq`)
      assert.equal(dlq.length, expected.rejected, 'DLQ records')
      const origins = new Set(
        dlq.map((r) => {
          const v = JSON.parse(text(r)) as { topic: string; partition: number; offset: number }
          return `${v.topic}/${v.partition}/${v.offset}`
        }),
      )
      assert.equal(origins.size, dlq.length, 'no record is dead-lettered twice')

      // 8. The survivors stop cleanly.
      streams.child.kill('SIGTERM')
      sink.child.kill('SIGTERM')
      assert.deepEqual(
        await streams.exited,
        { code: 0, signal: null },
        `streams stops on SIGTERM\n${streams.tail()}`,
      )
      assert.deepEqual(await sink.exited, { code: 0, signal: null }, `sink stops on SIGTERM\n${sink.tail()}`)

      console.log(
        `# ${orders.length} orders-raw records (${sentOrders} orders at ${RATE}/s), ${users.length} users; ` +
          `${want.size} rows, ${expected.duplicates} duplicates, ${expected.rejected} rejected, 0 late; ` +
          `${kills.join('; ')}; producer done at ${producedAt}, table exact at ${equalAt}; ` +
          `streams group's committed offsets behind the read_committed ends then (each partition's final commit marker counts 1): ${lag}; total ${elapsed()}`,
      )
      failed = false
    } catch (err) {
      failed = true
      throw err
    }
  })
})

/** DATABASE_URL with this run's schema first on the search path. */
function withSearchPath(base: string): string {
  const u = new URL(base)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.href
}

function orderTime(r: ConsumerRecord): number | undefined {
  try {
    const ts = (JSON.parse(r.value?.toString('utf8') ?? '') as { payload?: { timestamp?: unknown } }).payload
      ?.timestamp
    return typeof ts === 'number' ? ts : undefined
  } catch {
    return undefined
  }
}

/** Committed offsets of the streams group against the read_committed ends of its input topics. */
async function streamsLag(log: Log): Promise<string> {
  const inputs = [
    topic.ordersRaw,
    topic.usersRaw,
    ...(await log.admin.listTopics()).filter((t) => t.startsWith(`${runId}-`) && t.endsWith('-repartition')),
  ]
  const parts: string[] = []
  for (const t of inputs) {
    const [desc] = await log.admin.describeTopics([t])
    const tps = Array.from({ length: desc!.partitions }, (_, partition) => ({ topic: t, partition }))
    const ends = await log.admin.endOffsets(tps, 'read_committed')
    const committed = new Map(
      (await log.admin.committedOffsets(runId, tps)).map((c) => [c.partition, c.offset]),
    )
    const lag = ends.reduce((n, e) => n + (e.offset - (committed.get(e.partition) ?? 0)), 0)
    parts.push(`${t.slice(prefix.length)} ${lag}`)
  }
  return parts.join(', ')
}
