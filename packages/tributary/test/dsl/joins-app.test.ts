import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  EmbeddedLog,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  isTributaryError,
  type Log,
} from 'tributary-streams'
import { withTempDir } from '../state/temp-dir.ts'

const str = Serdes.string()
const silent = { debug() {}, info() {}, warn() {}, error() {} }

const send = async (log: Log, topic: string, entries: Array<[string, string | null]>): Promise<void> => {
  const producer = await log.producer()
  await producer.send(
    entries.map(([k, v]) => ({
      topic,
      key: str.serialize(k, topic),
      value: v === null ? null : str.serialize(v, topic),
    })),
  )
  await producer.close()
}

/** Reads `count` records of `topic` (all partitions) as [key, value] pairs, sorted. */
const readOutput = async (log: Log, topic: string, count: number): Promise<Array<[string, string]>> => {
  const consumer = await log.consumer({ groupId: `reader-${topic}` })
  await consumer.subscribe([topic])
  const out: Array<[string, string]> = []
  const deadline = Date.now() + 10_000
  while (out.length < count && Date.now() < deadline) {
    for (const r of await consumer.poll({ timeoutMs: 200 }))
      out.push([str.deserialize(r.key!, topic), str.deserialize(r.value!, topic)])
  }
  await consumer.close()
  return out.sort()
}

const waitFor = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('joins in a StreamsApp', () => {
  it('joins a stream with a table over co-partitioned 2-partition topics', async () => {
    await withTempDir(async (dataDir) => {
      const log = await EmbeddedLog.open()
      await log.admin.createTopics([
        { name: 'users', partitions: 2 },
        { name: 'orders', partitions: 2 },
        { name: 'out', partitions: 2 },
      ])
      const builder = new StreamsBuilder()
      const users = builder.table('users', { key: str, value: str }, { name: 'users-store' })
      builder
        .stream('orders', { key: str, value: str })
        .join(users, (order, region) => `${order}@${region}`)
        .to('out', { key: str, value: str })
      await send(log, 'users', [
        ['u1', 'eu'],
        ['u2', 'us'],
        ['u3', 'apac'],
      ])
      const app = new StreamsApp(builder.build(), { applicationId: 'st-join', dataDir, log, logger: silent })
      await app.start()
      await waitFor(() => app.store('users-store').approximateNumEntries() === 3)
      await send(log, 'orders', [
        ['u1', 'o1'],
        ['u2', 'o2'],
        ['u3', 'o3'],
        ['u4', 'o4'], // no such user: dropped
      ])
      assert.deepEqual(await readOutput(log, 'out', 3), [
        ['u1', 'o1@eu'],
        ['u2', 'o2@us'],
        ['u3', 'o3@apac'],
      ])
      assert.equal(app.metrics().tasks, 2)
      await app.close()
      await log.close()
    })
  })

  it('refuses to start when joined topics have different partition counts, naming them', async () => {
    await withTempDir(async (dataDir) => {
      const log = await EmbeddedLog.open()
      await log.admin.createTopics([
        { name: 'users', partitions: 3 },
        { name: 'orders', partitions: 2 },
      ])
      const builder = new StreamsBuilder()
      const users = builder.table('users', { key: str, value: str })
      builder
        .stream('orders', { key: str, value: str })
        .join(users, (order, region) => `${order}@${region}`)
        .to('out', { key: str, value: str })
      const app = new StreamsApp(builder.build(), { applicationId: 'bad-join', dataDir, log, logger: silent })
      await assert.rejects(app.start(), (err) => {
        assert.ok(isTributaryError(err, 'TOPOLOGY'))
        assert.match(err.message, /orders \(2 partitions\), users \(3 partitions\)/)
        return true
      })
      await log.close()
    })
  })

  it('restores a global table from all partitions before processing and follows its updates', async () => {
    await withTempDir(async (dataDir) => {
      const log = await EmbeddedLog.open()
      await log.admin.createTopics([
        { name: 'regions', partitions: 2 },
        { name: 'orders', partitions: 3 },
        { name: 'out', partitions: 1 },
      ])
      await send(log, 'regions', [
        ['u1', 'eu'],
        ['u2', 'us'],
        ['u3', 'apac'],
        ['u3', null], // deleted before start
      ])
      const builder = new StreamsBuilder()
      const regions = builder.globalTable('regions', { key: str, value: str }, { name: 'regions-store' })
      builder
        .stream('orders', { key: str, value: str })
        .leftJoin(
          regions,
          (_k, user) => user,
          (user, region) => `${user}@${region}`,
        )
        .to('out', { key: str, value: str })
      const app = new StreamsApp(builder.build(), { applicationId: 'gt-join', dataDir, log, logger: silent })
      await app.start()
      await send(log, 'orders', [
        ['o1', 'u1'],
        ['o2', 'u2'],
        ['o3', 'u3'],
      ])
      assert.deepEqual(await readOutput(log, 'out', 3), [
        ['o1', 'u1@eu'],
        ['o2', 'u2@us'],
        ['o3', 'u3@null'],
      ])
      await send(log, 'regions', [['u3', 'latam']])
      await new Promise((r) => setTimeout(r, 300)) // the main loop polls the global topic
      await send(log, 'orders', [['o4', 'u3']])
      const all = await readOutput(log, 'out', 4)
      assert.ok(
        all.some(([k, v]) => k === 'o4' && v === 'u3@latam'),
        JSON.stringify(all),
      )
      await app.close()
      await log.close()
    })
  })

  it('runs a foreign-key join, sizing its internal topics from each side', async () => {
    await withTempDir(async (dataDir) => {
      const log = await EmbeddedLog.open()
      await log.admin.createTopics([
        { name: 'orders', partitions: 2 },
        { name: 'products', partitions: 3 },
        { name: 'out', partitions: 1 },
      ])
      const builder = new StreamsBuilder()
      const orders = builder.table('orders', { key: str, value: str }, { persistent: false })
      const products = builder.table('products', { key: str, value: str }, { persistent: false })
      orders
        .join(
          products,
          (product) => product,
          (product, name) => `${product}:${name}`,
          { name: 'fk-result', value: str, persistent: false },
        )
        .toStream()
        .to('out', { key: str, value: str })
      await send(log, 'products', [
        ['p1', 'apple'],
        ['p2', 'pear'],
      ])
      const app = new StreamsApp(builder.build(), { applicationId: 'fk-join', dataDir, log, logger: silent })
      await app.start()
      await send(log, 'orders', [
        ['o1', 'p1'],
        ['o2', 'p2'],
        ['o3', 'p1'],
      ])
      assert.deepEqual(await readOutput(log, 'out', 3), [
        ['o1', 'p1:apple'],
        ['o2', 'p2:pear'],
        ['o3', 'p1:apple'],
      ])
      const topics = await log.admin.describeTopics(
        (await log.admin.listTopics()).filter((t) => t.endsWith('-topic')),
      )
      assert.deepEqual(
        topics.map((t) => [t.name.replace(/.*(registration|response).*/, '$1'), t.partitions]).sort(),
        [
          ['registration', 3],
          ['response', 2],
        ],
      )
      await app.close()
      await log.close()
    })
  })
})
