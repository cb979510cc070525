import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { assertModel, bounds, expected, rows, TOPIC, writeRandom, type Row } from './compaction-model.ts'
import { FaultyFs, type FaultCall, type FaultKind } from './faulty-fs.ts'

const base = process.platform === 'linux' ? '/dev/shm' : tmpdir()
/** The nth calls a fault hits, counted from the start of the compaction (until one never fires). */
const NTHS = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]
const FAULTS: [FaultCall, FaultKind][] = [
  ['write', 'short'],
  ['write', 'EIO'],
  ['fsync', 'EIO'],
  ['create', 'ENOSPC'],
  ['remove', 'EIO'],
]

const SEED = 7

const serialized = (r: Row): string => JSON.stringify(r)

/** Every row of `inner` is in `outer`. */
function assertWithin(inner: Row[], outer: Row[], what: string): void {
  const all = new Set(outer.map(serialized))
  for (const row of inner) assert.ok(all.has(serialized(row)), `${what}: ${serialized(row)}`)
}

describe('a storage fault in the middle of a compaction in many rounds', () => {
  for (const [call, kind] of FAULTS) {
    it(`reopens to a log between the one before and the compacted one (${kind} on ${call})`, async () => {
      let fired = 0
      for (const nth of NTHS) {
        const dir = mkdtempSync(join(base, 'tributary-compaction-crash-'))
        try {
          const fs = new FaultyFs()
          const log = await EmbeddedLog.open({
            dataDir: dir,
            fs,
            compactAfterEntries: 0,
            compactBufferBytes: 1,
            onWarning: () => undefined, // a checkpoint that could not be saved
          })
          log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact', segmentBytes: 400 })
          const { written, txnal } = await writeRandom(log, SEED, 60, true)
          await txnal.abortTransaction() // dirty entries in the active segment to compact
          for (const w of written) if (w.state === 'open') w.state = 'aborted'
          const before = {
            committed: rows(log, 'read_committed'),
            uncommitted: rows(log, 'read_uncommitted'),
          }
          const [start, end] = await bounds(log)
          fs.arm({ call, kind, nth, sticky: true })
          await log.compact(TOPIC).catch(() => undefined)
          await log.close().catch(() => undefined)
          if (!fs.fired) break
          fired++
          // It reads the checkpoint of the last round that completed (or the one before, when its
          // save failed): compacting after the fault finds what that round left.
          const reopened = await EmbeddedLog.open({ dataDir: dir, compactAfterEntries: 0 })
          assert.deepEqual((await bounds(reopened)).slice(0, 2), [start, end], `nth ${nth}: offsets`)
          for (const isolation of ['read_committed', 'read_uncommitted'] as const) {
            const got = rows(reopened, isolation)
            const what = `nth ${nth}, ${isolation}`
            assertWithin(
              got,
              isolation === 'read_committed' ? before.committed : before.uncommitted,
              `${what}: a record appeared`,
            )
            assertWithin(
              expected(written, end, start, isolation).must,
              got,
              `${what}: a latest record is gone`,
            )
          }
          await reopened.compact(TOPIC)
          await assertModel(reopened, written, `nth ${nth}: compacting after the fault`)
          await reopened.close()
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }
      assert.ok(fired > 0, 'the fault hit the compaction at least once')
    })
  }
})
