import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import type { Producer } from '../../../src/log/log.ts'
import { GatedFs, settledState } from './gated-fs.ts'
import { buf, tempDir, values } from './helpers.ts'

const PARTITIONS = 4
const decisionJournaled = (dir: string): boolean =>
  readFileSync(join(dir, 'metadata.journal')).includes('"t":"txn"')
const partitionOf = (path: string): string => /\/out\/(\d+)\//.exec(path)?.[1] ?? path

describe('a commit syncs off the main thread', () => {
  let tmp: ReturnType<typeof tempDir>
  let fs: GatedFs
  let log: EmbeddedLog
  beforeEach(async () => {
    tmp = tempDir()
    fs = new GatedFs()
    // No timed flush during a test: every background sync here is a commit's.
    log = await EmbeddedLog.open({
      dataDir: tmp.dir,
      fs,
      fsyncIntervalMs: 3_600_000,
      onWarning: () => undefined,
    })
    await log.admin.createTopics([{ name: 'out', partitions: PARTITIONS }])
  })
  afterEach(async () => {
    await fs.finishUntilSettled(log.close().catch(() => undefined))
    assert.deepEqual(fs.closedUnder, [], 'no sync ran on a descriptor closed under it')
    tmp.remove()
  })

  const segmentBytes = (): number[] =>
    Array.from(
      { length: PARTITIONS },
      (_, p) => statSync(join(tmp.dir, 'topics', 'out', String(p), '00000000000000000000.log')).size,
    )

  async function sendToAll(producer: Producer, value: string): Promise<void> {
    await producer.beginTransaction()
    await producer.send(
      Array.from({ length: PARTITIONS }, (_, partition) => ({
        topic: 'out',
        partition,
        key: null,
        value: buf(value),
      })),
    )
  }
  const committed = (): (string | null)[][] =>
    Array.from({ length: PARTITIONS }, (_, p) => values(log, 'out', p, 'read_committed'))

  it('syncs every partition at once, then the decision, while the event loop runs; readers see it only after', async () => {
    const producer = await log.producer({ transactionalId: 'tx' })
    await sendToAll(producer, 'a')
    const commit = producer.commitTransaction()
    await fs.untilHeld(PARTITIONS) // the event loop turns while the syncs wait
    assert.deepEqual(fs.held.map((s) => partitionOf(s.path)).sort(), ['0', '1', '2', '3'])
    assert.equal(decisionJournaled(tmp.dir), false, 'no decision before the data is durable')
    assert.equal(await settledState(commit), 'pending')
    fs.finishAll()
    await fs.untilHeld(1)
    assert.match(fs.held[0]!.path, /metadata\.journal$/)
    assert.equal(decisionJournaled(tmp.dir), true)
    assert.deepEqual(committed(), [[], [], [], []], 'no marker before the decision is durable')
    assert.equal(await settledState(commit), 'pending')
    fs.finishAll()
    await commit
    assert.deepEqual(committed(), [['a'], ['a'], ['a'], ['a']])
  })

  it('fails the commit as a whole when a data sync fails: no decision, no marker, the log stops', async () => {
    const producer = await log.producer({ transactionalId: 'tx' })
    await sendToAll(producer, 'a')
    const commit = producer.commitTransaction()
    await fs.untilHeld(PARTITIONS)
    const written = segmentBytes()
    fs.finishAll('EIO', /\/out\/2\//)
    await assert.rejects(commit, (err) => isTributaryError(err, 'LOG') && /out\/2\/.*EIO/.test(String(err)))
    assert.equal(decisionJournaled(tmp.dir), false)
    assert.deepEqual(segmentBytes(), written, 'no marker written')
    assert.deepEqual(
      log.problems.list().map((p) => p.kind),
      ['commit-failed'],
    )
    await assert.rejects(producer.beginTransaction(), /stopped after a storage failure/)
    await log.close().catch(() => undefined)
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    try {
      for (let p = 0; p < PARTITIONS; p++) assert.deepEqual(values(reopened, 'out', p, 'read_committed'), [])
    } finally {
      await reopened.close()
    }
  })

  it('shows no marker when the decision sync fails; after a restart the commit is whole', async () => {
    const producer = await log.producer({ transactionalId: 'tx' })
    await sendToAll(producer, 'a')
    const written = segmentBytes()
    const commit = producer.commitTransaction()
    await fs.untilHeld(PARTITIONS)
    fs.finishAll()
    await fs.untilHeld(1)
    fs.finishAll('EIO')
    await assert.rejects(commit, /metadata\.journal/)
    assert.deepEqual(segmentBytes(), written, 'no marker written before the decision is durable')
    await log.close().catch(() => undefined)
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    try {
      const after = Array.from({ length: PARTITIONS }, (_, p) => values(reopened, 'out', p, 'read_committed'))
      assert.deepEqual(after, [['a'], ['a'], ['a'], ['a']], 'the decision reached the file: recovery commits')
    } finally {
      await reopened.close()
    }
  })

  it('lets a commit in flight finish when a new producer fences its producer and the log closes; both wait for it', async () => {
    const producer = await log.producer({ transactionalId: 'tx' })
    await sendToAll(producer, 'a')
    const commit = producer.commitTransaction()
    await fs.untilHeld(PARTITIONS)
    await assert.rejects(producer.beginTransaction(), (err) => isTributaryError(err, 'TRANSACTION'))
    const successor = log.producer({ transactionalId: 'tx' }) // must not abort the deciding transaction
    const closing = log.close()
    assert.equal(await settledState(successor), 'pending')
    assert.equal(await settledState(closing), 'pending')
    fs.finishAll()
    await fs.untilHeld(1)
    fs.finishAll()
    await commit
    await closing
    await Promise.allSettled([successor]) // created or refused (CLOSED): whichever went on first
    const reopened = await EmbeddedLog.open({ dataDir: tmp.dir })
    try {
      const after = Array.from({ length: PARTITIONS }, (_, p) => values(reopened, 'out', p, 'read_committed'))
      assert.deepEqual(after, [['a'], ['a'], ['a'], ['a']])
    } finally {
      await reopened.close()
    }
  })

  it('shares one sync of a partition between the commits that wait for it', async () => {
    const [first, second, third] = await Promise.all(
      ['t1', 't2', 't3'].map((id) => log.producer({ transactionalId: id })),
    )
    const write = async (producer: Producer, value: string): Promise<void> => {
      await producer.beginTransaction()
      await producer.send([{ topic: 'out', partition: 0, key: null, value: buf(value) }])
    }
    await write(first!, 'v0')
    const commits = [first!.commitTransaction()]
    await fs.untilHeld(1)
    await write(second!, 'v1')
    await write(third!, 'v2')
    commits.push(second!.commitTransaction(), third!.commitTransaction())
    await fs.finishUntilSettled(Promise.all(commits))
    const dataSyncs = fs.started.filter((path) => partitionOf(path) === '0').length
    assert.equal(dataSyncs, 2, `three commits, one sync running and one shared after it: ${fs.started}`)
    assert.deepEqual(values(log, 'out', 0, 'read_committed'), ['v0', 'v1', 'v2'])
  })
})
