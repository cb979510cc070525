import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  DLQ_HEADERS,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  isTributaryError,
  type Log,
} from 'tributary-streams'
import type { KafkaLog } from 'tributary-streams/kafka'
import { describeTopicConfigs } from '../../log/kafka/kafka-configs-tool.ts'
import { brokers, connectKafka, readTopic, silent, unique, until } from './kafka-helpers.ts'

// The StreamsApp tests of test/runtime and test/dsl, on a real broker: the same topologies, only
// the `log` option changes.
const str = Serdes.string()
const num = Serdes.number()

function wordCount(input: string, output: string) {
  const builder = new StreamsBuilder()
  builder
    .stream(input, { key: str, value: str })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, { key: str, value: str })
    .count({ name: 'counts' })
    .toStream()
    .to(output, { key: str, value: num })
  return builder.build()
}

async function send(log: Log, topic: string, entries: Array<[string, string | Buffer]>, ts?: number[]) {
  const producer = await log.producer()
  await producer.send(
    entries.map(([k, v], i) => ({
      topic,
      key: Buffer.from(k),
      value: typeof v === 'string' ? Buffer.from(v) : v,
      ...(ts?.[i] === undefined ? {} : { timestamp: ts[i] }),
    })),
  )
  await producer.close()
}

/** Last value per key of a topic (read_committed). */
async function latest(log: Log, topic: string): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const r of await readTopic(log, topic)) out.set(r.key!.toString(), num.deserialize(r.value!, topic))
  return out
}

