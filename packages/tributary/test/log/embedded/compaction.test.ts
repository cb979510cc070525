import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setImmediate as tick } from 'node:timers/promises'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, FIRST_SEGMENT, tempDir, values } from './helpers.ts'

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
    assert.ok(values(log, 'table').length <= 110, 'older versions of each key are gone')
    assert.equal(values(log, 'stream').length, 1000, 'delete-policy topics are never compacted')
    await log.close()
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
})
