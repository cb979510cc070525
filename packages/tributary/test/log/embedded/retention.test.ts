import assert from 'node:assert/strict'
import { readdirSync, renameSync, rmdirSync, statSync } from 'node:fs'
import { setTimeout } from 'node:timers/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, FIRST_SEGMENT, tempDir, values } from './helpers.ts'

const DAY = 24 * 3600_000

/** Bytes of the files under `dir`. */
function du(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => statSync(join(dir, name)))
    .reduce((sum, stat) => sum + (stat.isFile() ? stat.size : 0), 0)
}

describe('retention on the embedded log', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  const segments = (topic: string, partition = 0): string[] =>
    readdirSync(join(tmp.dir, 'topics', topic, String(partition)))
      .filter((n) => n.endsWith('.log'))
      .sort()
  const send = (log: EmbeddedLog, topic: string, from: number, count: number, timestamp?: number): void => {
    log.sync.append(
      Array.from({ length: count }, (_, i) => ({
        topic,
        partition: 0,
        key: null,
        value: buf(`v${from + i}`.padEnd(40, '.')),
        ...(timestamp === undefined ? {} : { timestamp }),
      })),
    )
  }
  const start = async (log: EmbeddedLog, topic: string): Promise<number> =>
    (await log.admin.beginningOffsets([{ topic, partition: 0 }]))[0]!.offset

  it('rolls segments named by base offset and deletes the oldest whole ones beyond retention.bytes', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([{ name: 't', partitions: 1, segmentBytes: 1000, retentionBytes: 3000 }])
    for (let i = 0; i < 100; i += 10) send(log, 't', i, 10)
    const before = segments('t')
    assert.ok(before.length >= 5, `segments rolled: ${before}`)
    assert.equal(before[0], FIRST_SEGMENT)
    assert.ok(before.every((name) => /^\d{20}\.log$/.test(name)))
    await log.enforceRetention()
    const after = segments('t')
    const first = Number(after[0]!.slice(0, 20))
    assert.ok(after.length < before.length && first > 0, `old segments deleted: ${after}`)
    assert.equal(await start(log, 't'), first, 'the log start offset moved to the first kept segment')
    assert.equal(values(log, 't').length, 100 - first, 'every record from the start on is there')
    assert.ok(after.length >= 3, 'at least retention.bytes is kept')
    await log.close()

    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.equal(await start(reopened, 't'), first, 'the log start offset is durable')
    assert.equal(values(reopened, 't')[0], `v${first}`.padEnd(40, '.'))
    await reopened.close()
  })

  it('deletes segments older than retention.ms, the active one too, and keeps the high watermark', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([
      { name: 't', partitions: 1, segmentBytes: 1000, retentionMs: 300 },
      { name: 'old', partitions: 1, retentionMs: 300 },
    ])
    send(log, 't', 0, 40)
    send(log, 'old', 0, 5)
    await setTimeout(400)
    send(log, 't', 40, 20)
    await log.enforceRetention()
    const first = await start(log, 't')
    assert.ok(first > 0 && first <= 40, `old segments deleted, recent ones kept: start ${first}`)
    assert.ok(values(log, 't').includes('v40'.padEnd(40, '.')))
    assert.equal(await start(log, 'old'), 5, 'an expired active segment is rolled and deleted')
    assert.deepEqual(segments('old'), ['00000000000000000005.log'])
    assert.deepEqual(values(log, 'old'), [])
    await log.close()
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    const [end] = await reopened.admin.endOffsets([{ topic: 'old', partition: 0 }])
    assert.equal(end!.offset, 5, 'offsets continue where they were')
    await reopened.close()
  })

  it('never deletes a record sooner than retention.ms after it was written, whatever its timestamp', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([{ name: 't', partitions: 1, segmentBytes: 300, retentionMs: DAY }])
    send(log, 't', 0, 30, Date.now() - 30 * DAY)
    await log.enforceRetention()
    assert.equal(await start(log, 't'), 0, 'a replay of old records is kept')
    await log.close()
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    await reopened.enforceRetention()
    assert.equal(await start(reopened, 't'), 0, 'and still after a restart (file times count)')
    await reopened.close()
  })

  it('keeps everything with retention.ms -1, and compacted topics are never deleted by time', async () => {
    const log = await EmbeddedLog.open({
      dataDir: tmp.dir,
      topicDefaults: { retentionMs: 200, segmentBytes: 500 },
    })
    await log.admin.createTopics([
      { name: 'forever', partitions: 1, retentionMs: -1 },
      { name: 'table', partitions: 1, cleanupPolicy: 'compact' },
      { name: 'both', partitions: 1, cleanupPolicy: 'compact,delete' },
    ])
    for (const topic of ['forever', 'table', 'both']) send(log, topic, 0, 30)
    await setTimeout(300)
    await log.enforceRetention()
    assert.equal(await start(log, 'forever'), 0)
    assert.equal(await start(log, 'table'), 0)
    assert.equal(await start(log, 'both'), 30)
    await log.close()
  })

  it('keeps an open transaction and what follows it', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([{ name: 't', partitions: 1, segmentBytes: 300, retentionMs: 200 }])
    const producer = await log.producer({ transactionalId: 'tx' })
    await producer.beginTransaction()
    await producer.send([{ topic: 't', partition: 0, key: null, value: buf('in-txn') }])
    send(log, 't', 0, 20)
    await setTimeout(300)
    await log.enforceRetention()
    assert.equal(await start(log, 't'), 0, 'nothing at or after the last stable offset goes')
    await producer.commitTransaction()
    await log.enforceRetention()
    assert.ok((await start(log, 't')) > 0)
    await log.close()
  })

  it('bounds the disk use of a long run of small records (retention by itself, on its timer)', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, retentionCheckIntervalMs: 50 })
    await log.admin.createTopics([{ name: 't', partitions: 1, segmentBytes: 16 * 1024, retentionMs: 200 }])
    let largest = 0
    // At most 100 records of ~100 bytes per 20 ms (slower on a busy machine): ~1 MB in 2 s, of
    // which retention keeps ~200 ms plus the segments not yet due.
    for (let tick = 0; tick < 100; tick++) {
      send(log, 't', tick * 100, 100)
      await setTimeout(20)
      largest = Math.max(largest, du(tmp.dir))
    }
    const first = await start(log, 't')
    await log.close()
    assert.ok(first > 5000, `the log start offset advanced: ${first}`)
    assert.ok(largest < 400 * 1024, `the data directory stayed under 400 KiB: at most ${largest} bytes`)
  })

  it('opens a data directory of the single-file format and moves each file into place', async () => {
    const first = await EmbeddedLog.open({ dataDir: tmp.dir })
    await first.admin.createTopics([{ name: 't', partitions: 2 }])
    send(first, 't', 0, 5)
    await first.close()
    for (const p of ['0', '1']) {
      renameSync(join(tmp.dir, 'topics', 't', p, FIRST_SEGMENT), join(tmp.dir, 'topics', 't', `${p}.log`))
      rmdirSync(join(tmp.dir, 'topics', 't', p))
    }
    const second = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.equal(values(second, 't').length, 5)
    send(second, 't', 5, 1)
    await second.close()
    assert.deepEqual(readdirSync(join(tmp.dir, 'topics', 't')).sort(), ['0', '1'])
    const third = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.equal(values(third, 't').length, 6)
    await third.close()
  })

  it('refuses bad settings naming the key', async () => {
    const log = await EmbeddedLog.open()
    await assert.rejects(
      log.admin.createTopics([{ name: 't', partitions: 1, segmentBytes: 0 }]),
      /segmentBytes \(segment\.bytes\)/,
    )
    await assert.rejects(
      log.admin.createTopics([{ name: 't', partitions: 1, retentionMs: -2 }]),
      /retentionMs \(retention\.ms\)/,
    )
    assert.throws(
      () => EmbeddedLog.openSync({ topicDefaults: { retentionBytes: 1.5 } }),
      /topicDefaults: retentionBytes/,
    )
    await log.close()
  })
})
