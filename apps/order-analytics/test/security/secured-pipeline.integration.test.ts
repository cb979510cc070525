// The order-analytics pipeline on the secured broker of scripts/kafka-secure-start.sh (SASL_SSL,
// SCRAM-SHA-512, StandardAuthorizer, no ACL = denied), each role as its own CLI process and its own
// principal with exactly the ACLs docs/security.md lists (read from the document itself), streams
// under exactly-once: `init` (as the admin), `sink`, `streams`, `dashboard` and `producer`. Then:
// revenue_per_minute equals an independent computation of what the producer wrote; no e-mail or
// rejected user's name is readable in any topic after users-raw or in PostgreSQL; no process
// printed a password; every process stops cleanly.
//
// Topic names and the application id are the document's defaults (the broker is the tests' own);
// the PostgreSQL schema is this run's. Needs DATABASE_URL (scripts/postgres-start.sh) and fails
// without it; starts the secured broker unless it is running.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ConsumerRecord } from 'tributary-streams'
import { KafkaLog } from 'tributary-streams/kafka'
import { pgSqlClient, type SqlClient } from 'tributary-streams/postgres'
import { documentedAcls } from '../../../../packages/tributary/test/log/kafka/documented-acls.ts'
import {
  grantAcls,
  listAcls,
  revokeAllAcls,
  securedEnv,
  securedOptions,
  startSecuredBroker,
  type SecuredBroker,
} from '../../../../packages/tributary/test/log/kafka/secured-broker.ts'
import {
  CliProcess,
  csvRows,
  diff,
  readAll,
  tableRows,
  waitFor,
  withTimeout,
} from '../helpers/cli-processes.ts'
import { expectedTable } from '../replay/expected-table.ts'

const PARTITIONS = 2
const ORDERS = 300
const APP = 'order-analytics'
const TOPICS = [
  'users-raw',
  'orders-raw',
  'orders-processed',
  'orders-outbox',
  'orders-dlq',
  'orders-sink-dlq',
]
const databaseBase = process.env['DATABASE_URL'] ?? ''
/** The CA of scripts/postgres-start.sh's certificate: the roles reach PostgreSQL over verified TLS. */
const databaseCa = process.env['PG_TLS_CA'] ?? ''
const schema = `oa_sec_${Date.now().toString(36)}`
const rejected = { email: 'grace.secret@example.com', name: 'Grace Secretname' }

