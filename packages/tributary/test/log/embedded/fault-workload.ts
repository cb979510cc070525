import assert from 'node:assert/strict'
import { crc32 } from 'node:zlib'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import type { StorageFs } from '../../../src/log/embedded/storage-fs.ts'
import type { Producer } from '../../../src/log/log.ts'
import type { StorageProblems } from '../../../src/storage-problems.ts'

/** What the workload was told: the model recovery is checked against. */
export interface Outcome {
  /** Ids of records whose plain `send` resolved. */
  readonly acked: Set<number>
  /** Transactions by outcome, each as the ids it wrote and the group offset it carried (only
   *  producer tx commits offsets, of group g). */
  readonly committed: Txn[]
  readonly aborted: number[][]
  /** Commits that failed (two may overlap): after recovery each is whole or invisible. */
  readonly uncertain: Txn[]
  /** Offsets a plain consumer commit stored for group h on a-1 (last one wins). */
  lastPlainOffset: number | undefined
  /** Where each written record went (partition, offset). */
  readonly placed: Map<number, [number, number]>
  /** deleteRecordsBefore on a-2: the highest offset that resolved, and the highest asked (a
   *  failed call may have taken effect). Records below may be gone; none at or above. */
  purged: number
  purgeAsked: number
}

export interface Txn {
  readonly ids: number[]
  readonly offset?: number
}

/** The partition of topic a that deleteRecordsBefore purges. */
export const PURGED = 2

export const TOPIC = 'a'
export const PARTITIONS = 3
const value = (id: number): Buffer => Buffer.from(`${id}:${crc32(String(id)).toString(16)}`)

/** Decodes a value written by the workload; fails if it is not one (a corrupt record was served). */
export function idOf(bytes: Buffer | null): number {
  const [id, check] = (bytes?.toString() ?? '').split(':')
  assert.equal(check, crc32(String(id)).toString(16), `a corrupt value was served: ${bytes?.toString()}`)
  return Number(id)
}

export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Runs a random mix of plain sends, transactions (committed or aborted, with group offsets),
 * consumer offset commits and compactions until it is done or the first call fails (the log then
 * stops). Closes the log in every case.
 */
export async function runWorkload(
  dir: string,
  fs: StorageFs,
  next: () => number,
  steps: number,
): Promise<Outcome> {
  const outcome: Outcome = {
    acked: new Set(),
    committed: [],
    aborted: [],
    uncertain: [],
    lastPlainOffset: undefined,
    placed: new Map(),
    purged: 0,
    purgeAsked: 0,
  }
  let id = 0
  const fsync = next() < 0.5 ? 'always' : 'interval'
  let log: EmbeddedLog
  try {
    log = await EmbeddedLog.open({ dataDir: dir, fs, fsync, onWarning: () => undefined })
  } catch (err) {
    assert.ok(
      isTributaryError(err, 'LOG') && err.message.includes(dir),
      `opening fails naming the file: ${String(err)}`,
    )
    return outcome
  }
  try {
    await log.admin.createTopics([
      // Segments of a few records each: rolls happen all along the workload.
      { name: TOPIC, partitions: PARTITIONS, segmentBytes: 300 },
      { name: 'c', partitions: 1, cleanupPolicy: 'compact' },
    ])
    const plain = await log.producer()
    const txnal = await log.producer({ transactionalId: 'tx' })
    const other = await log.producer({ transactionalId: 'tx2' })
    const consumer = await log.consumer({ groupId: 'h' })
    const batch = (): Batch =>
      Array.from({ length: 1 + Math.floor(next() * 4) }, () => ({
        topic: TOPIC,
        partition: Math.floor(next() * PARTITIONS),
        key: null,
        value: value(++id),
      }))
    for (let step = 0; step < steps; step++) {
      const op = next()
      if (op < 0.3) {
        await send(plain, batch(), outcome)
      } else if (op < 0.55) {
        await transaction(txnal, batch(), next() < 0.7, outcome, log)
      } else if (op < 0.65) {
        // Two commits, a plain send and a purge at once: appends, a segment deletion and a
        // second commit's syncs while the first commit's syncs are on the disk.
        const first = await openTransaction(txnal, batch(), true, outcome, log)
        const second = await openTransaction(other, batch(), false, outcome, log)
        const records = batch()
        const results = await Promise.allSettled([
          commit(txnal, first, outcome),
          commit(other, second, outcome),
          send(plain, records, outcome),
          purge(log, next(), outcome),
        ])
        const failed = results.find((r) => r.status === 'rejected')
        if (failed !== undefined) throw failed.reason
      } else if (op < 0.75) {
        await purge(log, next(), outcome)
      } else if (op < 0.88) {
        const [end] = await log.admin.endOffsets([{ topic: TOPIC, partition: 1 }])
        await consumer.commit([{ topic: TOPIC, partition: 1, offset: end!.offset }])
        outcome.lastPlainOffset = end!.offset
      } else {
        await plain.send([{ topic: 'c', key: Buffer.from(`k${step % 3}`), value: value(++id) }])
        await log.compact('c')
      }
    }
  } catch (err) {
    assert.ok(isTributaryError(err), `a storage fault surfaces as a TributaryError: ${String(err)}`)
  } finally {
    await log.close().catch(() => undefined)
  }
  return outcome
}

