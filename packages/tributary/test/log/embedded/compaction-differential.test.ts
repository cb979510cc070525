import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog, type EmbeddedLogOptions } from '../../../src/log/embedded/index.ts'
import { assertModel, bounds, TOPIC, writeRandom } from './compaction-model.ts'
import { tempDir } from './helpers.ts'

/** Key budgets: one key a round (any map takes one), a few keys a round, all at once. */
const BUDGETS = [1, 200, 1 << 20]
const SEEDS = 12

describe('compaction in rounds of bounded memory', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  const open = async (options: EmbeddedLogOptions): Promise<EmbeddedLog> => {
    const log = await EmbeddedLog.open(options)
    // Segments of a few records each: groups, merges and rounds that stop inside a segment.
    log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact', segmentBytes: 400 })
    return log
  }

  for (let seed = 1; seed <= SEEDS; seed++) {
    const budget = BUDGETS[seed % BUDGETS.length]!
    const durable = seed % 4 !== 0
    it(`leaves the latest visible record per key below the LSO and the rest untouched (seed ${seed}, ${budget} bytes of keys, ${durable ? 'durable' : 'in memory'})`, async () => {
      const options = {
        ...(durable ? { dataDir: tmp.dir } : {}),
        compactBufferBytes: budget,
        compactAfterEntries: seed % 3 === 0 ? 0 : 25,
      }
      const log = await open(options)
      const { written, txnal } = await writeRandom(log, seed, 120, seed % 2 === 0)
      await log.compact(TOPIC)
      await assertModel(log, written, 'after compacting with a transaction open')
      await txnal.abortTransaction().catch(() => undefined) // none is open on odd seeds
      for (const w of written) if (w.state === 'open') w.state = 'aborted'
      await log.compact(TOPIC)
      await assertModel(log, written, 'after compacting everything')
      const before = await bounds(log)
      await log.close()
      if (!durable) return
      const reopened = await EmbeddedLog.open({ dataDir: tmp.dir, compactAfterEntries: 0 })
      assert.deepEqual(await bounds(reopened), before, 'start, end and LSO survive reopening')
      await assertModel(reopened, written, 'after reopening')
      await reopened.compact(TOPIC)
      await assertModel(reopened, written, 'compacting again changes nothing readable')
      await reopened.close()
    })
  }
})