describe('order-analytics on a SASL_SSL broker with the ACLs of docs/security.md', () => {
  let broker: SecuredBroker
  let log: KafkaLog | undefined
  let admin: SqlClient | undefined
  let db: SqlClient | undefined
  let workDir = ''
  const processes: CliProcess[] = []

  before(async () => {
    if (databaseBase === '' || databaseCa === '')
      throw new Error(
        'DATABASE_URL and PG_TLS_CA must be set: run `npm run postgres:start`, export the DATABASE_URL it prints and PG_TLS_CA=.postgres/tls/ca.pem',
      )
    broker = await startSecuredBroker()
    log = await KafkaLog.connect(securedOptions(broker, 'admin'))
    await removeAppTopics(log)
    // Exactly the document's ACLs: none left from an earlier run on this broker.
    const documented = documentedAcls()
    await revokeAllAcls(broker, [...documented.keys()])
    for (const principal of documented.keys())
      assert.deepEqual(await listAcls(broker, principal), [], `${principal} starts with no ACL`)
    await grantAcls(broker, [...documented.values()].flat())
    admin = pgSqlClient(databaseBase, { max: 1 })
    await admin.query(`CREATE SCHEMA ${schema}`)
    db = pgSqlClient(withSearchPath(databaseBase), { max: 1 })
    workDir = mkdtempSync(join(tmpdir(), 'oa-sec-'))
  })

  after(async () => {
    for (const p of processes) if (p.running) p.child.kill('SIGKILL')
    await Promise.all(processes.map((p) => p.exited))
    if (log) await removeAppTopics(log).catch((err: unknown) => console.error(String(err)))
    await log?.close()
    await db?.close()
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {})
    await admin?.close()
    await broker?.stop()
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  })

  it('runs end to end under exactly-once, each role with only its documented ACLs', async () => {
    const kafka = log!
    const env = (user: keyof SecuredBroker['users'], extra: Record<string, string> = {}) => {
      const dir = join(workDir, user)
      mkdirSync(dir, { recursive: true })
      return {
        ...securedEnv(broker, user, join(dir, 'password')),
        DATABASE_URL: withSearchPath(databaseBase, {
          sslmode: 'verify-full',
          sslrootcert: databaseCa,
          application_name: 'oa-sec-role',
        }),
        TRIBUTARY_DATA_DIR: dir,
        ORDERS_PARTITIONS: String(PARTITIONS),
        ORDERS_MASK_KEY: 'a-mask-key-of-the-security-test',
        ...extra,
      }
    }
    const start = (user: keyof SecuredBroker['users'], args: string[], extra?: Record<string, string>) => {
      const p = new CliProcess(`${args[0]}-as-${user}`, args, env(user, extra), workDir)
      processes.push(p)
      return p
    }
    const tails = () => processes.map((p) => p.tail(15)).join('\n')

    // 1. Topics and table, by the admin (the roles have no Create on them).
    const init = start('admin', ['init'])
    assert.deepEqual(await init.exited, { code: 0, signal: null }, `init failed\n${init.tail()}`)

    // 2. The long-running roles, then the producer (which stops after ORDERS orders).
    const sink = start('sink', ['sink'])
    const streams = start('streams', ['streams'], { TRIBUTARY_INSTANCE_ID: 'sec' })
    const dashboard = start('dashboard', ['dashboard'], { PORT: '0' })
    await sink.waitForLine(/sink: .* -> revenue_per_minute/, 90_000)
    await streams.waitForLine(/streams: .* running/, 90_000)
    const url = (await dashboard.waitForLine(/dashboard: http/, 90_000)).replace(/.*dashboard: /, '').trim()
    const producer = start('producer', [
      'producer',
      '--rate',
      '1000',
      '--seed',
      '7',
      '--max-orders',
      String(ORDERS),
    ])
    const produced = await withTimeout(producer.exited, 180_000, 'the producer to finish')
    assert.deepEqual(produced, { code: 0, signal: null }, `producer failed\n${producer.tail()}`)
    // A user the contract rejects, carrying personal data: it must reach orders-dlq masked. And a
    // value on orders-processed that is not a row: the sink dead-letters it to orders-sink-dlq.
    const stray = await kafka.producer()
    await stray.send([
      { topic: 'orders-processed', key: Buffer.from('not-a-row'), value: Buffer.from('{"region":1}') },
      {
        topic: 'users-raw',
        key: Buffer.from('u-bad'),
        value: Buffer.from(
          JSON.stringify({
            event_id: 'e-bad',
            timestamp: Date.now(),
            source: 't',
            type: 'UserCreated',
            payload: rejected,
          }),
        ),
      },
    ])
    await stray.close()

    // 3. The table equals what the producer committed, computed without the library.
    const text = (r: ConsumerRecord) => r.value?.toString('utf8') ?? ''
    const users = await readAll(kafka, 'users-raw', PARTITIONS, 'sec-check-users')
    const orders = await readAll(kafka, 'orders-raw', PARTITIONS, 'sec-check-orders')
    const sent = [...orders].sort(
      (a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset,
    )
    const expected = expectedTable(users.map(text), sent.map(text), 30_000)
    const want = csvRows(expected.csv)
    await waitFor(
      'revenue_per_minute to equal the expected table',
      180_000,
      async () => {
        for (const p of [sink, streams, dashboard])
          if (!p.running) throw new Error(`${p.name} exited\n${p.tail()}`)
        return diff(want, await tableRows(db!)).length === 0 ? true : undefined
      },
      tails,
    )
    // Every rejected record (the stray user among them: it is on users-raw) in orders-dlq.
    const dlq = await waitFor('orders-dlq to hold every rejected record', 60_000, async () => {
      const records = await readAll(kafka, 'orders-dlq', PARTITIONS, 'sec-check-dlq')
      return records.length >= expected.rejected ? records : undefined
    })
    assert.equal(dlq.length, expected.rejected)
    assert.ok(
      dlq.some((r) => r.key?.toString() === 'u-bad'),
      'the stray user is dead-lettered',
    )
    const sinkDlq = await waitFor('the sink to dead-letter the stray value', 60_000, async () => {
      const records = await readAll(kafka, 'orders-sink-dlq', PARTITIONS, 'sec-check-sink-dlq')
      return records.length > 0 ? records : undefined
    })
    assert.deepEqual(sinkDlq.map(text), ['{"region":1}'])

    // 4. The dashboard (its own principal) follows orders-processed.
    // It started before any order, so what it shows came from the topic, not the table.
    await waitFor(
      'the dashboard to show orders',
      60_000,
      async () => {
        const body = (await (await fetch(new URL('api/summary', url))).json()) as {
          totals: { orders: number }
        }
        return body.totals.orders > 0 ? true : undefined
      },
      () => dashboard.tail(),
    )

    // 5. No e-mail, nor the rejected user's name, after users-raw: every other topic, every table.
    const personal = new Set<string>([rejected.email, rejected.name])
    for (const u of users) {
      const payload = (JSON.parse(text(u)) as { payload?: { email?: unknown } }).payload
      if (typeof payload?.email === 'string') personal.add(payload.email)
    }
    assert.ok(personal.size > 10, `the data has e-mails (${personal.size})`)
    const downstream = (await kafka.admin.listTopics()).filter((t) => t !== 'users-raw' && t !== 'orders-raw')
    assert.ok(
      downstream.some((t) => t.endsWith('-changelog')),
      `internal topics are scanned: ${downstream.join(', ')}`,
    )
    for (const t of downstream) {
      const [d] = await kafka.admin.describeTopics([t])
      for (const r of await readAll(kafka, t, d!.partitions, `sec-check-${t}`)) {
        const bytes = `${r.key?.toString('utf8') ?? ''} ${text(r)} ${JSON.stringify(r.headers)}`
        for (const p of personal)
          assert.ok(!bytes.includes(p), `${t}@${r.partition}/${r.offset} holds '${p}' in the clear`)
      }
    }
    const tables = await db!.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}'`,
    )
    for (const { table_name } of tables.rows) {
      const rows = await db!.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table_name} t`)
      for (const { row } of rows.rows)
        for (const p of personal) assert.ok(!row.includes(p), `table ${table_name} holds '${p}'`)
    }

    // 6. The roles' database sessions (sink, dashboard) are encrypted, as the server sees them.
    const sessions = await db!.query<{ ssl: boolean }>(
      `SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'oa-sec-role'`,
    )
    assert.ok(sessions.rows.length > 0, 'the roles hold database sessions')
    assert.ok(
      sessions.rows.every((r) => r.ssl),
      `every role session is TLS: ${JSON.stringify(sessions.rows)}`,
    )

    // 7. Nobody printed a secret; everybody stops cleanly.
    for (const p of processes)
      for (const secret of Object.values(broker.users))
        assert.ok(!p.lines.some((l) => l.includes(secret)), `${p.name} printed a password`)
    for (const p of [streams, sink, dashboard]) p.child.kill('SIGTERM')
    for (const p of [streams, sink, dashboard])
      assert.deepEqual(await p.exited, { code: 0, signal: null }, `${p.name} stops on SIGTERM\n${p.tail()}`)
    console.log(
      `# ${orders.length} orders, ${users.length} users, ${want.size} rows, ${dlq.length} dead letters; ${downstream.length} topics and ${tables.rows.length} tables scanned for ${personal.size} personal values`,
    )
  })
})

/** The app's topics (document defaults) and its internal ones, so each run starts empty. */
async function removeAppTopics(log: KafkaLog): Promise<void> {
  const mine = (await log.admin.listTopics()).filter((t) => TOPICS.includes(t) || t.startsWith(`${APP}-`))
  await log.admin.deleteTopics(mine)
}

function withSearchPath(base: string, params: Record<string, string> = {}): string {
  const u = new URL(base)
  u.searchParams.set('options', `-c search_path=${schema}`)
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v)
  return u.href
}
