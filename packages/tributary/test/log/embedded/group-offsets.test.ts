import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog, type EmbeddedProducer } from '../../../src/log/embedded/index.ts'
import { FsyncPolicy } from '../../../src/log/embedded/fsync-policy.ts'
import { GroupOffsets } from '../../../src/log/embedded/group-offsets.ts'
import { Journal } from '../../../src/log/embedded/journal.ts'
import type { MetadataEntry } from '../../../src/log/embedded/metadata-entry.ts'
import { Signal } from '../../../src/log/embedded/signal.ts'
import {
  TransactionCoordinator,
  type Transaction,
} from '../../../src/log/embedded/transaction-coordinator.ts'
import type { Consumer } from '../../../src/log/log.ts'
import { closeGated, GatedFs } from './gated-fs.ts'
import { buf, tempDir } from './helpers.ts'

const in0 = { topic: 'in', partition: 0 }
const in1 = { topic: 'in', partition: 1 }

/**
 * Plain offset commits mixed with a transaction's offsets of the same group, as Kafka's group
 * coordinator orders them: a transaction's offsets count from when they were sent (its
 * TxnOffsetCommit) and take effect with its commit; a plain commit made after they were sent
 * wins. The order served before a restart is the order after it.
 */
describe('plain and transactional offset commits of one group', () => {
  let tmp: ReturnType<typeof tempDir>
  let fs: GatedFs
  let log: EmbeddedLog
  let producer: EmbeddedProducer
  let consumer: Consumer
  beforeEach(async () => {
    tmp = tempDir()
    fs = new GatedFs()
    log = await EmbeddedLog.open({ dataDir: tmp.dir, fs, onWarning: () => undefined })
    await log.admin.createTopics([
      { name: 'in', partitions: 2 },
      { name: 'out', partitions: 1 },
    ])
    producer = (await log.producer({ transactionalId: 'x' })) as EmbeddedProducer
    consumer = await log.consumer({ groupId: 'g' })
    await consumer.commit([{ ...in0, offset: 1 }]) // older than the transaction: it loses
    await producer.beginTransaction()
    await producer.send([{ topic: 'out', partition: 0, key: null, value: buf('v') }])
  })
  afterEach(async () => {
    await closeGated(log, fs)
    tmp.remove()
  })

  /** The group's offsets of in-0 and in-1 now, then after a restart. */
  const servedThenReopened = async (): Promise<[number[], number[]]> => {
    const served = (await log.admin.committedOffsets('g', [in0, in1])).map((o) => o.offset)
    await closeGated(log, fs)
    log = await EmbeddedLog.open({ dataDir: tmp.dir, onWarning: () => undefined })
    const reopened = (await log.admin.committedOffsets('g', [in0, in1])).map((o) => o.offset)
    return [served, reopened]
  }

  it('a plain commit made while the commit decision is being synced wins, before and after a restart', async () => {
    await producer.sendOffsets('g', [
      { ...in0, offset: 5 },
      { ...in1, offset: 5 },
    ])
    const commit = producer.commitTransaction()
    await fs.untilHeld(1) // the transaction's data
    fs.finishAll()
    await fs.untilHeld(1) // its commit decision in the journal
    assert.match(fs.held[0]!.path, /metadata\.journal$/)
    await consumer.commit([{ ...in0, offset: 9 }])
    await fs.finishUntilSettled(commit)
    assert.deepEqual(await servedThenReopened(), [
      [9, 5],
      [9, 5],
    ])
  })

  it('a plain commit made after the offsets were sent wins over them, before and after a restart', async () => {
    await producer.sendOffsets('g', [
      { ...in0, offset: 5 },
      { ...in1, offset: 5 },
    ])
    await consumer.commit([{ ...in0, offset: 9 }])
    await fs.finishUntilSettled(producer.commitTransaction())
    assert.deepEqual(await servedThenReopened(), [
      [9, 5],
      [9, 5],
    ])
  })

  it('a commit made before the offsets were sent loses to them, before and after a restart', async () => {
    await producer.sendOffsets('g', [
      { ...in0, offset: 5 },
      { ...in1, offset: 5 },
    ])
    await fs.finishUntilSettled(producer.commitTransaction())
    assert.deepEqual(await servedThenReopened(), [
      [5, 5],
      [5, 5],
    ])
  })

  it('of two transactions, the offsets sent last win, whichever commits first, before and after a restart', async () => {
    const other = await log.producer({ transactionalId: 'y' })
    await other.beginTransaction()
    await other.send([{ topic: 'out', partition: 0, key: null, value: buf('w') }])
    await producer.sendOffsets('g', [{ ...in0, offset: 5 }])
    await other.sendOffsets('g', [
      { ...in0, offset: 7 },
      { ...in1, offset: 4 },
    ])
    await producer.sendOffsets('g', [{ ...in1, offset: 6 }])
    await fs.finishUntilSettled(producer.commitTransaction())
    await fs.finishUntilSettled(other.commitTransaction())
    assert.deepEqual(await servedThenReopened(), [
      [7, 6],
      [7, 6],
    ])
  })
})

