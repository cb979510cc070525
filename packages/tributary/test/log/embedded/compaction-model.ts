import assert from 'node:assert/strict'
import { setImmediate as tick } from 'node:timers/promises'
import type { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import type { Isolation, Producer } from '../../../src/log/log.ts'
import { random } from './fault-workload.ts'

export const TOPIC = 'c'
const tp = { topic: TOPIC, partition: 0 }

type State = 'plain' | 'committed' | 'aborted' | 'open'

/** One record the workload wrote, as the reference model of compaction sees it. */
export interface Written {
  readonly offset: number
  readonly key: string | null
  readonly value: string | null
  state: State
  /** The clock when it was written: its first clean is no sooner. */
  readonly writtenAt: number
  /** The clock at the first compact() that cleaned it (every compact() cleans below the LSO): its
   *  first clean was no later. Unset again when the log forgets what it cleaned (see Clock). */
  cleanedBy?: number
  /** A compact() ran delete.retention.ms or more after `cleanedBy`: were it a tombstone left as
   *  its key's latest record, that compaction removed it. */
  expired?: boolean
}

/** What a read returns, as [offset, key, value]. */
export type Row = [number, string | null, string | null]

/** Time in the model: the topic's delete.retention.ms; the clock is Date.now() (mocked by tests). */
export interface Timing {
  readonly deleteRetentionMs: number
  /** Moves the clock forward. */
  readonly tick: (ms: number) => void
}

const UNTIMED: Timing = {
  deleteRetentionMs: 24 * 3600_000,
  tick: () => {
    throw new Error('an untimed workload never moves the clock')
  },
}

/**
 * What a compacted log must serve, as the rows it must return (`must`) and the rows it may
 * return (`may`, a superset: a tombstone whose removal the model cannot time exactly, since an
 * automatic compaction may have cleaned it first). Below the last stable offset, the latest
 * visible record of each key (and every visible record with a null key) from the log start on,
 * except tombstones: one is kept for sure while delete.retention.ms has not passed since it was
 * written, and gone for sure once expired (see Written); from the LSO on, everything as written
 * (read_uncommitted), nothing (read_committed).
 */
export function expected(
  written: readonly Written[],
  lso: number,
  start: number,
  isolation: Isolation,
  deleteRetentionMs = UNTIMED.deleteRetentionMs,
): { must: Row[]; may: Row[] } {
  const visible = (w: Written): boolean => w.state === 'plain' || w.state === 'committed'
  const latest = new Map<string, number>()
  for (const w of written) if (w.offset < lso && visible(w) && w.key !== null) latest.set(w.key, w.offset)
  const may = written
    .filter((w) => w.offset >= start)
    .filter((w) =>
      w.offset < lso
        ? visible(w) &&
          (w.key === null || (latest.get(w.key) === w.offset && !(w.value === null && w.expired)))
        : isolation === 'read_uncommitted',
    )
  const now = Date.now()
  const sure = (w: Written): boolean =>
    w.offset >= lso || w.key === null || w.value !== null || now - w.writtenAt < deleteRetentionMs
  const row = (w: Written): Row => [w.offset, w.key, w.value]
  return { must: may.filter(sure).map(row), may: may.map(row) }
}

export function rows(log: EmbeddedLog, isolation: Isolation): Row[] {
  return log.sync
    .read(tp, 0, 1e6, isolation)
    .map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null])
}

/** Log start, high watermark and last stable offset of the partition. */
export async function bounds(log: EmbeddedLog): Promise<[number, number, number]> {
  const [start] = await log.admin.beginningOffsets([tp])
  const [end] = await log.admin.endOffsets([tp])
  const [stable] = await log.admin.endOffsets([tp], 'read_committed')
  return [start!.offset, end!.offset, stable!.offset]
}

/** Reads both isolations of `log` and hands each, with what the model expects of it now, to
 *  `check`. */
async function eachIsolation(
  log: EmbeddedLog,
  written: readonly Written[],
  timing: Timing,
  check: (
    isolation: Isolation,
    got: Row[],
    model: { must: Row[]; may: Row[] },
    start: number,
    lso: number,
  ) => void,
): Promise<void> {
  const [start, , lso] = await bounds(log)
  for (const isolation of ['read_committed', 'read_uncommitted'] as const)
    check(
      isolation,
      rows(log, isolation),
      expected(written, lso, start, isolation, timing.deleteRetentionMs),
      start,
      lso,
    )
}

/** Checks both isolations of `log` against the model: every row it must serve, in order, and
 *  nothing it may not. */
export async function assertModel(
  log: EmbeddedLog,
  written: readonly Written[],
  what: string,
  timing: Timing = UNTIMED,
): Promise<void> {
  await eachIsolation(log, written, timing, (isolation, got, { must, may }) => {
    const optional = new Set(may.map(([offset]) => offset))
    for (const [offset] of must) optional.delete(offset)
    const served = new Set(got.map(([offset]) => offset))
    assert.deepEqual(
      got.filter(([offset]) => !optional.has(offset)),
      must,
      `${what} (${isolation}): what it must serve`,
    )
    assert.deepEqual(
      got,
      may.filter(([offset]) => !optional.has(offset) || served.has(offset)),
      `${what} (${isolation}): only what it may serve`,
    )
  })
}

