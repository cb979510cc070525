import assert from 'node:assert/strict'
import { copyFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { checkDataDir } from '../../../src/log/embedded/data-dir-check.ts'
import { repairDataDir } from '../../../src/log/embedded/data-dir-repair.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { buf, FIRST_SEGMENT, tempDir, values } from './helpers.ts'

/** Crashes in the middle of a segment deletion or a compaction, and segments lost otherwise. */
describe('segment recovery', () => {
  let tmp: ReturnType<typeof tempDir>
  const dir = () => join(tmp.dir, 'topics', 't', '0')
  const names = () =>
    readdirSync(dir())
      .filter((n) => n.endsWith('.log'))
      .sort()
  beforeEach(async () => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  const fill = async (cleanupPolicy: 'delete' | 'compact'): Promise<void> => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
    await log.admin.createTopics([{ name: 't', partitions: 1, segmentBytes: 400, cleanupPolicy }])
    for (let i = 0; i < 40; i++)
      log.sync.append([{ topic: 't', key: buf(`k${i % 4}`), value: buf(`value-${i}`) }])
    await log.close()
  }
  /** Copies the segment files to `aside` names so a test can put them back as a crash left them. */
  const snapshot = (): Map<string, string> => {
    const saved = new Map<string, string>()
    for (const name of names()) {
      copyFileSync(join(dir(), name), join(tmp.dir, `${name}.saved`))
      saved.set(name, join(tmp.dir, `${name}.saved`))
    }
    return saved
  }

  it('finishes a deletion a crash interrupted: segments below the journaled start go', async () => {
    await fill('delete')
    const saved = snapshot()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.deleteRecordsBefore!([{ topic: 't', partition: 0, offset: 25 }])
    await log.close()
    const deleted = [...saved.keys()].filter((name) => !names().includes(name))
    assert.ok(deleted.length > 0, 'whole segments below the new start were deleted')
    for (const name of deleted) copyFileSync(saved.get(name)!, join(dir(), name)) // the unlinks never happened
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(
      values(reopened, 't'),
      Array.from({ length: 15 }, (_, i) => `value-${25 + i}`),
    )
    await reopened.close()
    assert.ok(
      deleted.every((name) => !names().includes(name)),
      'recovery deleted them',
    )
  })

  it('finishes a compaction a crash interrupted: merged segments left behind go', async () => {
    await fill('compact')
    const saved = snapshot()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.compact('t')
    const compacted = values(log, 't')
    await log.close()
    assert.deepEqual(compacted, ['value-36', 'value-37', 'value-38', 'value-39'])
    const merged = [...saved.keys()].filter((name) => !names().includes(name))
    assert.ok(merged.length > 0, 'closed segments were merged into the first')
    for (const name of merged) copyFileSync(saved.get(name)!, join(dir(), name)) // deletions lost
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(values(reopened, 't'), compacted)
    assert.equal(reopened.problems.list().length, 0)
    await reopened.close()
  })

  it('refuses when the first segment is missing; check names it and repair moves the start', async () => {
    await fill('delete')
    rmSync(join(dir(), FIRST_SEGMENT))
    await assert.rejects(EmbeddedLog.open({ dataDir: tmp.dir }), (err: Error) => {
      assert.ok(isTributaryError(err, 'CORRUPT'), String(err))
      assert.match(
        err.message,
        /is the first segment, but the log starts at offset 0.*offsets 0-\d+ .*missing/,
      )
      return true
    })
    assert.match(checkDataDir(tmp.dir).findings[0]!.problem, /offsets 0-\d+ are missing/)
    const report = repairDataDir(tmp.dir)
    assert.match(report.lost.join('\n'), /t-0: offsets 0-\d+ \(their segment was missing\)/)
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    const first = Number(names()[0]!.slice(0, 20))
    assert.equal(values(log, 't')[0], `value-${first}`)
    await log.close()
  })

  it('refuses when a middle segment is missing, naming it; check lists it and repair keeps every other record', async () => {
    await fill('delete')
    const before = names()
    assert.ok(before.length >= 4, before.join(' '))
    const missing = join(dir(), before[1]!)
    const [from, to] = [Number(before[1]!.slice(0, 20)), Number(before[2]!.slice(0, 20))]
    rmSync(missing)
    await assert.rejects(EmbeddedLog.open({ dataDir: tmp.dir }), (err: Error) => {
      assert.ok(isTributaryError(err, 'CORRUPT'), String(err))
      assert.ok(err.message.startsWith(`${missing}: is missing`), err.message)
      assert.match(err.message, new RegExp(`offsets ${from}-${to - 1} are gone.*tributary log repair`))
      return true
    })
    const found = checkDataDir(tmp.dir).findings
    assert.deepEqual(
      found.map((f) => f.path),
      [missing],
    )
    const report = repairDataDir(tmp.dir)
    assert.match(
      report.lost.join('\n'),
      new RegExp(`t-0: offsets ${from}-${to - 1} \\(their segment file was missing\\)`),
    )
    assert.deepEqual(checkDataDir(tmp.dir).findings, [], 'nothing left to repair')
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    const expected = Array.from({ length: 40 }, (_, i) => `value-${i}`).filter((_, i) => i < from || i >= to)
    assert.deepEqual(values(log, 't'), expected)
    log.sync.append([{ topic: 't', key: buf('k'), value: buf('after') }])
    await log.close()
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(values(reopened, 't'), [...expected, 'after'])
    await reopened.close()
  })
})
