import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, FIRST_SEGMENT, tempDir, values } from './helpers.ts'

describe('a damaged or lost metadata journal', () => {
  let tmp: ReturnType<typeof tempDir>
  const journal = () => join(tmp.dir, 'metadata.journal')
  const partitionFile = () => join(tmp.dir, 'topics', 'events', '0', FIRST_SEGMENT)

  beforeEach(async () => {
    tmp = tempDir()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([
      { name: 'events', partitions: 1 },
      { name: 'other', partitions: 2 },
    ])
    const producer = await log.producer()
    await producer.send([{ topic: 'events', key: null, value: buf('kept') }])
    const consumer = await log.consumer({ groupId: 'g' })
    for (let i = 1; i <= 20; i++) await consumer.commit([{ topic: 'other', partition: 0, offset: i }])
    await log.close()
  })
  afterEach(() => tmp.remove())

  const refusesNaming = async (pattern: RegExp): Promise<void> => {
    const size = statSync(partitionFile()).size
    await assert.rejects(EmbeddedLog.open({ dataDir: tmp.dir }), (err: Error) => {
      assert.ok(isTributaryError(err, 'CORRUPT'), String(err))
      assert.match(err.message, pattern)
      assert.match(err.message, /tributary log repair --data-dir/)
      return true
    })
    assert.equal(statSync(partitionFile()).size, size, 'the partition file is untouched')
  }

  it('refuses to open when the journal is deleted, and deletes no partition file', async () => {
    rmSync(journal())
    await refusesNaming(/topics\/(events|other).*does not list/)
    assert.ok(existsSync(partitionFile()))
  })

  it('refuses to open when a flipped bit damages an entry before intact ones', async () => {
    const bytes = readFileSync(journal())
    bytes[20] = bytes[20]! ^ 0x04
    writeFileSync(journal(), bytes)
    await refusesNaming(/metadata\.journal: bytes \d+-\d+ are damaged/)
  })

  it('opens after a damaged last entry, reporting it, and keeps every topic', async () => {
    const bytes = readFileSync(journal())
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01
    writeFileSync(journal(), bytes)
    const warnings: string[] = []
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, onWarning: (m) => warnings.push(m) })
    assert.deepEqual(await log.admin.listTopics(), ['events', 'other'])
    assert.deepEqual(values(log, 'events'), ['kept'])
    assert.deepEqual(
      log.problems.list().map((p) => p.kind),
      ['recovered-with-loss'],
    )
    assert.match(log.problems.list()[0]!.message, /kept in .*quarantine/)
    assert.equal(readdirSync(join(tmp.dir, 'quarantine')).length, 1, 'the cut bytes are kept')
    await log.close()
  })

  it('refuses to open when a journaled topic directory is missing', async () => {
    rmSync(join(tmp.dir, 'topics', 'other'), { recursive: true })
    await refusesNaming(/topics\/other: is missing/)
  })

  it('refuses to open when a partition directory or its only segment is missing', async () => {
    rmSync(join(tmp.dir, 'topics', 'other', '1'), { recursive: true })
    await refusesNaming(/other\/1: the directory of partition 1 is missing/)
    mkdirSync(join(tmp.dir, 'topics', 'other', '1'))
    await refusesNaming(/other\/1: holds no segment file of partition 1/)
  })

  it('removes a deleted topic whose removal a crash interrupted', async () => {
    const data = readFileSync(partitionFile())
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.deleteTopics(['events'])
    await log.close()
    // As if the crash came after the journal entry, before the directory moved to the trash.
    mkdirSync(join(tmp.dir, 'topics', 'events', '0'), { recursive: true })
    writeFileSync(partitionFile(), data)
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(await reopened.admin.listTopics(), ['other'])
    await reopened.close()
  })
})
