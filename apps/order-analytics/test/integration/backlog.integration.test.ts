// A backlog on real Apache Kafka and real PostgreSQL (issue 14): 40,000+ orders over an hour of
// event time are already in orders-raw (4 partitions, written by a plain producer) when the
// `streams` and `sink` roles start. Their tasks drain the backlog at their own pace; without
// event-time alignment the windows dropped about half of the orders as late. The table must equal
// an independent computation (test/replay/expected-table.ts) exactly, with 0 late orders: with
// one streams process; with three started 3 s apart (tasks move mid-backlog, the instances align
// through the frontiers in each other's commits); and with half the orders written while two
// streams processes run and one of them is SIGKILLed and restarted three times.
//
//   KAFKA_BROKERS=127.0.0.1:9092 DATABASE_URL=postgres://... node --import tsx --test \
//     --test-timeout=900000 test/integration/backlog.integration.test.ts
//
// Each scenario has its own topic prefix, application id and PostgreSQL schema, removed afterwards
// (kept and named when it fails). Without KAFKA_BROKERS or DATABASE_URL it fails (never skips).
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Log } from 'tributary-streams'
import { KafkaLog } from 'tributary-streams/kafka'
import { pgSqlClient, type SqlClient } from 'tributary-streams/postgres'
import { topicNames } from '../../src/context.ts'
import { orderLines, userLines, type DataSetOptions } from '../../src/generator/data-set.ts'
import { feed } from '../../src/replay/feed.ts'
import { CliProcess, csvRows, diff, sleep, tableRows, waitFor, type Row } from '../helpers/cli-processes.ts'
import { expectedTable } from '../replay/expected-table.ts'

const PARTITIONS = 4
const GRACE_MS = 30_000
const ORDERS = Number(process.env['OA_BACKLOG_ORDERS'] ?? 40_000)
const DATA: DataSetOptions = {
  seed: 23,
  users: 2000,
  orders: ORDERS,
  ordersPerSecond: ORDERS / 3600, // one hour of event time
  lateRate: 0, // nothing is late in the data: every late drop would be the pipeline's
}
const DRAIN_TIMEOUT_MS = 300_000
/** Orders written per chunk when the rest is written while the streams processes run. */
const CHUNK = 1000

const brokers = process.env['KAFKA_BROKERS'] ?? ''
const databaseBase = process.env['DATABASE_URL'] ?? ''
const runBase = `oa-bl-${Date.now().toString(36)}-${process.pid}`

async function* linesOf(lines: Iterable<string>): AsyncGenerator<string> {
  yield* lines
}

