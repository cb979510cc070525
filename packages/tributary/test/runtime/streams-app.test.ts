import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  EmbeddedLog,
  Serdes,
  StreamsApp,
  StreamsBuilder,
  isTributaryError,
  type Log,
} from 'tributary-streams'

const str = Serdes.string()
const num = Serdes.number()

function wordCount() {
  const builder = new StreamsBuilder()
  builder
    .stream('lines', { key: str, value: str })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, { key: str, value: str })
    .count({ name: 'counts' })
    .toStream()
    .to('counts-out', { key: str, value: num })
  return builder.build()
}

async function send(log: Log, topic: string, entries: Array<[string, string | Buffer]>): Promise<void> {
  const producer = await log.producer()
  await producer.send(
    entries.map(([k, v]) => ({
      topic,
      key: Buffer.from(k),
      value: typeof v === 'string' ? Buffer.from(v) : v,
    })),
  )
  await producer.close()
}

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('StreamsApp on the embedded log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-app-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  for (const guarantee of ['at-least-once', 'exactly-once'] as const) {
    it(`counts words ${guarantee} and keeps the counts across a restart`, async () => {
      const dataDir = join(dir, guarantee)
      const log = await EmbeddedLog.open({ dataDir: join(dataDir, 'log') })
      await log.admin.createTopics([
        { name: 'lines', partitions: 2 },
        { name: 'counts-out', partitions: 2 },
      ])
      const config = {
        applicationId: 'wc',
        dataDir,
        log,
        processingGuarantee: guarantee,
        commitIntervalMs: 20,
      }
      const first = new StreamsApp(wordCount(), config)
      await first.start()
      await send(log, 'lines', [
        ['1', 'a b a'],
        ['2', 'b c'],
      ])
      await until(() => first.store<string, number>('counts').get('a') === 2, 'first counts')
      await first.close()
      assert.equal(first.state, 'closed')

      const second = new StreamsApp(wordCount(), config)
      await second.start()
      await send(log, 'lines', [['3', 'a']])
      await until(() => second.store<string, number>('counts').get('a') === 3, 'counts after restart')
      assert.equal(second.store<string, number>('counts').get('b'), 2)
      assert.ok(second.metrics().restoredRecords >= 0)
      await second.close()
      const topics = await log.admin.listTopics()
      assert.ok(
        topics.includes('wc-counts-changelog') && topics.includes('wc-counts-repartition'),
        topics.join(','),
      )
      const [changelog] = await log.admin.describeTopics(['wc-counts-changelog'])
      assert.equal(changelog!.cleanupPolicy, 'compact')
      await log.close()
    })
  }

  it('fails to start with a clear error when an input topic is missing', async () => {
    const log = await EmbeddedLog.open()
    const app = new StreamsApp(wordCount(), { applicationId: 'missing', dataDir: join(dir, 'missing'), log })
    await assert.rejects(app.start(), /input topic\(s\) lines do not exist/)
    await log.close()
  })

  it('names the setting and the fix for an invalid config', () => {
    assert.throws(
      () => new StreamsApp(wordCount(), { applicationId: 'bad id!', commitIntervalMs: 0 }),
      (err: unknown) => isTributaryError(err, 'CONFIG') && /applicationId/.test((err as Error).message),
    )
  })

  it('stops on a bad record under the fail policy, naming topic, partition and offset', async () => {
    const log = await EmbeddedLog.open()
    await log.admin.createTopics([
      { name: 'nums', partitions: 1 },
      { name: 'out', partitions: 1 },
    ])
    const builder = new StreamsBuilder()
    builder.stream('nums', { key: str, value: num }).to('out')
    const app = new StreamsApp(builder.build(), {
      applicationId: 'strict',
      dataDir: join(dir, 'strict'),
      log,
      deserializationErrors: 'fail',
    })
    await app.start()
    await send(log, 'nums', [['k', Buffer.from('not eight bytes')]])
    await assert.rejects(app.done, /deserialization failed for nums-0 at offset 0/)
    assert.equal(app.state, 'failed')
    await log.close()
  })

  it('dead-letters a bad record by default and keeps processing', async () => {
    const log = await EmbeddedLog.open()
    await log.admin.createTopics([
      { name: 'nums', partitions: 1 },
      { name: 'out', partitions: 1 },
    ])
    const builder = new StreamsBuilder()
    builder.stream('nums', { key: str, value: num }).to('out', { key: str, value: num })
    const app = new StreamsApp(builder.build(), {
      applicationId: 'lenient',
      dataDir: join(dir, 'lenient'),
      log,
      commitIntervalMs: 20,
    })
    await app.start()
    await send(log, 'nums', [
      ['bad', Buffer.from('x')],
      ['good', num.serialize(7, 'nums')],
    ])
    await until(
      () => app.metrics().processed === 1 && app.metrics().deadLettered === 1,
      'one processed, one dead-lettered',
    )
    await app.close()
    const consumer = await log.consumer({ groupId: 'check' })
    await consumer.assign([{ topic: 'lenient-dlq', partition: 0 }])
    const [dead] = await consumer.poll({ timeoutMs: 1000 })
    assert.equal(dead?.key?.toString(), 'bad')
    assert.equal(dead?.headers['tributary.dlq.topic']?.toString(), 'nums')
    await log.close()
  })
})