type Batch = { topic: string; partition: number; key: Buffer | null; value: Buffer }[]

async function send(producer: Producer, records: Batch, outcome: Outcome): Promise<void> {
  const placed = await producer.send(records)
  records.forEach((r, i) => outcome.placed.set(idOf(r.value), [placed[i]!.partition, placed[i]!.offset]))
  for (const r of records) outcome.acked.add(idOf(r.value))
}

/** deleteRecordsBefore on a-PURGED, at a fraction (from `at`, 0..1) of its upper half. */
async function purge(log: EmbeddedLog, at: number, outcome: Outcome): Promise<void> {
  const [end] = await log.admin.endOffsets([{ topic: TOPIC, partition: PURGED }])
  const offset = Math.floor(end!.offset * (0.5 + at / 2))
  outcome.purgeAsked = Math.max(outcome.purgeAsked, offset)
  await log.admin.deleteRecordsBefore!([{ topic: TOPIC, partition: PURGED, offset }])
  outcome.purged = Math.max(outcome.purged, offset)
}

/** Begins a transaction and writes `records` (and group g's offset when `withOffsets`); a
 *  failure here leaves it never committed. */
async function openTransaction(
  producer: Producer,
  records: Batch,
  withOffsets: boolean,
  outcome: Outcome,
  log: EmbeddedLog,
): Promise<Txn> {
  const ids = records.map((r) => idOf(r.value))
  try {
    await producer.beginTransaction()
    const placed = await producer.send(records)
    ids.forEach((id, i) => outcome.placed.set(id, [placed[i]!.partition, placed[i]!.offset]))
    if (!withOffsets) return { ids }
    const [end] = await log.admin.endOffsets([{ topic: TOPIC, partition: 0 }], 'read_committed')
    await producer.sendOffsets('g', [{ topic: TOPIC, partition: 0, offset: end!.offset }])
    return { ids, offset: end!.offset }
  } catch (err) {
    outcome.aborted.push(ids)
    throw err
  }
}

async function commit(producer: Producer, txn: Txn, outcome: Outcome): Promise<void> {
  try {
    await producer.commitTransaction()
  } catch (err) {
    outcome.uncertain.push(txn)
    throw err
  }
  outcome.committed.push(txn)
}

async function transaction(
  producer: Producer,
  records: Batch,
  toCommit: boolean,
  outcome: Outcome,
  log: EmbeddedLog,
): Promise<void> {
  const txn = await openTransaction(producer, records, true, outcome, log)
  if (toCommit) return commit(producer, txn, outcome)
  outcome.aborted.push(txn.ids)
  await producer.abortTransaction()
}