/**
 * Checks what `log` serves while compactions may be half done: in offset order, at least what a
 * compacted log must serve (see expected) and only records that were written and visible (under
 * read_uncommitted, aborted records too, until compaction removes them).
 */
export async function assertConsistent(
  log: EmbeddedLog,
  written: readonly Written[],
  what: string,
  timing: Timing = UNTIMED,
): Promise<void> {
  await eachIsolation(log, written, timing, (isolation, got, { must }, start, lso) => {
    const served = new Set(got.map((r) => JSON.stringify(r)))
    for (const row of must)
      assert.ok(served.has(JSON.stringify(row)), `${what} (${isolation}): missing ${JSON.stringify(row)}`)
    const allowed = new Set(
      written
        .filter((w) => w.offset >= start)
        .filter(
          (w) =>
            isolation === 'read_uncommitted' ||
            (w.offset < lso && (w.state === 'plain' || w.state === 'committed')),
        )
        .map((w) => JSON.stringify([w.offset, w.key, w.value])),
    )
    for (const row of served) assert.ok(allowed.has(row), `${what} (${isolation}): never visible: ${row}`)
    const offsets = got.map(([offset]) => offset)
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => a - b),
      `${what} (${isolation}): in order`,
    )
  })
}

/** Compacts the topic now and notes it in the model: each record below the LSO is cleaned by
 *  now at the latest, and those cleaned delete.retention.ms or more before now have expired. */
export async function compact(
  log: EmbeddedLog,
  written: readonly Written[],
  timing: Timing = UNTIMED,
): Promise<void> {
  const [, , lso] = await bounds(log)
  const now = Date.now()
  await log.compact(TOPIC)
  for (const w of written) {
    if (w.offset >= lso) continue
    if (w.cleanedBy === undefined) w.cleanedBy = now
    else if (now - w.cleanedBy >= timing.deleteRetentionMs) w.expired = true
  }
}

/** The log forgot when it cleaned what (it reopened, without a persisted checkpoint). */
export function forgetCleaning(written: readonly Written[]): void {
  for (const w of written) delete w.cleanedBy
}

/**
 * Writes a random compacted partition to `log` (topic TOPIC, created by the caller): keyed
 * records from a few keys, tombstones, null keys, committed and aborted transactions, with
 * compactions, automatic compaction turns and a deleteRecordsBefore along the way (with
 * `background`, the compactions run while the workload goes on, and every step checks that reads
 * are consistent: see assertConsistent), and with
 * `timing` the clock moving forward by steps around delete.retention.ms (fewer than
 * MAX_CLEAN_RUNS moves, so the checkpoint keeps every time exactly); with `open`, it ends with a
 * transaction left open and records after it. Returns what it wrote and the producer of the
 * open transaction.
 */
export async function writeRandom(
  log: EmbeddedLog,
  seed: number,
  steps: number,
  open: boolean,
  timing?: Timing,
  background = false,
): Promise<{ written: Written[]; txnal: Producer }> {
  const next = random(seed)
  const written: Written[] = []
  const compactions: Promise<number>[] = []
  const plain = await log.producer()
  const txnal = await log.producer({ transactionalId: `tx-${seed}` })
  let n = 0
  const record = () => {
    const key = next() < 0.1 ? null : `k${Math.floor(next() * 12)}`
    const value = next() < 0.1 ? null : `v${++n}`
    return {
      topic: TOPIC,
      partition: 0,
      key: key === null ? null : Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
    }
  }
  const send = async (producer: Producer, state: State): Promise<Written[]> => {
    const records = Array.from({ length: 1 + Math.floor(next() * 4) }, record)
    const placed = await producer.send(records)
    return records.map((r, i) => {
      const w: Written = {
        offset: placed[i]!.offset,
        key: r.key?.toString() ?? null,
        value: r.value?.toString() ?? null,
        state,
        writtenAt: Date.now(),
      }
      written.push(w)
      return w
    })
  }
  for (let step = 0; step < steps; step++) {
    const op = next()
    if (op < 0.55) await send(plain, 'plain')
    else if (op < 0.8) {
      await txnal.beginTransaction()
      const mine = await send(txnal, 'open')
      const commit = next() < 0.6
      if (commit) await txnal.commitTransaction()
      else await txnal.abortTransaction()
      for (const w of mine) w.state = commit ? 'committed' : 'aborted'
    } else if (op < 0.9) {
      if (background) compactions.push(log.compact(TOPIC))
      else await compact(log, written, timing)
    } else if (op < 0.98) {
      if (timing !== undefined && next() < 0.5) {
        const d = timing.deleteRetentionMs
        timing.tick([1, d >> 1, d - 1, d, 2 * d][Math.floor(next() * 5)]!)
      } else await tick()
    } else {
      const [, end] = await bounds(log)
      await log.admin.deleteRecordsBefore!([{ ...tp, offset: Math.floor(end * next() * 0.3) }])
    }
    if (background) await assertConsistent(log, written, `step ${step}`, timing)
  }
  await Promise.all(compactions)
  if (open) {
    await txnal.beginTransaction()
    await send(txnal, 'open')
    await send(plain, 'plain')
  }
  await plain.close()
  return { written, txnal }
}
