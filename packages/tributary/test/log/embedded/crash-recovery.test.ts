import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import type { EmbeddedProducer } from '../../../src/log/embedded/index.ts'
import { runCrashChild, tempDir, values } from './helpers.ts'

describe('recovery after a process is killed', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  it('aborts the transaction left open and keeps the committed one', async () => {
    assert.equal(await runCrashChild(tmp.dir, 'open-txn'), 'SIGKILL')
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(values(log, 'orders', 0, 'read_committed'), ['a'])
    assert.deepEqual(values(log, 'orders', 1, 'read_committed'), ['b'])
    assert.deepEqual(
      values(log, 'orders', 0, 'read_uncommitted'),
      ['a', 'c'],
      'aborted data stays readable uncommitted',
    )
    const tps = [0, 1].map((partition) => ({ topic: 'orders', partition }))
    assert.deepEqual(await log.admin.endOffsets(tps, 'read_committed'), await log.admin.endOffsets(tps))
    assert.deepEqual(await log.admin.committedOffsets('g', tps), [
      { topic: 'orders', partition: 0, offset: 1 },
    ])
    const producer = (await log.producer({ transactionalId: 'tx' })) as EmbeddedProducer
    assert.equal(producer.epoch, 1, 'the epoch continues from the killed producer')
    await log.close()
  })

  it('completes a transaction whose commit decision was recorded before the crash', async () => {
    assert.equal(await runCrashChild(tmp.dir, 'decided'), 'SIGKILL')
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(values(log, 'orders', 0, 'read_committed'), ['x'])
    assert.deepEqual(values(log, 'orders', 1, 'read_committed'), ['y'])
    assert.deepEqual(await log.admin.committedOffsets('g', [{ topic: 'orders', partition: 0 }]), [
      { topic: 'orders', partition: 0, offset: 1 },
    ])
    await log.close()
  })

  it('keeps a compaction that finished before the crash, with offsets and the high watermark', async () => {
    assert.equal(await runCrashChild(tmp.dir, 'compact'), 'SIGKILL')
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    const records = log.sync.read({ topic: 'table', partition: 0 }, 0, 100)
    assert.deepEqual(
      records.map((r) => [r.offset, r.value?.toString()]),
      [
        [12, 'k1-4'],
        [13, 'k2-4'],
        [14, 'k3-4'],
      ],
    )
    assert.deepEqual(log.sync.append([{ topic: 'table', key: Buffer.from('k1'), value: null }]), [
      { topic: 'table', partition: 0, offset: 15 },
    ])
    await log.close()
  })
})
