import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog, type EmbeddedProducer } from '../../../src/log/embedded/index.ts'
import { FsyncPolicy } from '../../../src/log/embedded/fsync-policy.ts'
import { GroupOffsets } from '../../../src/log/embedded/group-offsets.ts'
import { Journal } from '../../../src/log/embedded/journal.ts'
import { PartitionLog } from '../../../src/log/embedded/partition-log.ts'
import { Signal } from '../../../src/log/embedded/signal.ts'
import { StorageFailure } from '../../../src/log/embedded/storage-failure.ts'
import {
  TransactionCoordinator,
  type Transaction,
} from '../../../src/log/embedded/transaction-coordinator.ts'
import type { Producer } from '../../../src/log/log.ts'
import { closeGated, GatedFs, settledState } from './gated-fs.ts'
import { buf, tempDir, values } from './helpers.ts'

/** A commit that fails with an error that is not a storage failure (a bug, an unexpected throw). */
describe('a commit failing unexpectedly', () => {
  const journal = Journal.memory()
  let offsets: GroupOffsets
  let fsync: FsyncPolicy
  let coordinator: TransactionCoordinator
  let partition: PartitionLog
  let txn: Transaction
  const bug = new TypeError('a bug')

  beforeEach(() => {
    offsets = new GroupOffsets(journal)
    fsync = new FsyncPolicy('always', 1000, journal, false, () => undefined)
    coordinator = new TransactionCoordinator(journal, offsets, fsync, new Signal(), () => undefined)
    partition = new PartitionLog('t', 0)
    partition.addSegment(0, null, 0)
    coordinator.init('tx')
    txn = coordinator.begin('tx', 0)
    partition.append([{ topic: 't', partition: 0, key: null, value: buf('v') }], txn.id, 0)
    txn.partitions.add(partition)
    coordinator.addOffsets(txn, 'g', [{ topic: 'in', partition: 0, offset: 7 }])
  })

  it('before its decision: fails, and the transaction is aborted (readers go on)', async () => {
    fsync.beforeDecision = () => Promise.reject(bug)
    await assert.rejects(coordinator.commit(txn), bug)
    assert.equal(partition.lastStableOffset(), partition.nextOffset, 'read_committed readers are not stuck')
    assert.ok(partition.isAborted(txn.id))
    assert.equal(
      offsets.offsetOf('g', { topic: 'in', partition: 0 }),
      undefined,
      'its offsets are not committed',
    )
    const next = coordinator.begin('tx', 0)
    assert.notEqual(next.id, txn.id, 'the producer goes on with a new transaction')
  })

  it('after its decision: fails with a StorageFailure, so the log stops and recovery completes it', async () => {
    fsync.decided = () => Promise.reject(bug)
    await assert.rejects(coordinator.commit(txn), (err: Error) => {
      assert.ok(err instanceof StorageFailure, String(err))
      assert.match(err.message, /transaction \d+ .*a bug.*The embedded log stopped/)
      assert.equal(err.cause, bug)
      return true
    })
    assert.ok(!partition.isAborted(txn.id), 'a decided commit is never aborted')
  })
})

/** A log on a GatedFs (no timed flush: every background sync is a commit's), with topic `out`. */
async function gatedLog(dir: string, fs: GatedFs, maxBlockMs?: number): Promise<EmbeddedLog> {
  const log = await EmbeddedLog.open({
    dataDir: dir,
    fs,
    fsyncIntervalMs: 3_600_000,
    ...(maxBlockMs === undefined ? {} : { maxBlockMs }),
    onWarning: () => undefined,
  })
  await log.admin.createTopics([{ name: 'out', partitions: 1 }])
  return log
}

/** Producer 'x' (the zombie) commits offset 1 of group g; resolves once its data sync is held. */
async function zombieCommitting(
  log: EmbeddedLog,
  fs: GatedFs,
): Promise<{ zombie: Producer; commit: Promise<void> }> {
  const zombie = await log.producer({ transactionalId: 'x' })
  await zombie.beginTransaction()
  await zombie.send([{ topic: 'out', partition: 0, key: null, value: buf('zombie') }])
  await zombie.sendOffsets('g', [{ topic: 'out', partition: 0, offset: 1 }])
  const commit = zombie.commitTransaction()
  await fs.untilHeld(1)
  return { zombie, commit }
}

/**
 * A producer initialised while an older one with its transactional id (a zombie) still commits:
 * as Kafka's InitProducerId, the new one starts only once that commit has ended, so it starts
 * from that commit's offsets (or, had it failed, from the ones before) and never processes the
 * same input twice.
 */