/** Group offsets and a coordinator in memory, as the log has them. */
function inMemory(): { offsets: GroupOffsets; fsync: FsyncPolicy; coordinator: TransactionCoordinator } {
  const journal = Journal.memory()
  const offsets = new GroupOffsets(journal)
  const fsync = new FsyncPolicy('always', 1000, journal, false, () => undefined)
  const coordinator = new TransactionCoordinator(journal, offsets, fsync, new Signal(), () => undefined)
  return { offsets, fsync, coordinator }
}

/** The group offsets that replaying `entries` in order gives, as recovery replays them. */
function replay(entries: readonly MetadataEntry[]): GroupOffsets {
  const { offsets, coordinator } = inMemory()
  for (const entry of entries) {
    if (entry.t === 'offsets') offsets.apply(entry.group, entry.offsets, entry.ticks)
    else coordinator.apply(entry)
  }
  return offsets
}

describe('a journal snapshot taken while a commit decision is being synced', () => {
  let offsets: GroupOffsets
  let coordinator: TransactionCoordinator
  let decided: (() => void) | undefined
  beforeEach(() => {
    let fsync: FsyncPolicy
    ;({ offsets, fsync, coordinator } = inMemory())
    decided = undefined
    fsync.decided = () => new Promise((resolve) => (decided = resolve))
    coordinator.init('x')
  })

  /** Starts committing `txn`; resolves once its decision is being synced. */
  const deciding = async (txn: Transaction): Promise<{ commit: Promise<void> }> => {
    const commit = coordinator.commit(txn)
    while (decided === undefined) await new Promise((resolve) => setImmediate(resolve))
    return { commit }
  }

  /** Takes a snapshot, lets the decision sync finish, and replays the snapshot. */
  const snapshotThenDecide = async ({ commit }: { commit: Promise<void> }): Promise<GroupOffsets> => {
    const snapshot = [...offsets.snapshot(), ...coordinator.snapshot()]
    decided!()
    await commit
    return replay(snapshot)
  }

  it('replays to the offsets the group has once the commit is applied', async () => {
    const txn = coordinator.begin('x', 0)
    coordinator.addOffsets(txn, 'g', [
      { ...in0, offset: 5 },
      { ...in1, offset: 5 },
    ])
    const commit = await deciding(txn)
    offsets.commit('g', [{ ...in0, offset: 9 }], false)
    const replayed = await snapshotThenDecide(commit)
    assert.deepEqual(replayed.get('g', [in0, in1]), offsets.get('g', [in0, in1]))
    assert.deepEqual(
      offsets.get('g', [in0, in1]).map((o) => o.offset),
      [9, 5],
    )
  })

  it('keeps the offsets sent last, committed after those sent before them', async () => {
    coordinator.init('y')
    const older = coordinator.begin('x', 0)
    const newer = coordinator.begin('y', 0)
    coordinator.addOffsets(older, 'g', [{ ...in0, offset: 5 }])
    coordinator.addOffsets(newer, 'g', [{ ...in0, offset: 7 }])
    const { commit: olderCommit } = await deciding(older)
    decided!()
    await olderCommit
    decided = undefined
    const replayed = await snapshotThenDecide(await deciding(newer))
    assert.deepEqual(replayed.get('g', [in0]), offsets.get('g', [in0]))
    assert.equal(offsets.offsetOf('g', in0), 7)
  })
})

describe('a journal written before offsets carried their ticks', () => {
  const old: MetadataEntry[] = [
    { t: 'offsets', group: 'g', offsets: [['in', 0, 3]] },
    { t: 'txn', txn: 1, commit: true, offsets: [{ group: 'g', offsets: [['in', 0, 2]] }] },
    { t: 'offsets', group: 'g', offsets: [['in', 1, 4]] },
  ]

  it('replays in journal order: each entry is newer than those before it', () => {
    assert.deepEqual(
      replay(old)
        .get('g', [in0, in1])
        .map((o) => o.offset),
      [2, 4],
    )
  })

  it('goes on with ticks above the replayed entries, and its snapshot replays the same', () => {
    const offsets = replay(old)
    offsets.commit('g', [{ ...in1, offset: 6 }], false)
    const replayed = replay(offsets.snapshot())
    assert.deepEqual(replayed.get('g', [in0, in1]), offsets.get('g', [in0, in1]))
    assert.equal(replayed.offsetOf('g', in1), 6)
  })
})
