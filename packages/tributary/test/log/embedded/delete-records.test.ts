import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, tempDir } from './helpers.ts'

/** Kafka's DeleteRecords on the embedded log. */
describe('deleteRecordsBefore on the embedded log', () => {
  let tmp: ReturnType<typeof tempDir>
  let log: EmbeddedLog
  let warnings: string[]
  const tp = { topic: 't', partition: 0 }
  beforeEach(async () => {
    tmp = tempDir()
    warnings = []
    log = await EmbeddedLog.open({ dataDir: tmp.dir, onWarning: (m) => warnings.push(m) })
    await log.admin.createTopics([{ name: 't', partitions: 1, segmentBytes: 500 }])
    for (let i = 0; i < 50; i++) log.sync.append([{ ...tp, key: null, value: buf(`value-${i}`) }])
  })
  afterEach(async () => {
    await log.close()
    tmp.remove()
  })
  const start = async (): Promise<number> => (await log.admin.beginningOffsets([tp]))[0]!.offset
  const segments = () => readdirSync(join(tmp.dir, 'topics', 't', '0')).filter((n) => n.endsWith('.log'))

  it('moves the log start offset, deletes whole segments below it, and never moves it back', async () => {
    const before = segments().length
    await log.admin.deleteRecordsBefore!([{ ...tp, offset: 30 }])
    assert.equal(await start(), 30)
    assert.ok(segments().length < before, 'whole segments below the start are gone')
    assert.deepEqual(
      log.sync.read(tp, 0, 100).map((r) => r.offset),
      Array.from({ length: 20 }, (_, i) => 30 + i),
    )
    await log.admin.deleteRecordsBefore!([{ ...tp, offset: 10 }])
    assert.equal(await start(), 30, 'an offset below the start changes nothing')
    await log.close()
    log = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.equal(await start(), 30, 'the new start survives a restart')
  })

  it('refuses an offset beyond the high watermark, naming it, and deletes nothing', async () => {
    await assert.rejects(log.admin.deleteRecordsBefore!([{ ...tp, offset: 51 }]), (err: Error) => {
      assert.ok(isTributaryError(err, 'LOG'))
      assert.match(err.message, /t-0: offset 51 .*high watermark 50/)
      return true
    })
    assert.equal(await start(), 0)
    await log.admin.deleteRecordsBefore!([{ ...tp, offset: 50 }])
    assert.equal(await start(), 50, 'up to the high watermark is allowed')
  })

  it('moves consumers below the new start as auto.offset.reset says', async () => {
    const reader = await log.consumer({ groupId: 'slow' })
    await reader.assign([tp])
    assert.equal((await reader.poll({ maxRecords: 5 }))[0]!.offset, 0)
    await reader.commit([{ ...tp, offset: 5 }])
    await log.admin.deleteRecordsBefore!([{ ...tp, offset: 20 }])
    const next = await reader.poll({ maxRecords: 1 })
    assert.equal(next[0]!.offset, 20, 'a position below the start continues from the start')
    await reader.close()

    assert.match(
      warnings.join('\n'),
      /group slow: committed offset 5 of t-0 is below the log start offset 20/,
    )
    const latest = await log.consumer({ groupId: 'slow', autoOffsetReset: 'latest' })
    await latest.assign([tp])
    assert.equal(latest.position(tp), 50, 'a committed offset below the start resets (latest)')
    await latest.close()
    const earliest = await log.consumer({ groupId: 'slow' })
    await earliest.assign([tp])
    assert.equal(earliest.position(tp), 20, 'a committed offset below the start resets (earliest)')
    await earliest.close()
  })
})