/**
 * Checks a recovered log against what the workload was told: no record served corrupt or twice;
 * every acknowledged record and committed transaction there, aborted ones invisible, the failed
 * commit whole or invisible with its offsets, group offsets never ahead of their data. With a
 * reported loss (`problems` not empty) records may be missing, but what is served is still sound.
 */
export async function verify(log: EmbeddedLog, outcome: Outcome, problems: StorageProblems): Promise<void> {
  const lossReported = problems.list().some((p) => p.kind === 'recovered-with-loss')
  if (!log.sync.hasTopic(TOPIC) || !log.sync.hasTopic('c')) {
    // The fault hit the topics' creation: it failed, so nothing was written.
    assert.equal(outcome.acked.size + outcome.committed.length, 0, 'a topic with acknowledged data is gone')
    return
  }
  const all = new Map<number, number>()
  const visible = new Set<number>()
  for (let p = 0; p < PARTITIONS; p++) {
    for (const r of log.sync.read({ topic: TOPIC, partition: p }, 0, 1e6)) {
      const id = idOf(r.value)
      assert.ok(!all.has(id), `record ${id} is served twice`)
      all.set(id, p)
    }
    for (const r of log.sync.read({ topic: TOPIC, partition: p }, 0, 1e6, 'read_committed'))
      visible.add(idOf(r.value))
  }
  for (const r of log.sync.read({ topic: 'c', partition: 0 }, 0, 1e6)) idOf(r.value)
  for (const ids of outcome.aborted)
    for (const id of ids) assert.ok(!visible.has(id), `aborted record ${id} is visible`)
  const [start] = await log.admin.beginningOffsets([{ topic: TOPIC, partition: PURGED }])
  // Even a reported loss (the journal's damaged tail cut off) never moves the log start back.
  assert.ok(start!.offset >= outcome.purged, `deleted records are back: ${start!.offset} < ${outcome.purged}`)
  assert.ok(start!.offset <= outcome.purgeAsked, `records never deleted are gone (start ${start!.offset})`)
  // Only records below what deleteRecordsBefore was asked may be gone.
  const kept = (id: number): boolean => {
    const [partition, offset] = outcome.placed.get(id) ?? [-1, 0]
    return partition !== PURGED || offset >= outcome.purgeAsked
  }
  if (!lossReported) {
    for (const id of outcome.acked)
      if (kept(id)) assert.ok(all.has(id), `acknowledged record ${id} is missing`)
    for (const t of outcome.committed)
      for (const id of t.ids)
        if (kept(id)) assert.ok(visible.has(id), `record ${id} of a committed transaction is missing`)
  }
  // The group offset of the last commit that took effect (either, when a purge beside a failed
  // commit deleted all its records: then whether it took effect is unknown).
  const expectedOffsets = [outcome.committed.findLast((t) => t.offset !== undefined)?.offset]
  for (const uncertain of outcome.uncertain) {
    const ids = uncertain.ids.filter(kept) // a purge running beside the commit may delete some
    const shown = ids.filter((id) => visible.has(id)).length
    assert.ok(shown === 0 || shown === ids.length, `a failed commit is partly visible`)
    if (uncertain.offset === undefined) continue
    if (ids.length === 0) expectedOffsets.push(uncertain.offset)
    else if (shown > 0) expectedOffsets.splice(0, 1, uncertain.offset)
  }
  const [g] = await log.admin.committedOffsets('g', [{ topic: TOPIC, partition: 0 }])
  const ends = await log.admin.endOffsets(
    Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })),
  )
  if (!lossReported)
    assert.ok(
      expectedOffsets.includes(g?.offset),
      `group offsets go with their transaction: ${g?.offset} not in ${expectedOffsets}`,
    )
  const [h] = await log.admin.committedOffsets('h', [{ topic: TOPIC, partition: 1 }])
  if (!lossReported) {
    if (g !== undefined) assert.ok(g.offset <= ends[0]!.offset, 'group g is ahead of its data')
    if (h !== undefined) assert.ok(h.offset <= ends[1]!.offset, 'group h is ahead of its data')
  }
}
