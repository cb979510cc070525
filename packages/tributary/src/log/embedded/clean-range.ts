import type { ConsumerRecord } from '../log.ts'
import type { KeyOffsetMap } from './key-offset-map.ts'
import { scanPaced, type PacedVisitor, type Pacer } from './pacer.ts'
import type { PartitionLog } from './partition-log.ts'
import { ABORT_MARKER, COMMIT_MARKER, DATA } from './record-codec.ts'

/** What cleaning does with one entry (see CleanRange.verdict). */
export const DROP = 0
export const KEEP = 1
/** A committed transactional record, kept as a plain one (its marker may go). */
export const AS_PLAIN = 2
/** An aborted record ending a group: an abort marker of its transaction at its offset. */
export const AS_ABORT_MARKER = 3
/** A superseded record ending a group: a commit marker of no transaction (readers skip it). */
export const AS_FILLER = 4
export type Verdict = typeof DROP | typeof KEEP | typeof AS_PLAIN | typeof AS_ABORT_MARKER | typeof AS_FILLER

/**
 * The rule of one compaction round over the entries below `end` (where its key map stops; at or
 * below the last stable offset): a record is kept if it is visible (not aborted) and the latest
 * of its key (the map holds no later offset for it) or has a null key; markers and aborted or
 * superseded records go. A tombstone (a null value) that is its key's latest record goes too once
 * it was first cleaned (see CleanerCheckpoint) at or before `expiredBy`, that is at least
 * delete.retention.ms ago, as Kafka's delete horizon: the round that first cleaned it removed its
 * key's earlier records, so a consumer that read one of those had started before then and, if it
 * reaches the log end within delete.retention.ms of starting, still reads the tombstone. The
 * tombstones this round cleans first (from the first dirty offset on) all stay. The last entry of
 * a rewritten group always stays, as a marker when it would go, so the group still ends where the
 * next segment starts (recovery relies on it). Entries at or after `end` are kept as they are: a
 * later round cleans them.
 */
export class CleanRange {
  /** The earliest first-clean time of a tombstone it kept (Infinity: none), and whether it kept
   *  one that this round cleans first. */
  private keptSince = Infinity
  private keptNew = false

  constructor(
    private readonly log: PartitionLog,
    private readonly map: KeyOffsetMap,
    readonly end: number,
    private readonly expiredBy: number,
  ) {}

  verdict(
    offset: number,
    kind: number,
    txn: number,
    record: ConsumerRecord | undefined,
    last: boolean,
  ): Verdict {
    if (offset >= this.end) return KEEP
    if (kind === DATA && (txn === 0 || !this.log.isAborted(txn))) {
      const key = record!.key
      const tombstone = key !== null && record!.value === null
      const gone = key !== null && (this.map.get(key) > offset || (tombstone && this.expired(offset)))
      if (!gone) {
        if (tombstone) this.keep(offset)
        return txn === 0 ? KEEP : AS_PLAIN
      }
      return last ? AS_FILLER : DROP
    }
    if (!last) return DROP
    return kind === DATA ? AS_ABORT_MARKER : KEEP
  }

  /** The earliest first-clean time of the tombstones it kept below `end` (every entry there had
   *  its verdict), with `cleanedAt` as the time of those this round cleaned first; Infinity: none. */
  keptTombstonesSince(cleanedAt: number): number {
    return Math.min(this.keptSince, this.keptNew ? cleanedAt : Infinity)
  }

  private keep(offset: number): void {
    const cleanedAt = this.log.cleaner.cleanedAt(offset)
    if (cleanedAt === undefined) this.keptNew = true
    else this.keptSince = Math.min(this.keptSince, cleanedAt)
  }

  /** Whether a tombstone at `offset` has been kept for delete.retention.ms since its first clean. */
  private expired(offset: number): boolean {
    const cleanedAt = this.log.cleaner.cleanedAt(offset)
    return cleanedAt !== undefined && cleanedAt <= this.expiredBy
  }
}

/** The record an entry is written with under `verdict` (none for a marker). */
export const keptRecord = (
  verdict: Verdict,
  record: ConsumerRecord | undefined,
): ConsumerRecord | undefined => (verdict === AS_ABORT_MARKER || verdict === AS_FILLER ? undefined : record)

/** The kind an entry is written with under `verdict`. */
export const keptKind = (verdict: Verdict, kind: number): number =>
  verdict === AS_ABORT_MARKER ? ABORT_MARKER : verdict === AS_FILLER ? COMMIT_MARKER : kind

/** The transaction an entry is written with under `verdict`. */
export const keptTxn = (verdict: Verdict, txn: number): number =>
  verdict === AS_PLAIN || verdict === AS_FILLER ? 0 : txn

/** About what an entry takes in a segment file (frame, offsets, key, value, headers). */
export function entryBytes(record: ConsumerRecord | undefined): number {
  if (record === undefined) return 30
  let bytes = 40 + (record.key?.length ?? 0) + (record.value?.length ?? 0)
  for (const [name, value] of Object.entries(record.headers)) bytes += 6 + name.length + value.length
  return bytes
}

/** scanPaced over `[from, to)`, telling `visit` which entry is the last one (read one entry
 *  ahead, so nothing else is held). */
export async function scanMarkingLast(
  log: PartitionLog,
  from: number,
  to: number,
  pacer: Pacer,
  visit: (
    offset: number,
    kind: number,
    txn: number,
    record: ConsumerRecord | undefined,
    last: boolean,
  ) => void,
): Promise<void> {
  let offset = -1
  let kind = 0
  let txn = 0
  let record: ConsumerRecord | undefined
  const ahead: PacedVisitor = (o, k, t, r) => {
    if (offset >= 0) visit(offset, kind, txn, record, false)
    offset = o
    kind = k
    txn = t
    record = r
    return true
  }
  await scanPaced(log, from, to, ahead, pacer)
  if (offset >= 0) visit(offset, kind, txn, record, true)
}