describe('a new producer while its zombie commits', () => {
  let tmp: ReturnType<typeof tempDir>
  let fs: GatedFs
  let log: EmbeddedLog
  beforeEach(async () => {
    tmp = tempDir()
    fs = new GatedFs()
    log = await gatedLog(tmp.dir, fs)
  })
  afterEach(async () => {
    await closeGated(log, fs)
    tmp.remove()
  })

  it('starts after the zombie commit ended and sees its offsets', async () => {
    const { zombie, commit: zombieCommit } = await zombieCommitting(log, fs)
    const successor = log.producer({ transactionalId: 'x' })
    assert.equal(await settledState(successor), 'pending', 'the new producer waits for the commit in flight')
    await fs.finishUntilSettled(successor)
    await zombieCommit
    const [offset] = await log.admin.committedOffsets('g', [{ topic: 'out', partition: 0 }])
    assert.equal(offset?.offset, 1, 'the successor starts from the zombie commit')
    await assert.rejects(zombie.beginTransaction(), /FENCED|fenced/)
    assert.deepEqual(values(log, 'out', 0, 'read_committed'), ['zombie'])
  })

  it('aborts an open zombie transaction: its offsets never land, in order or out of it', async () => {
    const zombie = await log.producer({ transactionalId: 'x' })
    await zombie.beginTransaction()
    await zombie.send([{ topic: 'out', partition: 0, key: null, value: buf('zombie') }])
    await zombie.sendOffsets('g', [{ topic: 'out', partition: 0, offset: 1 }])
    const successor = await log.producer({ transactionalId: 'x' })
    await assert.rejects(zombie.sendOffsets('g', [{ topic: 'out', partition: 0, offset: 2 }]), /fenced/)
    await assert.rejects(zombie.commitTransaction(), /fenced/)
    await successor.beginTransaction()
    await successor.send([{ topic: 'out', partition: 0, key: null, value: buf('successor') }])
    await successor.sendOffsets('g', [{ topic: 'out', partition: 0, offset: 3 }])
    const commit = successor.commitTransaction()
    await fs.finishUntilSettled(commit)
    const [offset] = await log.admin.committedOffsets('g', [{ topic: 'out', partition: 0 }])
    assert.equal(offset?.offset, 3)
    assert.deepEqual(values(log, 'out', 0, 'read_committed'), ['successor'])
  })
})

/**
 * As Kafka's initTransactions, which waits at most max.block.ms: a new producer does not wait
 * for good on its zombie's commit when the disk never answers that commit's sync.
 */
describe('a new producer while its zombie commit hangs on the disk', () => {
  let tmp: ReturnType<typeof tempDir>
  let fs: GatedFs
  let log: EmbeddedLog
  beforeEach(async () => {
    tmp = tempDir()
    fs = new GatedFs()
    log = await gatedLog(tmp.dir, fs, 300)
  })
  afterEach(async () => {
    await closeGated(log, fs)
    tmp.remove()
  })

  it('fails after maxBlockMs naming the transactional id, the wait and the key, fencing nothing', async () => {
    // The zombie's data sync never returns (until the test lets it).
    const { commit: zombieCommit } = await zombieCommitting(log, fs)
    const start = performance.now()
    const successor = log.producer({ transactionalId: 'x' })
    const tooLong = new Promise<string>((resolve) =>
      setTimeout(() => resolve('still waiting'), 15_000).unref(),
    )
    await assert.rejects(Promise.race([successor, tooLong]), (err: Error) => {
      assert.ok(isTributaryError(err, 'TRANSACTION'), String(err))
      assert.match(err.message, /"x".* 300 ms .*maxBlockMs/)
      assert.doesNotMatch(err.message, /\n/)
      return true
    })
    // Node's timers never fire early but count whole milliseconds of the event loop's clock.
    const waited = performance.now() - start
    assert.ok(waited >= 300 - 1, `gave up after ${waited} ms`)
    assert.equal(await settledState(zombieCommit), 'pending', 'the zombie was not fenced: its commit goes on')
    await fs.finishUntilSettled(zombieCommit)
    const next = (await log.producer({ transactionalId: 'x' })) as EmbeddedProducer
    assert.equal(next.epoch, 1, 'once the commit ended, a new producer starts (and fences the zombie)')
    const [offset] = await log.admin.committedOffsets('g', [{ topic: 'out', partition: 0 }])
    assert.equal(offset?.offset, 1)
  })

  it('refuses a maxBlockMs that is not a positive integer a timer can wait, naming the key', async () => {
    for (const maxBlockMs of [0, 2 ** 31, 1.5]) {
      await assert.rejects(EmbeddedLog.open({ maxBlockMs }), (err: Error) => {
        assert.ok(isTributaryError(err, 'CONFIG'), String(err))
        assert.match(
          err.message,
          /^maxBlockMs must be a positive integer \(ms\) of at most 2147483647 .*got /,
        )
        assert.ok(err.message.endsWith(`got ${maxBlockMs}`), err.message)
        assert.doesNotMatch(err.message, /\n/)
        return true
      })
    }
  })

  it('waits with the longest maxBlockMs a timer can wait (2^31-1 ms)', async () => {
    await closeGated(log, fs)
    log = await gatedLog(tmp.dir, fs, 2 ** 31 - 1)
    const { commit: zombieCommit } = await zombieCommitting(log, fs)
    const successor = log.producer({ transactionalId: 'x' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(await settledState(successor), 'pending', 'it still waits for the commit in flight')
    await fs.finishUntilSettled(zombieCommit)
    assert.equal(((await successor) as EmbeddedProducer).epoch, 1)
  })
})
