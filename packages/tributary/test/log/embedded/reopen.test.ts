import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog, type EmbeddedProducer } from '../../../src/log/embedded/index.ts'
import { buf, tempDir, values } from './helpers.ts'

describe('reopening a data directory', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  it('keeps topics, records, committed offsets and producer epochs', async () => {
    const first = await EmbeddedLog.open({ dataDir: tmp.dir, fsync: 'always' })
    await first.admin.createTopics([
      { name: 'a', partitions: 2 },
      { name: 'b', partitions: 1, cleanupPolicy: 'compact' },
    ])
    const producer = (await first.producer({ transactionalId: 'tx' })) as EmbeddedProducer
    assert.equal(producer.epoch, 0)
    await producer.beginTransaction()
    await producer.send([{ topic: 'a', partition: 1, key: buf('k'), value: buf('committed') }])
    await producer.sendOffsets('g', [{ topic: 'a', partition: 0, offset: 3 }])
    await producer.commitTransaction()
    const consumer = await first.consumer({ groupId: 'h' })
    await consumer.commit([{ topic: 'b', partition: 0, offset: 9 }])
    await first.close()

    const second = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(await second.admin.describeTopics(['a', 'b']), [
      { name: 'a', partitions: 2, cleanupPolicy: 'delete' },
      { name: 'b', partitions: 1, cleanupPolicy: 'compact' },
    ])
    assert.deepEqual(values(second, 'a', 1, 'read_committed'), ['committed'])
    assert.deepEqual(await second.admin.committedOffsets('g', [{ topic: 'a', partition: 0 }]), [
      { topic: 'a', partition: 0, offset: 3 },
    ])
    assert.deepEqual(await second.admin.committedOffsets('h', [{ topic: 'b', partition: 0 }]), [
      { topic: 'b', partition: 0, offset: 9 },
    ])
    const successor = (await second.producer({ transactionalId: 'tx' })) as EmbeddedProducer
    assert.equal(successor.epoch, 1)
    await successor.beginTransaction()
    const [meta] = await successor.send([{ topic: 'a', partition: 1, key: null, value: buf('next') }])
    assert.ok(meta!.offset > 1, 'offsets continue after the previous commit marker')
    await second.close()
  })

  it('keeps a deleted topic deleted and recreates it empty', async () => {
    const first = await EmbeddedLog.open({ dataDir: tmp.dir })
    first.sync.createTopic({ name: 'gone', partitions: 1 })
    first.sync.append([{ topic: 'gone', key: null, value: buf('old') }])
    await first.consumer({ groupId: 'g' }).then((c) => c.commit([{ topic: 'gone', partition: 0, offset: 1 }]))
    await first.admin.deleteTopics(['gone'])
    assert.equal(existsSync(join(tmp.dir, 'topics', 'gone')), false)
    await first.close()

    const second = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(await second.admin.listTopics(), [])
    second.sync.createTopic({ name: 'gone', partitions: 1 })
    assert.deepEqual(values(second, 'gone'), [])
    assert.deepEqual(await second.admin.committedOffsets('g', [{ topic: 'gone', partition: 0 }]), [])
    await second.close()
  })

  it('refuses a second open of the same directory, naming it', async () => {
    const first = await EmbeddedLog.open({ dataDir: tmp.dir })
    await assert.rejects(EmbeddedLog.open({ dataDir: tmp.dir }), (err: unknown) => {
      assert.ok(isTributaryError(err, 'LOG'))
      assert.ok(err.message.includes(tmp.dir), err.message)
      return true
    })
    await first.close()
    const again = await EmbeddedLog.open({ dataDir: tmp.dir })
    await again.close()
  })

  it('takes over a lock left by a process that died', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    })
    const first = await EmbeddedLog.open({ dataDir: tmp.dir })
    await first.close()
    writeFileSync(join(tmp.dir, 'LOCK'), dead.stdout)
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.close()
  })

  it('rejects every call after close with code CLOSED', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.close()
    for (const call of [() => log.admin.listTopics(), () => log.producer(), () => log.compact()]) {
      await assert.rejects(call(), (err: unknown) => isTributaryError(err, 'CLOSED'))
    }
    assert.throws(
      () => log.sync.append([]),
      (err: unknown) => isTributaryError(err, 'CLOSED'),
    )
  })
})
