import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog, type EmbeddedProducer } from '../../../src/log/embedded/index.ts'
import { FsyncPolicy } from '../../../src/log/embedded/fsync-policy.ts'
import { GroupOffsets } from '../../../src/log/embedded/group-offsets.ts'
import { Journal } from '../../../src/log/embedded/journal.ts'
import type { MetadataEntry } from '../../../src/log/embedded/metadata-entry.ts'
import { Signal } from '../../../src/log/embedded/signal.ts'
import { TransactionCoordinator } from '../../../src/log/embedded/transaction-coordinator.ts'
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
})

describe('a journal snapshot taken while a commit decision is being synced', () => {
  it('replays to the offsets the group has once the commit is applied', async () => {
    const journal = Journal.memory()
    const offsets = new GroupOffsets(journal)
    const fsync = new FsyncPolicy('always', 1000, journal, false, () => undefined)
    const coordinator = new TransactionCoordinator(journal, offsets, fsync, new Signal(), () => undefined)
    let decided!: () => void
    fsync.decided = () => new Promise((resolve) => (decided = resolve))
    coordinator.init('x')
    const txn = coordinator.begin('x', 0)
    coordinator.addOffsets(txn, 'g', [
      { ...in0, offset: 5 },
      { ...in1, offset: 5 },
    ])
    const commit = coordinator.commit(txn)
    while (decided === undefined) await new Promise((resolve) => setImmediate(resolve))
    offsets.commit('g', [{ ...in0, offset: 9 }], false)
    const snapshot: MetadataEntry[] = [...offsets.snapshot(), ...coordinator.snapshot()]
    decided()
    await commit
    const replayed = new GroupOffsets(journal)
    const replaying = new TransactionCoordinator(journal, replayed, fsync, new Signal(), () => undefined)
    for (const entry of snapshot) {
      if (entry.t === 'offsets') replayed.apply(entry.group, entry.offsets)
      else replaying.apply(entry)
    }
    assert.deepEqual(replayed.get('g', [in0, in1]), offsets.get('g', [in0, in1]))
    assert.deepEqual(
      offsets.get('g', [in0, in1]).map((o) => o.offset),
      [9, 5],
    )
  })
})