describe('order-analytics on Kafka: a backlog of an hour of orders is never dropped as late', () => {
  let log: Log | undefined
  let admin: SqlClient | undefined
  const users = [...userLines(DATA)]
  const orders = [...orderLines(DATA)]
  const expected = expectedTable(users, orders, GRACE_MS)
  const want = csvRows(expected.csv)

  before(async () => {
    if (brokers === '') throw new Error('KAFKA_BROKERS is not set: run `npm run kafka:start` and set it')
    if (databaseBase === '')
      throw new Error('DATABASE_URL is not set: run `npm run postgres:start` and export the URL it prints')
    log = await KafkaLog.connect({ brokers: brokers.split(',').map((b) => b.trim()), clientId: runBase })
    admin = pgSqlClient(databaseBase, { max: 1 })
    assert.equal(expected.late, 0, 'the data has no late order')
  })

  after(async () => {
    await admin?.close()
    await log?.close()
  })

  /**
   * Writes `backlog` of the orders (and every user) before the roles start, then `run` drives the
   * streams processes (and may write the rest with `writeRest`, in chunks a second apart, calling
   * `between` after each); waits for the exact table, and checks that no process logged a late
   * record.
   */
  async function scenario(
    name: string,
    backlog: number,
    run: (s: {
      streams: (instance: string) => CliProcess
      writeRest: (between?: (chunk: number) => Promise<void>) => Promise<void>
    }) => Promise<CliProcess[]>,
  ): Promise<string> {
    const runId = `${runBase}-${name}`
    const schema = runId.replace(/-/g, '_')
    const url = new URL(databaseBase)
    url.searchParams.set('options', `-c search_path=${schema}`)
    const workDir = mkdtempSync(join(tmpdir(), `${runId}-`))
    const topics = topicNames(`${runId}-`)
    const processes: CliProcess[] = []
    const start = (pname: string, args: string[], role: string, instance = 'it') => {
      const dataDir = join(workDir, role)
      mkdirSync(dataDir, { recursive: true })
      const p = new CliProcess(
        pname,
        args,
        {
          KAFKA_BROKERS: brokers,
          DATABASE_URL: url.href,
          TRIBUTARY_DATA_DIR: dataDir,
          TRIBUTARY_APPLICATION_ID: runId,
          ORDERS_TOPIC_PREFIX: `${runId}-`,
          ORDERS_PARTITIONS: String(PARTITIONS),
          ORDERS_GRACE_MS: String(GRACE_MS),
          TRIBUTARY_INSTANCE_ID: instance,
        },
        workDir,
      )
      processes.push(p)
      return p
    }
    const db = pgSqlClient(url.href, { max: 1 })
    let failed = true
    const started = Date.now()
    try {
      await admin!.query(`CREATE SCHEMA ${schema}`)
      const init = start('init', ['init'], 'init')
      assert.deepEqual(await init.exited, { code: 0, signal: null }, `init failed\n${init.tail()}`)
      await feed(log!, topics.usersRaw, linesOf(users), 'user_id')
      await feed(log!, topics.ordersRaw, linesOf(orders.slice(0, backlog)), 'order_id')
      const sink = start('sink', ['sink'], 'sink')
      await sink.waitForLine(/sink: .* -> revenue_per_minute/, 60_000)
      let n = 0
      const streams = (instance: string) =>
        start(`streams-${++n}`, ['streams'], `streams-${instance}`, instance)
      const writeRest = async (between?: (chunk: number) => Promise<void>) => {
        for (let i = backlog, chunk = 1; i < orders.length; i += CHUNK, chunk++) {
          await feed(log!, topics.ordersRaw, linesOf(orders.slice(i, i + CHUNK)), 'order_id')
          await between?.(chunk)
          await sleep(1000)
        }
      }
      const survivors = [sink, ...(await run({ streams, writeRest }))]
      let last = new Map<string, Row>()
      await waitFor(
        `${name}: revenue_per_minute to equal the expected table`,
        DRAIN_TIMEOUT_MS,
        async () => {
          for (const p of survivors) if (!p.running) throw new Error(`${p.name} exited\n${p.tail()}`)
          last = await tableRows(db)
          return diff(want, last).length === 0 ? true : undefined
        },
        () => {
          const sum = (m: Map<string, Row>) => [...m.values()].reduce((s, r) => s + Number(r.order_count), 0)
          const d = diff(want, last)
          return `orders in the table: ${sum(last)} (expected ${sum(want)}); ${d.length} rows differ, first:\n${d.slice(0, 10).join('\n')}\n${survivors.map((p) => p.tail(15)).join('\n')}`
        },
      )
      const exactAt = Date.now() - started
      await sleep(3000)
      assert.deepEqual(diff(want, await tableRows(db)), [], 'the table stays exact')
      const late = processes.flatMap((p) => p.lines.filter((l) => l.includes('late record dropped')))
      assert.deepEqual(late, [], 'no record was late')
      for (const p of survivors) p.child.kill('SIGTERM')
      for (const p of survivors)
        assert.deepEqual(await p.exited, { code: 0, signal: null }, `${p.name} stops\n${p.tail()}`)
      failed = false
      return `${name}: exact after ${(exactAt / 1000).toFixed(1)} s`
    } finally {
      for (const p of processes) if (p.running) p.child.kill('SIGKILL')
      await Promise.all(processes.map((p) => p.exited))
      await db.close()
      if (failed) {
        for (const p of processes) console.error(p.tail(40))
        console.error(`# kept: topics ${runId}-*, schema ${schema}, logs in ${workDir}`)
      } else {
        const mine = (await log!.admin.listTopics()).filter((t) => t.startsWith(`${runId}-`))
        await log!.admin.deleteTopics(mine).catch(() => {})
        await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        rmSync(workDir, { recursive: true, force: true })
      }
    }
  }

  it('drains the backlog with one streams process, exactly', async () => {
    const report = await scenario('one', orders.length, async ({ streams }) => {
      const s = streams('a')
      await s.waitForLine(/streams: .* running/, 180_000)
      return [s]
    })
    console.log(`# ${orders.length} order lines, ${want.size} rows; ${report}`)
  })

  it('drains the backlog with three streams processes started apart, exactly', async () => {
    const report = await scenario('three', orders.length, async ({ streams }) => {
      const all = []
      for (const id of ['a', 'b', 'c']) {
        all.push(streams(id))
        await sleep(3000)
      }
      return all
    })
    console.log(`# ${report}`)
  })

  it('stays exact when a streams process is SIGKILLed three times while orders are written', async () => {
    const backlog = Math.floor(orders.length / 2)
    const chunks = Math.ceil((orders.length - backlog) / CHUNK)
    const killAfter = new Set([1, 2, 3].map((k) => Math.floor((k * chunks) / 4)))
    const report = await scenario('kill', backlog, async ({ streams, writeRest }) => {
      let victim = streams('a')
      const other = streams('b')
      for (const p of [victim, other]) await p.waitForLine(/streams: .* running/, 180_000)
      await writeRest(async (chunk) => {
        if (!killAfter.has(chunk)) return
        victim.child.kill('SIGKILL')
        assert.equal((await victim.exited).signal, 'SIGKILL')
        victim = streams('a') // same instance id and data directory
        await victim.waitForLine(/streams: .* running/, 180_000)
      })
      return [victim, other]
    })
    console.log(`# ${report}`)
  })
})
