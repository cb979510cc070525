import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog } from 'tributary-streams'
import { createTopics } from '../../src/cli/create-topics.ts'
import { startStreams } from '../../src/cli/start-streams.ts'
import { topicNames, type AppContext } from '../../src/context.ts'
import type { DlqRecord } from '../../src/contract/dlq-record.ts'
import { runProducer } from '../../src/generator/producer.ts'
import { readTopic } from '../../src/replay/read-topic.ts'
import { openDatabase } from '../../src/sink/database.ts'
import { startSink } from '../../src/sink/start-sink.ts'

/** A UserCreated the contract rejects (no user_id), carrying a name and an e-mail. */
const badUser = (email: string, name: string) =>
  JSON.stringify({
    event_id: `e-${name.length}-${Math.random()}`,
    timestamp: Date.now(),
    source: 't',
    type: 'UserCreated',
    payload: { name, email },
  })

describe('masking of users personal data, end to end (producer, streams, sink; embedded log, PGlite)', () => {
  it('leaves no e-mail or name in the clear after users-raw, and the same digest after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oa-mask-e2e-'))
    const log = await EmbeddedLog.open()
    const ctx: AppContext = {
      log,
      topics: topicNames(''),
      partitions: 2,
      dataDir,
      applicationId: 'oa-mask',
      port: 0,
      databaseUrl: undefined,
    }
    const log0 = console.log
    console.log = () => {}
    try {
      await createTopics(ctx)
      await runProducer(ctx, { rate: 100_000, seed: 5, maxOrders: 100, initialUsers: 20 })
      const stray = await log.producer()
      const send = (key: string, value: string) =>
        stray.send([{ topic: ctx.topics.usersRaw, key: Buffer.from(key), value: Buffer.from(value) }])
      await send('bad-1', badUser('grace@example.com', 'Grace Hopper'))
      await send('bad-2', 'not json, but grace@example.com')

      // Everyone's e-mail and name as the producer wrote them.
      const personal = new Set<string>(['grace@example.com', 'Grace Hopper'])
      for (const r of await readTopic(log, ctx.topics.usersRaw)) {
        if (!r.value?.toString().startsWith('{')) continue
        const payload = (JSON.parse(r.value!.toString()) as { payload?: { email?: string; name?: string } })
          .payload
        if (payload?.email) personal.add(payload.email)
        if (payload?.name) personal.add(payload.name)
      }
      assert.ok(personal.size > 20)

      type Metrics = Awaited<ReturnType<typeof startStreams>>['metrics']
      const run = async (done: (m: Metrics) => boolean) => {
        const streams = await startStreams(ctx, {
          processingGuarantee: 'exactly-once',
          persistentStores: false,
          commitIntervalMs: 50,
        })
        const sink = await startSink(ctx)
        try {
          const deadline = Date.now() + 120_000
          while (!done(streams.metrics)) {
            assert.ok(Date.now() < deadline, `not done: ${JSON.stringify(streams.metrics.snapshot())}`)
            await new Promise((r) => setTimeout(r, 100))
          }
          await sink.waitUntilCaughtUp(30_000)
        } finally {
          await sink.close()
          await streams.close()
        }
      }
      await run((m) => m.deadLettered >= 2 && m.ordersAccepted + m.duplicates >= 90)

      // Every topic but the raw inputs, as text, and every table of the database.
      const topics = (await log.admin.listTopics()).filter(
        (t) => t !== ctx.topics.usersRaw && t !== ctx.topics.ordersRaw,
      )
      assert.ok(topics.includes(ctx.topics.ordersDlq) && topics.some((t) => t.endsWith('-changelog')))
      const texts: string[] = []
      for (const topic of topics)
        for (const r of await readTopic(log, topic))
          texts.push(`${topic}: ${r.key?.toString()} ${r.value?.toString()}`)
      const db = await openDatabase(ctx)
      try {
        const { rows } = await db.query<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`,
        )
        for (const { name } of rows)
          texts.push(JSON.stringify((await db.query(`SELECT * FROM "${name}"`)).rows))
      } finally {
        await db.close()
      }
      for (const text of texts)
        for (const value of personal)
          assert.ok(!text.includes(value), `'${value}' in the clear: ${text.slice(0, 200)}`)

      // The dead letters: the readable one masked with the key's HMAC, the unreadable one withheld.
      const key = readFileSync(join(dataDir, 'mask.key'), 'utf8').trim()
      const digest = createHmac('sha256', key).update('grace@example.com').digest('hex')
      const dlq = async () =>
        (await readTopic(log, ctx.topics.ordersDlq))
          .map((r) => JSON.parse(r.value!.toString()) as DlqRecord)
          .filter((d) => d.topic === ctx.topics.usersRaw)
      const [first, unreadable] = await dlq()
      assert.equal((JSON.parse(first!.value!) as { payload: { email: string } }).payload.email, digest)
      assert.deepEqual([unreadable!.value, unreadable!.value_withheld], [null, true])

      // A restart of the streams job: the same e-mail gets the same digest.
      await send('bad-3', badUser('grace@example.com', 'Grace Hopper'))
      await stray.close()
      await run((m) => m.deadLettered >= 1)
      const again = (await dlq()).at(-1)!
      assert.equal((JSON.parse(again.value!) as { payload: { email: string } }).payload.email, digest)
    } finally {
      console.log = log0
      await log.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
