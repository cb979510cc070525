import assert from 'node:assert/strict'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, tempDir } from './helpers.ts'

/** A log start offset is acknowledged data: it must survive the loss of its journal entry. */
describe('log start offsets after damage to the journal', () => {
  let tmp: ReturnType<typeof tempDir>
  const tp = { topic: 't', partition: 0 }
  const journal = () => join(tmp.dir, 'metadata.journal')

  beforeEach(async () => {
    tmp = tempDir()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([{ name: 't', partitions: 1, segmentBytes: 500 }])
    for (let i = 0; i < 50; i++) log.sync.append([{ ...tp, key: null, value: buf(`value-${i}`) }])
    await log.close()
  })
  afterEach(() => tmp.remove())

  /** Purges before `offset`, then flips a bit of the journal's last entry (its log start). */
  async function purgeAndDamageJournal(offset: number): Promise<void> {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.deleteRecordsBefore!([{ ...tp, offset }])
    await log.close()
    const bytes = readFileSync(journal())
    bytes[bytes.length - 3]! ^= 0x10
    writeFileSync(journal(), bytes)
  }

  async function reopenedStart(): Promise<{ start: number; first: number | undefined }> {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, onWarning: () => undefined })
    try {
      const [start] = await log.admin.beginningOffsets([tp])
      return { start: start!.offset, first: log.sync.read(tp, 0, 1)[0]?.offset }
    } finally {
      await log.close()
    }
  }

  it('keeps a start inside a segment: deleted records never come back', async () => {
    await purgeAndDamageJournal(3)
    assert.deepEqual(await reopenedStart(), { start: 3, first: 3 })
  })

  it('keeps a start whose segments below are deleted: it never points before the data', async () => {
    const before = readdirSync(join(tmp.dir, 'topics', 't', '0')).length
    await purgeAndDamageJournal(37)
    assert.ok(readdirSync(join(tmp.dir, 'topics', 't', '0')).length < before, 'segments were deleted')
    assert.deepEqual(await reopenedStart(), { start: 37, first: 37 })
  })
})