describe('StreamsApp on Kafka', () => {
  let log: KafkaLog
  const dir = mkdtempSync(join(tmpdir(), 'tributary-kafka-app-'))
  before(async () => {
    log = await connectKafka()
  })
  after(async () => {
    await log?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const guarantee of ['at-least-once', 'exactly-once'] as const) {
    it(`counts words ${guarantee}; internal topics are sized and compacted; a fresh instance restores from the changelog`, async () => {
      const id = unique(`wc-${guarantee === 'exactly-once' ? 'eos' : 'alos'}`)
      const [input, output] = [`${id}-lines`, `${id}-out`]
      await log.admin.createTopics([
        { name: input, partitions: 3 },
        { name: output, partitions: 3 },
      ])
      const config = (dataDir: string) => ({
        applicationId: id,
        dataDir: join(dir, dataDir),
        log,
        processingGuarantee: guarantee,
        commitIntervalMs: 50,
        logger: silent,
      })
      const first = new StreamsApp(wordCount(input, output), config(`${id}-a`))
      await first.start()
      await send(log, input, [
        ['1', 'a b a'],
        ['2', 'b c'],
        ['3', 'a'],
      ])
      await until(async () => (await latest(log, output)).get('a') === 3, 'first counts')
      await first.close()
      assert.equal(first.state, 'closed')

      const described = await log.admin.describeTopics([`${id}-counts-repartition`, `${id}-counts-changelog`])
      assert.deepEqual(
        described.map((d) => [d.name.slice(id.length + 1), d.partitions, d.cleanupPolicy]),
        [
          ['counts-repartition', 3, 'delete'],
          ['counts-changelog', 3, 'compact'],
        ],
      )

      // Another data directory: no local state, so the counts must come back from the changelog.
      const second = new StreamsApp(wordCount(input, output), config(`${id}-b`))
      await second.start()
      await send(log, input, [['4', 'a c']])
      await until(async () => (await latest(log, output)).get('a') === 4, 'counts after restore')
      assert.equal((await latest(log, output)).get('c'), 2)
      assert.equal(second.store<string, number>('counts').get('b'), 2)
      assert.ok(second.metrics().restoredRecords >= 3, `restored ${second.metrics().restoredRecords}`)
      await second.close()
    })
  }

  it('fails to start with a clear error when an input topic is missing', async () => {
    const id = unique('missing')
    const app = new StreamsApp(wordCount(`${id}-nope`, `${id}-out`), {
      applicationId: id,
      dataDir: join(dir, id),
      log,
      logger: silent,
    })
    await assert.rejects(app.start(), (err: unknown) => {
      assert.ok(isTributaryError(err, 'CONFIG'))
      assert.match(err.message, new RegExp(`input topic\\(s\\) ${id}-nope do not exist`))
      return true
    })
  })

  it('joins a stream with a table, re-keys and counts per 1-minute window, exactly-once', async () => {
    const id = unique('win-join')
    const [orders, users, output] = [`${id}-orders`, `${id}-users`, `${id}-out`]
    await log.admin.createTopics([
      { name: orders, partitions: 2 },
      { name: users, partitions: 2 },
      { name: output, partitions: 1 },
    ])
    const builder = new StreamsBuilder()
    const userTable = builder.table(users, { key: str, value: str }, { name: 'users-store' })
    builder
      .stream(orders, { key: str, value: num })
      .join(userTable, (amount, region) => ({ amount, region }))
      .groupBy((_user, o) => o.region, { key: str, value: Serdes.json<{ amount: number; region: string }>() })
      .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 0))
      .aggregate(
        () => 0,
        (_region, o, sum) => sum + o.amount,
        { name: 'revenue', value: num },
      )
      .toStream()
      .to(output, { key: WindowedSerdes.timeWindowed(str, 60_000), value: num })
    await send(log, users, [
      ['u1', 'eu'],
      ['u2', 'us'],
      ['u3', 'eu'],
    ])
    const app = new StreamsApp(builder.build(), {
      applicationId: id,
      dataDir: join(dir, id),
      log,
      processingGuarantee: 'exactly-once',
      commitIntervalMs: 50,
      logger: silent,
    })
    await app.start()
    await until(() => app.store('users-store').approximateNumEntries() === 3, 'users table loaded')
    const amount = (n: number) => num.serialize(n, orders)
    await send(
      log,
      orders,
      [
        ['u1', amount(10)],
        ['u2', amount(5)],
        ['u3', amount(1)],
        ['u1', amount(100)],
        ['u9', amount(7)], // no such user: dropped by the inner join
      ],
      [1_000, 2_000, 3_000, 61_000, 4_000],
    )
    const windowed = WindowedSerdes.timeWindowed(str, 60_000)
    const finals = async () => {
      const m = new Map<string, number>()
      for (const r of await readTopic(log, output)) {
        const w = windowed.deserialize(r.key!, output)
        m.set(`${w.key}@${w.window.start}`, num.deserialize(r.value!, output))
      }
      return m
    }
    await until(async () => (await finals()).size === 3, 'three windows')
    assert.deepEqual(Object.fromEntries(await finals()), { 'eu@0': 11, 'us@0': 5, 'eu@60000': 100 })
    const internal = (await log.admin.listTopics()).filter((t) => t.startsWith(id + '-') && t !== output)
    const described = await log.admin.describeTopics(internal.filter((t) => !t.endsWith('-dlq')))
    for (const d of described) {
      assert.equal(d.partitions, 2, `${d.name} has the inputs' partition count`)
      const policy = !d.name.endsWith('-changelog')
        ? 'delete'
        : d.name === `${id}-revenue-changelog`
          ? 'compact,delete'
          : 'compact'
      assert.equal(d.cleanupPolicy, policy, d.name)
    }
    assert.ok(described.some((d) => d.name.endsWith('-repartition')))
    // As Kafka Streams: the windowed store's changelog keeps window size + grace + 1 day.
    assert.deepEqual(Object.fromEntries(await describeTopicConfigs(brokers, `${id}-revenue-changelog`)), {
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(60_000 + 0 + 86_400_000),
    })
    await app.close()
  })

  it('dead-letters a bad record inside the transaction and keeps processing', async () => {
    const id = unique('dlq')
    const [input, output] = [`${id}-nums`, `${id}-out`]
    await log.admin.createTopics([
      { name: input, partitions: 1 },
      { name: output, partitions: 1 },
    ])
    const builder = new StreamsBuilder()
    builder.stream(input, { key: str, value: num }).to(output, { key: str, value: num })
    const app = new StreamsApp(builder.build(), {
      applicationId: id,
      dataDir: join(dir, id),
      log,
      processingGuarantee: 'exactly-once',
      commitIntervalMs: 50,
      logger: silent,
    })
    await app.start()
    await send(log, input, [
      ['bad', Buffer.from('x')],
      ['good', num.serialize(7, input)],
    ])
    await until(() => app.metrics().processed === 1 && app.metrics().deadLettered === 1, 'one of each')
    await app.close()
    const [dead] = await readTopic(log, `${id}-dlq`)
    assert.equal(dead?.key?.toString(), 'bad')
    assert.equal(dead?.headers[DLQ_HEADERS.topic]?.toString(), input)
    assert.equal(dead?.headers[DLQ_HEADERS.offset]?.toString(), '0')
    const [good] = await readTopic(log, output)
    assert.equal(num.deserialize(good!.value!, output), 7)
  })
})
