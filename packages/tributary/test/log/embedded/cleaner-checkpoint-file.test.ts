import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { encodeCheckpoint, readCheckpoint } from '../../../src/log/embedded/cleaner-checkpoint-file.ts'
import { checkDataDir } from '../../../src/log/embedded/data-dir-check.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import type { CleanupPolicy } from '../../../src/log/log.ts'
import {
  assertModel,
  compact,
  forgetCleaning,
  rows,
  TOPIC,
  writeRandom,
  type Timing,
} from './compaction-model.ts'
import { buf, tempDir } from './helpers.ts'
import { FaultyFs } from './faulty-fs.ts'

const timing: Timing = { deleteRetentionMs: 1000, tick: (ms) => mock.timers.tick(ms) }

describe('the compaction checkpoint file (cleaner.checkpoint)', () => {
  let tmp: ReturnType<typeof tempDir>
  const path = () => join(tmp.dir, 'topics', TOPIC, '0', 'cleaner.checkpoint')
  beforeEach(() => {
    tmp = tempDir()
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) })
  })
  afterEach(() => {
    mock.timers.reset()
    tmp.remove()
  })

  const open = async (warnings: string[] = [], cleanupPolicy: CleanupPolicy = 'compact') => {
    const log = await EmbeddedLog.open({
      dataDir: tmp.dir,
      compactAfterEntries: 0,
      onWarning: (m) => warnings.push(m),
    })
    log.sync.createTopic({
      name: TOPIC,
      partitions: 1,
      cleanupPolicy,
      segmentBytes: 400,
      deleteRetentionMs: timing.deleteRetentionMs,
    })
    return log
  }

  it('tells every flipped bit, cut and foreign line from an intact file', () => {
    const runs: [number, number][] = [
      [120, 1_767_225_600_000],
      [4000, 1_767_225_700_000],
    ]
    const bytes = encodeCheckpoint(runs)
    assert.deepEqual(readCheckpoint(bytes, 0, 4000, false), { runs })
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes)
      flipped[bit >> 3]! ^= 1 << (bit & 7)
      assert.ok('ignored' in readCheckpoint(flipped, 0, 4000, false), `bit ${bit}`)
    }
    for (let cut = 0; cut < bytes.length; cut++)
      assert.ok('ignored' in readCheckpoint(bytes.subarray(0, cut), 0, 4000, false), `cut at ${cut}`)
    const unordered = encodeCheckpoint([
      [4000, 1],
      [120, 2],
    ])
    assert.match(
      (readCheckpoint(unordered, 0, 4000, false) as { ignored: string }).ignored,
      /after the one before/,
    )
  })

  it('lets compaction continue after a restart where it stopped, instead of reading the partition again', async () => {
    const log = await open()
    // More entries than the record cache holds (cacheRecords), so older ones are read from files.
    for (let i = 0; i < 3000; i += 100)
      log.sync.append(
        Array.from({ length: 100 }, (_, j) => ({ topic: TOPIC, key: buf(`k${i + j}`), value: buf('v') })),
      )
    await log.compact(TOPIC)
    await log.close()
    const fs = new FaultyFs() // counts reads
    const reopened = await EmbeddedLog.open({
      dataDir: tmp.dir,
      compactAfterEntries: 0,
      cacheRecords: 1000,
      fs,
    })
    const reads = fs.calls.read // recovery reads every segment
    assert.equal(await reopened.compact(TOPIC), 0)
    assert.equal(fs.calls.read, reads, 'nothing is dirty: compaction read nothing')
    await reopened.close()
  })

  const flipped = (bytes: Buffer): Buffer => {
    const copy = Buffer.from(bytes)
    copy[copy.length >> 1]! ^= 4
    return copy
  }
  for (const [damage, change, warning] of [
    ['missing', () => null, null],
    ['damaged (a bit flipped)', flipped, /fails its checksum/],
    ['cut short', (bytes: Buffer) => bytes.subarray(0, 20), /is cut short or not a checkpoint/],
    ['past the log end', () => encodeCheckpoint([[1e6, Date.now()]]), /past the log end/],
  ] as const) {
    it(`costs only work when it is ${damage}: compaction starts from the log start again${warning === null ? '' : ', with a warning'}`, async () => {
      const log = await open()
      const { written } = await writeRandom(log, 3, 100, false, timing)
      await compact(log, written, timing)
      await log.close()
      const bytes = (change as (bytes: Buffer) => Buffer | null)(readFileSync(path()))
      if (bytes === null) rmSync(path())
      else writeFileSync(path(), bytes)
      const warnings: string[] = []
      const reopened = await EmbeddedLog.open({
        dataDir: tmp.dir,
        compactAfterEntries: 0,
        onWarning: (m) => warnings.push(m),
      })
      if (warning === null) assert.deepEqual(warnings, [])
      else {
        assert.equal(warnings.length, 1, warnings.join('\n'))
        assert.ok(warnings[0]!.includes(path()), warnings[0])
        assert.match(warnings[0]!, warning)
        assert.match(warnings[0]!, /ignored.*nothing is lost/)
      }
      forgetCleaning(written) // the times of first clean are lost: tombstones are kept longer
      await assertModel(reopened, written, 'after reopening', timing)
      timing.tick(timing.deleteRetentionMs)
      await compact(reopened, written, timing)
      await assertModel(reopened, written, 'compacting again from the start', timing)
      await reopened.close()
    })
  }

  it("is ignored when the log start moved past it, with a warning unless the topic's retention moves it", async () => {
    for (const [policy, warned] of [
      ['compact', true],
      ['compact,delete', false],
    ] as const) {
      const log = await open([], policy)
      log.sync.append([{ topic: TOPIC, key: buf('a'), value: buf('1') }])
      await log.compact(TOPIC)
      log.sync.append(['b', 'c'].map((k) => ({ topic: TOPIC, key: buf(k), value: buf(k) })))
      await log.admin.deleteRecordsBefore!([{ topic: TOPIC, partition: 0, offset: 2 }])
      await log.close()
      const warnings: string[] = []
      const reopened = await EmbeddedLog.open({ dataDir: tmp.dir, onWarning: (m) => warnings.push(m) })
      assert.equal(
        warnings.some((w) => /before the log start 2/.test(w)),
        warned,
        `${policy}: ${warnings.join('\n')}`,
      )
      assert.deepEqual(rows(reopened, 'read_committed'), [[2, 'c', 'c']])
      await reopened.close()
      tmp.remove()
      tmp = tempDir()
    }
  })

  it('is noted by `log check` when the log would ignore it, without counting as damage', async () => {
    const log = await open()
    log.sync.append([{ topic: TOPIC, key: buf('a'), value: buf('1') }])
    await log.compact(TOPIC)
    await log.close()
    assert.deepEqual(checkDataDir(tmp.dir).notes, [], 'an intact one')
    writeFileSync(path(), 'tributary cleaner checkpoint 1\n1 2\n')
    const { findings, notes } = checkDataDir(tmp.dir)
    assert.deepEqual(findings, [])
    assert.deepEqual(notes, [
      {
        path: path(),
        problem:
          'is cut short or not a checkpoint: the log ignores it and compacts the partition from its start again (nothing is lost)',
      },
    ])
  })
})
