import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setImmediate as tick } from 'node:timers/promises'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { assertModel, bounds, expected, rows, TOPIC, writeRandom, type Row } from './compaction-model.ts'
import { buf, tempDir } from './helpers.ts'
import { PassThroughFs } from './pass-through-fs.ts'
import type { StorageFs } from '../../../src/log/embedded/storage-fs.ts'
import { readCheckpoint } from '../../../src/log/embedded/cleaner-checkpoint-file.ts'

const tp = { topic: TOPIC, partition: 0 }

/** `count` updates of `keys` keys, in small segments: a compaction of many groups, each of which
 *  it syncs off the event loop before installing it (so it yields whatever the machine's speed). */
async function manyGroups(
  dir: string | undefined,
  count = 6000,
  keys = 50,
  fs?: StorageFs,
): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open({
    ...(dir === undefined ? {} : { dataDir: dir }),
    ...(fs === undefined ? {} : { fs }),
    compactAfterEntries: 0,
  })
  log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact', segmentBytes: 2048 })
  for (let i = 0; i < count; i += 100)
    log.sync.append(
      Array.from({ length: 100 }, (_, j) => ({
        ...tp,
        key: buf(`k${(i + j) % keys}`),
        value: buf(`${i + j}`),
      })),
    )
  return log
}

const serialized = (r: Row): string => JSON.stringify(r)

/** Of manyGroups' default log, reopened: every key's latest value survived, and a compaction then
 *  keeps one record per key; closes the log. */
async function assertLatestKeptAndCloses(reopened: EmbeddedLog): Promise<void> {
  const latest = new Map(reopened.sync.read(tp, 0, 1e6).map((r) => [r.key!.toString(), r.value!.toString()]))
  for (let k = 0; k < 50; k++) assert.equal(latest.get(`k${k}`), String(5950 + k), `the latest of k${k}`)
  await reopened.compact(TOPIC)
  assert.equal(reopened.sync.read(tp, 0, 1e6).length, 50)
  await reopened.close()
}

/** Holds the sync of the first new segment file a compaction writes (`<segment>.tmp`) until
 *  `release`. */
class HeldSyncFs extends PassThroughFs {
  held: string | null = null
  release: () => void = () => undefined
  private readonly paths = new Map<number, string>()

  override openSync(path: string, flags: number | string): number {
    const fd = super.openSync(path, flags)
    this.paths.set(fd, path)
    return fd
  }

  override fdatasync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void {
    const path = this.paths.get(fd) ?? ''
    if (this.held !== null || !/\d{20}\.log\.tmp$/.test(path)) return super.fdatasync(fd, done)
    this.held = path
    this.release = () => super.fdatasync(fd, done)
  }
}

