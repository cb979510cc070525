import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { EmbeddedLog, type EmbeddedLogOptions } from '../../../src/log/embedded/index.ts'
import {
  assertModel,
  bounds,
  compact,
  rows,
  TOPIC,
  writeRandom,
  type Timing,
  type Written,
} from './compaction-model.ts'
import { tempDir } from './helpers.ts'

/** Key budgets: one key a round (any map takes one), a few keys a round, all at once. */
const BUDGETS = [1, 200, 1 << 20]
const SEEDS = 12
const timing: Timing = { deleteRetentionMs: 1000, tick: (ms) => mock.timers.tick(ms) }

/** Compacts delete.retention.ms after the last compaction: no tombstone is left. */
async function expireTombstones(log: EmbeddedLog, written: Written[]): Promise<void> {
  timing.tick(timing.deleteRetentionMs)
  await compact(log, written, timing)
  await assertModel(log, written, 'compacting delete.retention.ms later', timing)
  const tombstones = rows(log, 'read_uncommitted').filter(([, key, value]) => key !== null && value === null)
  assert.deepEqual(tombstones, [], 'no tombstone is left')
}

describe('compaction in rounds of bounded memory', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) })
  })
  afterEach(() => {
    mock.timers.reset()
    tmp.remove()
  })

  const open = async (options: EmbeddedLogOptions): Promise<EmbeddedLog> => {
    const log = await EmbeddedLog.open(options)
    // Segments of a few records each: groups, merges and rounds that stop inside a segment.
    log.sync.createTopic({
      name: TOPIC,
      partitions: 1,
      cleanupPolicy: 'compact',
      segmentBytes: 400,
      deleteRetentionMs: timing.deleteRetentionMs,
    })
    return log
  }

  for (let seed = 1; seed <= SEEDS; seed++) {
    const budget = BUDGETS[seed % BUDGETS.length]!
    const durable = seed % 4 !== 0
    it(`leaves the latest visible record per key below the LSO, tombstones for delete.retention.ms, and the rest untouched (seed ${seed}, ${budget} bytes of keys, ${durable ? 'durable' : 'in memory'})`, async () => {
      const options = {
        ...(durable ? { dataDir: tmp.dir } : {}),
        compactBufferBytes: budget,
        compactAfterEntries: seed % 3 === 0 ? 0 : 25,
      }
      const log = await open(options)
      const { written, txnal } = await writeRandom(log, seed, 120, seed % 2 === 0, timing)
      await compact(log, written, timing)
      await assertModel(log, written, 'after compacting with a transaction open', timing)
      await txnal.abortTransaction().catch(() => undefined) // none is open on odd seeds
      for (const w of written) if (w.state === 'open') w.state = 'aborted'
      await compact(log, written, timing)
      await assertModel(log, written, 'after compacting everything', timing)
      if (!durable) {
        await expireTombstones(log, written)
        return log.close()
      }
      const before = await bounds(log)
      await log.close()
      const reopened = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
      assert.deepEqual(await bounds(reopened), before, 'start, end and LSO survive reopening')
      await assertModel(reopened, written, 'after reopening', timing)
      // The checkpoint survived: the tombstones' time counts from their first clean before the restart.
      await expireTombstones(reopened, written)
      await reopened.close()
    })
  }
})
