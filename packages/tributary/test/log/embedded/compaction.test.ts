import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { FaultyFs } from './faulty-fs.ts'
import { buf, FIRST_SEGMENT, tempDir, values } from './helpers.ts'

/** Lets the event loop turn (rounds sync their files on the thread pool) until `done` holds or
 *  a minute passed; resolves with the turns it took. */
async function turnsUntil(done: () => boolean): Promise<number> {
  const deadline = Date.now() + 60_000
  let turns = 0
  while (!done() && Date.now() < deadline) {
    await tick()
    turns++
  }
  return turns
}

describe('compaction', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  it('runs by itself once a compacted partition has grown', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 100 })
    log.sync.createTopic({ name: 'table', partitions: 1, cleanupPolicy: 'compact' })
    log.sync.createTopic({ name: 'stream', partitions: 1 })
    for (let round = 0; round < 10; round++) {
      const records = Array.from({ length: 100 }, (_, i) => ({
        key: buf(`k${i % 10}`),
        value: buf(`${round}-${i}`),
      }))
      log.sync.append(records.map((r) => ({ topic: 'table', ...r })))
      log.sync.append(records.map((r) => ({ topic: 'stream', ...r })))
      await tick()
    }
    await turnsUntil(() => values(log, 'table').length <= 110)
    assert.ok(values(log, 'table').length <= 110, 'older versions of each key are gone')
    assert.equal(values(log, 'stream').length, 1000, 'delete-policy topics are never compacted')
    await log.close()
  })

  it('compacts by itself in rounds, one a turn, when the keys do not fit in one', async () => {
    // A budget of 1 byte holds one key a round: 20 keys take 20 rounds.
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 50, compactBufferBytes: 1 })
    log.sync.createTopic({ name: 'table', partitions: 1, cleanupPolicy: 'compact' })
    const records = Array.from({ length: 200 }, (_, i) => ({ key: buf(`k${i % 20}`), value: buf(`${i}`) }))
    log.sync.append(records.map((r) => ({ topic: 'table', ...r })))
    const latest = records.slice(180).map((r) => r.value.toString())
    const turns = await turnsUntil(() => values(log, 'table').length <= 20)
    assert.deepEqual(values(log, 'table'), latest)
    assert.ok(turns >= 20, `${turns} turns`)
    await log.close()
  })

  it('writes nothing more in later rounds once a storage failure stopped the log', async () => {
    class CountingFs extends FaultyFs {
      writes = 0
      override writeSync(
        fd: number,
        buffer: Buffer,
        offset: number,
        length: number,
        position: number,
      ): number {
        this.writes++
        return super.writeSync(fd, buffer, offset, length, position)
      }
    }
    const fs = new CountingFs()
    const log = await EmbeddedLog.open({
      dataDir: tmp.dir,
      fs,
      compactAfterEntries: 50,
      compactBufferBytes: 1,
      onWarning: () => undefined,
    })
    log.sync.createTopic({ name: 'table', partitions: 1, cleanupPolicy: 'compact' })
    log.sync.createTopic({ name: 'stream', partitions: 1 })
    // Ten versions of each key in a row: every round (one key each) rewrites a segment.
    log.sync.append(
      Array.from({ length: 200 }, (_, i) => ({
        topic: 'table',
        key: buf(`k${Math.floor(i / 10)}`),
        value: buf(`${i}`),
      })),
    )
    await tick()
    await tick()
    fs.arm({ call: 'write', kind: 'EIO', nth: 1 })
    assert.throws(() => log.sync.append([{ topic: 'stream', key: null, value: buf('x') }]), { code: 'LOG' })
    const writes = fs.writes
    for (let turn = 0; turn < 30; turn++) await tick()
    assert.equal(fs.writes, writes, 'no round wrote after the failure')
    await log.close()
  })

  it('refuses a key budget that is not a positive number of bytes, naming the option', async () => {
    for (const compactBufferBytes of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(EmbeddedLog.open({ compactBufferBytes }), {
        code: 'CONFIG',
        message: `compactBufferBytes must be a positive integer (bytes), got ${compactBufferBytes}`,
      })
    }
  })

  it('never removes records of an open transaction or beyond the last stable offset', async () => {
    const log = await EmbeddedLog.open({ compactAfterEntries: 0 })
    log.sync.createTopic({ name: 'table', partitions: 1, cleanupPolicy: 'compact' })
    const k = (value: string) => ({ topic: 'table', partition: 0, key: buf('k'), value: buf(value) })
    log.sync.append([k('old')])
    const producer = await log.producer({ transactionalId: 'tx' })
    await producer.beginTransaction()
    await producer.send([k('in-txn')])
    log.sync.append([k('later')])
    assert.equal(await log.compact('table'), 0)
    assert.deepEqual(values(log, 'table', 0, 'read_uncommitted'), ['old', 'in-txn', 'later'])
    await producer.abortTransaction()
    assert.ok((await log.compact('table')) >= 2)
    assert.deepEqual(values(log, 'table', 0, 'read_committed'), ['later'])
    assert.deepEqual(values(log, 'table', 0, 'read_uncommitted'), ['later'])
    await log.close()
  })

  it('survives a crash during compaction: a half-written replacement is ignored', async () => {
    const first = await EmbeddedLog.open({ dataDir: tmp.dir })
    first.sync.createTopic({ name: 'table', partitions: 1, cleanupPolicy: 'compact' })
    first.sync.append(['a', 'b', 'c'].map((v) => ({ topic: 'table', key: buf('k'), value: buf(v) })))
    await first.close()
    writeFileSync(join(tmp.dir, 'topics', 'table', '0', `${FIRST_SEGMENT}.tmp`), 'half a compacted fi')
    const second = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(values(second, 'table'), ['a', 'b', 'c'])
    await second.compact('table')
    await second.close()
    const third = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(
      third.sync.read({ topic: 'table', partition: 0 }, 0, 10).map((r) => [r.offset, r.value?.toString()]),
      [[2, 'c']],
    )
    await third.close()
  })

  it('turns kept committed transactional records into plain ones that survive reopening', async () => {
    const first = await EmbeddedLog.open({ dataDir: tmp.dir })
    first.sync.createTopic({ name: 'table', partitions: 1, cleanupPolicy: 'compact' })
    const producer = await first.producer({ transactionalId: 'tx' })
    await producer.beginTransaction()
    await producer.send([{ topic: 'table', key: buf('k1'), value: buf('v1') }])
    await producer.commitTransaction()
    first.sync.append([{ topic: 'table', key: buf('k2'), value: buf('v2') }])
    await first.compact('table')
    await first.close()
    const second = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(values(second, 'table', 0, 'read_committed'), ['v1', 'v2'])
    await second.close()
  })

  describe('of compact,delete topics (windowed changelogs)', () => {
    // Each window is a key of its own, updated a few times and then never again.
    const updates = (windows: number[]) =>
      windows.flatMap((w) =>
        [1, 2, 3, 4].map((n) => ({
          topic: 'windows',
          partition: 0,
          key: buf(`w${w}`),
          value: buf(`${w}.${n}`),
        })),
      )
    const latest = (log: EmbeddedLog): Record<string, string> =>
      Object.fromEntries(
        log.sync
          .read({ topic: 'windows', partition: 0 }, 0, 1000)
          .map((r) => [r.key!.toString(), r.value!.toString()]),
      )
    const open = async () => {
      const log = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
      const config = { segmentBytes: 400, segmentMs: 150, retentionMs: 300 }
      await log.admin.createTopics([
        { name: 'windows', partitions: 1, cleanupPolicy: 'compact,delete', ...config },
      ])
      return log
    }
    const recent = { w5: '5.4', w6: '6.4', w7: '7.4', w8: '8.4', w9: '9.4' }

    it('keeps old records in segments of their own when compacting, so time retention deletes them', async () => {
      const log = await open()
      log.sync.append(updates([0, 1, 2, 3, 4]))
      await log.compact('windows')
      await sleep(400)
      log.sync.append(updates([5, 6, 7, 8, 9]))
      assert.ok((await log.compact('windows')) >= 10, 'superseded updates are removed')
      await log.enforceRetention()
      assert.deepEqual(latest(log), recent, 'the expired windows are gone, the recent ones compacted')
      assert.ok(values(log, 'windows').length < 10, values(log, 'windows').join(' '))
      await log.close()
    })

    it('keeps the age of the records it rewrites, also across a restart', async () => {
      const first = await open()
      first.sync.append(updates([0, 1, 2, 3, 4]))
      await sleep(400)
      first.sync.append(updates([5, 6, 7, 8, 9]))
      await first.compact('windows') // rewrites the old segments now
      await first.close()
      const second = await EmbeddedLog.open({ dataDir: tmp.dir })
      await second.enforceRetention()
      assert.deepEqual(latest(second), recent)
      await second.close()
    })

    it('never makes an aborted record visible when it ends a rewritten segment', async () => {
      const first = await open()
      const producer = await first.producer({ transactionalId: 'tx' })
      await producer.beginTransaction()
      await producer.send([{ topic: 'windows', partition: 0, key: buf('w0'), value: buf('aborted') }])
      await sleep(200) // its abort marker starts a new segment (segment.ms)
      await producer.abortTransaction()
      first.sync.append(updates([1]))
      await first.compact('windows')
      assert.deepEqual(values(first, 'windows', 0, 'read_uncommitted'), ['1.4'])
      await first.close()
      const second = await EmbeddedLog.open({ dataDir: tmp.dir })
      assert.deepEqual(values(second, 'windows', 0, 'read_committed'), ['1.4'])
      assert.deepEqual(values(second, 'windows', 0, 'read_uncommitted'), ['1.4'])
      const tp = { topic: 'windows', partition: 0 }
      const [stable] = await second.admin.endOffsets([tp], 'read_committed')
      const [end] = await second.admin.endOffsets([tp])
      assert.equal(stable!.offset, end!.offset, 'no transaction is left open')
      await second.close()
    })
  })

  describe('of tombstones (delete.retention.ms)', () => {
    const DAY = 24 * 3600_000
    beforeEach(() => mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) }))
    afterEach(() => mock.timers.reset())
    const k = (key: string, value: string | null) => ({
      topic: 'table',
      partition: 0,
      key: buf(key),
      value: value === null ? null : buf(value),
    })
    const rows = (log: EmbeddedLog) =>
      log.sync
        .read({ topic: 'table', partition: 0 }, 0, 100, 'read_committed')
        .map((r) => `${r.key!.toString()}=${r.value?.toString() ?? 'null'}`)
    const open = async (deleteRetentionMs?: number) => {
      const log = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
      log.sync.createTopic({
        name: 'table',
        partitions: 1,
        cleanupPolicy: 'compact',
        ...(deleteRetentionMs === undefined ? {} : { deleteRetentionMs }),
      })
      return log
    }

    it('keeps a tombstone for delete.retention.ms after the compaction that first cleaned it, then removes it', async () => {
      const log = await open(1000)
      log.sync.append([k('a', '1'), k('a', null), k('b', '2')])
      mock.timers.tick(5000) // written long ago: the time counts from its first clean
      await log.compact('table')
      assert.deepEqual(rows(log), ['a=null', 'b=2'], 'the first clean keeps it, removing the older value')
      mock.timers.tick(999)
      await log.compact('table')
      assert.deepEqual(rows(log), ['a=null', 'b=2'], 'kept until delete.retention.ms has passed')
      mock.timers.tick(1)
      assert.equal(await log.compact('table'), 1, 'removed by the next compaction, with nothing else dirty')
      assert.deepEqual(rows(log), ['b=2'])
      await log.close()
    })

    it("uses Kafka's default of one day, and the log's topicDefaults", async () => {
      const log = await open()
      log.sync.append([k('a', null)])
      await log.compact('table')
      mock.timers.tick(DAY - 1)
      await log.compact('table')
      assert.deepEqual(rows(log), ['a=null'])
      mock.timers.tick(1)
      await log.compact('table')
      assert.deepEqual(rows(log), [])
      await log.close()
      const short = await EmbeddedLog.open({
        compactAfterEntries: 0,
        topicDefaults: { deleteRetentionMs: 10 },
      })
      short.sync.createTopic({ name: 'table', partitions: 1, cleanupPolicy: 'compact' })
      short.sync.append([k('a', null)])
      await short.compact('table')
      mock.timers.tick(10)
      await short.compact('table')
      assert.deepEqual(rows(short), [])
      await short.close()
    })

    it('removes a committed transactional tombstone the same way; an aborted one deletes nothing', async () => {
      const log = await open(1000)
      log.sync.append([k('a', '1'), k('b', '2')])
      const producer = await log.producer({ transactionalId: 'tx' })
      await producer.beginTransaction()
      await producer.send([k('a', null)])
      await producer.commitTransaction()
      await producer.beginTransaction()
      await producer.send([k('b', null)])
      await producer.abortTransaction()
      await log.compact('table')
      assert.deepEqual(rows(log), ['b=2', 'a=null'])
      mock.timers.tick(1000)
      await log.compact('table')
      assert.deepEqual(rows(log), ['b=2'])
      await log.close()
    })

    it('keeps a tombstone that a later compaction cleans first for its own delete.retention.ms', async () => {
      const log = await open(1000)
      log.sync.append([k('a', null)])
      await log.compact('table')
      mock.timers.tick(600)
      log.sync.append([k('b', '1'), k('b', null)])
      await log.compact('table')
      mock.timers.tick(400)
      await log.compact('table')
      assert.deepEqual(rows(log), ['b=null'], 'a, cleaned 1000 ms ago, goes; b, cleaned 400 ms ago, stays')
      mock.timers.tick(600)
      await log.compact('table')
      assert.deepEqual(rows(log), [])
      await log.close()
    })

    it('reads an idle partition again only when a tombstone it kept may be due', async () => {
      const fs = new FaultyFs() // counts reads
      // More records written than a partition caches (1000 at least): compaction reads the older
      // ones from the segment files.
      const log = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0, cacheRecords: 10, fs })
      log.sync.createTopic({
        name: 'table',
        partitions: 1,
        cleanupPolicy: 'compact',
        segmentBytes: 400,
        deleteRetentionMs: 1000,
      })
      log.sync.append(Array.from({ length: 1200 }, (_, i) => k(`k${i}`, 'v')))
      log.sync.append([k('k0', null)])
      const reads = async (): Promise<number> => {
        const before = fs.calls.read
        await log.compact('table')
        return fs.calls.read - before
      }
      assert.ok((await reads()) > 0, 'the first compaction reads the partition')
      mock.timers.tick(999)
      assert.equal(await reads(), 0, 'nothing dirty, the tombstone not due: nothing read')
      mock.timers.tick(1)
      assert.ok((await reads()) > 0, 'the tombstone is due: the partition is read')
      const left = log.sync.read({ topic: 'table', partition: 0 }, 0, 2000)
      assert.deepEqual([left.length, left[0]!.key!.toString()], [1199, 'k1'], 'and the tombstone removed')
      for (const ms of [1, 1000, DAY]) {
        mock.timers.tick(ms)
        assert.equal(await reads(), 0, `no tombstone left, nothing dirty: nothing read (${ms} ms later)`)
      }
      await log.close()
    })

    it('refuses a delete.retention.ms that Kafka would refuse, naming the key', async () => {
      const log = await EmbeddedLog.open()
      for (const deleteRetentionMs of [-1, 1.5])
        await assert.rejects(log.admin.createTopics([{ name: 't', partitions: 1, deleteRetentionMs }]), {
          code: 'CONFIG',
          message: `topic t: deleteRetentionMs (delete.retention.ms) must be an integer >= 0, got ${deleteRetentionMs}`,
        })
      await log.close()
    })
  })
})