describe('compaction in slices', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  it('lets appends, reads and commits run between its slices', async () => {
    const log = await manyGroups(tmp.dir)
    const consumer = await log.consumer({ groupId: 'g' })
    let done = false
    const compaction = log.compact(TOPIC).finally(() => (done = true))
    let turns = 0
    while (!done) {
      await tick()
      if (done) break
      turns++
      const [offset] = log.sync
        .append([{ ...tp, key: buf(`new${turns}`), value: buf('x') }])
        .map((m) => m.offset)
      assert.ok(log.sync.read(tp, offset!, 1).length === 1, 'a record appended meanwhile is readable at once')
      await consumer.commit([{ ...tp, offset: offset! }])
    }
    assert.ok((await compaction) > 0)
    assert.ok(turns >= 3, `${turns} turns of other work ran during the compaction`)
    const latest = new Map(log.sync.read(tp, 0, 1e6).map((r) => [r.key!.toString(), r.value!.toString()]))
    assert.equal(latest.size, 50 + turns, 'every key, also those appended meanwhile')
    assert.equal(latest.get('k0'), '5950')
    await consumer.close()
    await log.close()
  })

  for (const waits of [0, 1, 3, 10]) {
    it(`stops at its next slice when the log closes, leaving a consistent log (closed after ${waits} turns)`, async () => {
      const log = await manyGroups(tmp.dir)
      const before = new Set(
        log.sync.read(tp, 0, 1e6).map((r) => serialized([r.offset, r.key!.toString(), r.value!.toString()])),
      )
      const compaction = log.compact(TOPIC)
      for (let i = 0; i < waits; i++) await tick()
      await log.close()
      if (waits === 0) await assert.rejects(compaction, { code: 'CLOSED' })
      else await compaction.catch((err: { code?: string }) => assert.equal(err.code, 'CLOSED'))
      const reopened = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
      const got = reopened.sync
        .read(tp, 0, 1e6)
        .map((r) => serialized([r.offset, r.key!.toString(), r.value!.toString()]))
      for (const row of got) assert.ok(before.has(row), `a record appeared: ${row}`)
      await assertLatestKeptAndCloses(reopened)
    })
  }

  it('plans again when deleteRecordsBefore moves the log start under it', async () => {
    const log = await manyGroups(tmp.dir)
    const compaction = log.compact(TOPIC)
    await tick()
    await log.admin.deleteRecordsBefore!([{ ...tp, offset: 5970 }])
    await compaction
    const [start] = await bounds(log)
    assert.equal(start, 5970)
    assert.deepEqual(
      log.sync.read(tp, 0, 1e6).map((r) => r.value!.toString()),
      Array.from({ length: 30 }, (_, i) => String(5970 + i)),
    )
    await log.close()
  })

  it('leaves the checkpoint where it was when a round stops after installing some of its groups', async () => {
    // Half the records have keys of their own, half the key `hot`: the first group's install
    // removes the superseded `hot` records of its segments (5950 records remain readable).
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
    log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact', segmentBytes: 2048 })
    for (let i = 0; i < 6000; i += 100)
      log.sync.append(
        Array.from({ length: 100 }, (_, j) => ({
          ...tp,
          key: buf((i + j) % 2 === 0 ? `u${i + j}` : 'hot'),
          value: buf(`${i + j}`),
        })),
      )
    const count = (): number => log.sync.read(tp, 0, 1e6).length
    let done = false
    const compaction = log.compact(TOPIC).finally(() => (done = true))
    while (!done && count() === 6000) await tick()
    assert.equal(done, false, 'the round was still running after installing its first group')
    assert.ok(count() < 6000 && count() > 3001, `${count()} records: some groups installed, not all`)
    // The round stops (StaleRound) and plans again from the checkpoint, which must not have moved
    // past the groups it never installed: else their superseded records would stay for good.
    await log.admin.deleteRecordsBefore!([{ ...tp, offset: 100 }])
    const stoppedAt = Date.now()
    await compaction
    assert.equal(count(), 2950 + 1, 'each key of offsets 100 and after once')
    const file = readFileSync(join(tmp.dir, 'topics', TOPIC, '0', 'cleaner.checkpoint'))
    const read = readCheckpoint(file, 100, 6000, false)
    assert.ok('runs' in read, 'the checkpoint file is intact')
    assert.deepEqual(
      read.runs.filter(([, time]) => time < stoppedAt),
      [],
      'no first-clean time from the round that stopped',
    )
    await log.close()
  })

  it('closes only once the running round has stopped, leaving consistent files', async () => {
    const log = await manyGroups(tmp.dir)
    let settled = false
    const compaction = log.compact(TOPIC).then(
      () => (settled = true),
      () => (settled = true),
    )
    await tick()
    await log.close()
    assert.equal(settled, true, 'the compaction promise settled before close resolved')
    await compaction
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
    await assertLatestKeptAndCloses(reopened)
  })

  it('removes no file when close stops it, and the next open removes its half-written one', async () => {
    const fs = new HeldSyncFs()
    const log = await manyGroups(tmp.dir, 6000, 50, fs)
    const compaction = log.compact(TOPIC)
    while (fs.held === null) await tick()
    const closing = log.close()
    fs.release() // the round goes on after close began: it stops at its next slice
    await closing
    await assert.rejects(compaction, { code: 'CLOSED' })
    // Close may give up waiting for a round and release the directory to a new owner: a round
    // stopped by close leaves its new file alone.
    assert.ok(existsSync(fs.held), `${fs.held} is left to the next open`)
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
    assert.equal(existsSync(fs.held), false, 'the next open removed it')
    await assertLatestKeptAndCloses(reopened)
  })

  it('dates a first clean when the round installed it, so a tombstone stays delete.retention.ms after its key was cleaned', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) })
    const fs = new HeldSyncFs()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0, fs })
    try {
      log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact', deleteRetentionMs: 1000 })
      const kv = (key: string, value: string | null) => ({
        ...tp,
        key: buf(key),
        value: value === null ? null : buf(value),
      })
      log.sync.append([kv('a', '1'), kv('a', null), kv('b', '2')])
      const keys = (): string[] => log.sync.read(tp, 0, 100).map((r) => r.key!.toString())
      const compaction = log.compact(TOPIC)
      while (fs.held === null) await tick()
      mock.timers.tick(500) // the round's new file takes 500 ms to sync: a=1 is gone only after it
      fs.release()
      await compaction
      assert.deepEqual(keys(), ['a', 'b'])
      mock.timers.tick(500)
      await log.compact(TOPIC)
      assert.deepEqual(keys(), ['a', 'b'], '1000 ms after the round started, 500 ms after a=1 went: kept')
      mock.timers.tick(500)
      await log.compact(TOPIC)
      assert.deepEqual(keys(), ['b'], 'gone 1000 ms after the round installed its first clean')
    } finally {
      await log.close()
      mock.timers.reset()
    }
  })

  it('stops when its topic is deleted during a round, writing no checkpoint into one created again under its name', async () => {
    const log = await manyGroups(tmp.dir)
    const compaction = log.compact(TOPIC)
    await tick()
    await log.admin.deleteTopics([TOPIC])
    log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact' })
    log.sync.append([{ ...tp, key: buf('a'), value: buf('1') }])
    await compaction // what it removed before the deletion
    assert.equal(existsSync(join(tmp.dir, 'topics', TOPIC, '0', 'cleaner.checkpoint')), false)
    assert.deepEqual(rows(log, 'read_committed'), [[0, 'a', '1']])
    await log.close()
  })

  it('leaves the files of a topic created again under its name alone when the old one is deleted during its sync', async () => {
    const fs = new HeldSyncFs()
    const log = await manyGroups(tmp.dir, 6000, 50, fs)
    const compaction = log.compact(TOPIC)
    while (fs.held === null) await tick()
    await log.admin.deleteTopics([TOPIC])
    log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact' })
    log.sync.append([{ ...tp, key: buf('a'), value: buf('1') }])
    writeFileSync(fs.held, 'the new topic rewriting its first segment') // as its own compaction would
    fs.release()
    await compaction
    assert.equal(readFileSync(fs.held, 'utf8'), 'the new topic rewriting its first segment')
    assert.deepEqual(rows(log, 'read_committed'), [[0, 'a', '1']])
    await log.close()
  })

  for (let seed = 1; seed <= 6; seed++) {
    const durable = seed % 3 !== 0
    it(`serves consistent reads while compactions run under a random workload, and ends compacted (seed ${seed}, ${durable ? 'durable' : 'in memory'})`, async () => {
      const log = await EmbeddedLog.open({
        ...(durable ? { dataDir: tmp.dir } : {}),
        compactAfterEntries: seed % 2 === 0 ? 0 : 25,
        compactBufferBytes: [1, 200, 1 << 20][seed % 3]!,
      })
      log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact', segmentBytes: 400 })
      const { written } = await writeRandom(log, seed, 150, false, undefined, true)
      await log.compact(TOPIC)
      await assertModel(log, written, 'after the last compaction')
      const [start, , lso] = await bounds(log)
      assert.ok(expected(written, lso, start, 'read_committed').must.length > 0)
      await log.close()
    })
  }
})
