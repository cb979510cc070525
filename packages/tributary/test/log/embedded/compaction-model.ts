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
}

/** What a read returns, as [offset, key, value]. */
export type Row = [number, string | null, string | null]

/**
 * What a compacted log must serve: below the last stable offset, the latest visible record of
 * each key (and every visible record with a null key) from the log start on; from the LSO on,
 * everything as written (read_uncommitted), nothing (read_committed).
 */
export function expected(
  written: readonly Written[],
  lso: number,
  start: number,
  isolation: Isolation,
): Row[] {
  const visible = (w: Written): boolean => w.state === 'plain' || w.state === 'committed'
  const latest = new Map<string, number>()
  for (const w of written) if (w.offset < lso && visible(w) && w.key !== null) latest.set(w.key, w.offset)
  return written
    .filter((w) => w.offset >= start)
    .filter((w) =>
      w.offset < lso
        ? visible(w) && (w.key === null || latest.get(w.key) === w.offset)
        : isolation === 'read_uncommitted',
    )
    .map((w) => [w.offset, w.key, w.value])
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

/** Checks both isolations of `log` against the model. */
export async function assertModel(
  log: EmbeddedLog,
  written: readonly Written[],
  what: string,
): Promise<void> {
  const [start, , lso] = await bounds(log)
  for (const isolation of ['read_committed', 'read_uncommitted'] as const)
    assert.deepEqual(rows(log, isolation), expected(written, lso, start, isolation), `${what} (${isolation})`)
}

/**
 * Writes a random compacted partition to `log` (topic TOPIC, created by the caller): keyed
 * records from a few keys, tombstones, null keys, committed and aborted transactions, with
 * compactions, automatic compaction turns and a deleteRecordsBefore along the way; with `open`,
 * it ends with a transaction left open and records after it. Returns what it wrote and the
 * producer of the open transaction.
 */
export async function writeRandom(
  log: EmbeddedLog,
  seed: number,
  steps: number,
  open: boolean,
): Promise<{ written: Written[]; txnal: Producer }> {
  const next = random(seed)
  const written: Written[] = []
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
    } else if (op < 0.9) await log.compact(TOPIC)
    else if (op < 0.98) await tick()
    else {
      const [, end] = await bounds(log)
      await log.admin.deleteRecordsBefore!([{ ...tp, offset: Math.floor(end * next() * 0.3) }])
    }
  }
  if (open) {
    await txnal.beginTransaction()
    await send(txnal, 'open')
    await send(plain, 'plain')
  }
  await plain.close()
  return { written, txnal }
}
