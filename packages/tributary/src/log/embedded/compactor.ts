import { CleanRange } from './clean-range.ts'
import { planGroups } from './compaction-groups.ts'
import { installCompacted } from './install-compacted.ts'
import { KeyOffsetMap } from './key-offset-map.ts'
import { Pacer, scanPaced } from './pacer.ts'
import type { PartitionLog } from './partition-log.ts'
import { DATA } from './record-codec.ts'

/** Kafka's log.cleaner.dedupe.buffer.size is 128 MiB; keys are held whole here (see KeyOffsetMap). */
export const DEFAULT_COMPACT_BUFFER_BYTES = 64 * 1024 * 1024

/** How one partition is compacted. */
export interface CompactionSettings {
  /** Bytes of keys a round holds at most (see KeyOffsetMap). */
  readonly bufferBytes: number
  /** The topic's delete.retention.ms: how long a tombstone stays after its first clean. */
  readonly deleteRetentionMs: number
}

/**
 * One round of log compaction of one partition: compaction works in rounds of bounded memory as
 * Kafka's log cleaner does, each continuing where the one before stopped, until one says there
 * is no `more` (see CompactionScheduler). The first round of a compaction (`roll`) rolls the
 * active segment first (when it holds entries); the closed segments below the last stable offset
 * are then cleaned: keep only the latest visible record per key, drop control markers and aborted
 * records, and mark kept transactional records as plain committed ones (their markers may go). A
 * tombstone (null value) stays as its key's latest record until delete.retention.ms after the
 * round that first cleaned it (see CleanRange), then goes with its key. Records with a null key
 * are kept; entries at or after the LSO (open transactions and whatever follows) are untouched.
 *
 * A round reads the dirty entries (from `log.cleaner`'s first dirty offset, Kafka's cleaner
 * checkpoint) into a key → latest offset map of at most `bufferBytes` (pass 1), stopping where the
 * map is full; it then rewrites the segments below that point, streaming (pass 2, see
 * installCompacted), and moves the checkpoint there. Below the checkpoint each key appears at most
 * once, so a round only needs the keys after it. Neither pass holds records: memory is the map, a
 * write batch and the entry cache. With nothing dirty, a round still removes the tombstones whose
 * time has come, and only when one it kept can have come (see CleanerCheckpoint.tombstonesDue).
 *
 * As Kafka's cleaner, consecutive closed segments are rewritten together as one (into the first
 * one's file) only while the result stays within segment.bytes and segment.ms (see planGroups):
 * old records stay in old segments, so time retention (`compact,delete`) can still delete them
 * whole. The last entry of each group stays (a record that would go, as a marker at its offset),
 * so a rewritten segment covers every segment it replaces (recovery relies on it). Files change
 * only for groups that lose or change entries or merge segments; each is replaced crash-safely.
 *
 * A round works in slices (see Pacer), so other work interleaves. What it holds across them: its
 * key map, the planned groups (the closed segments below `upper`, the LSO and active segment's
 * base when it started) and at most one half-written new file. Those segments change only by
 * compaction (one round at a time per partition: see CompactionScheduler) or leave by a move of
 * the log start; appends, rolls, transaction markers, reads and commits touch only what is at or
 * after `upper`, and transactions below it are decided. So after each yield it re-checks only
 * `check` (throws when the log closed, failed or its topic was deleted: the round stops) and
 * that the log start has not moved (else StaleRound). A stopped round abandons its half-written
 * file and leaves the groups it installed (each whole), and the checkpoint where it was.
 * Returns the entries removed and whether dirty entries below the LSO are left for another round.
 */
export async function compactRound(
  log: PartitionLog,
  settings: CompactionSettings,
  roll: boolean,
  check: () => void,
  now = Date.now(),
): Promise<{ removed: number; more: boolean }> {
  if (roll && log.activeSegment.entries > 0) {
    await log.file?.durable() // off the event loop, so that rolling has little left to sync
    check()
    log.rollSegment(now)
  }
  const upper = Math.min(log.lastStableOffset(), log.activeSegment.base)
  const start = log.startOffset
  const from = Math.max(log.cleaner.firstDirtyOffset, start)
  const expiredBy = now - settings.deleteRetentionMs
  const dirty = from < upper
  const dirtyBefore = log.dirtyEntries
  if (!dirty && !log.cleaner.tombstonesDue(expiredBy)) {
    log.dirtyEntries = 0
    return { removed: 0, more: false }
  }
  const pacer = new Pacer(() => {
    check()
    if (log.startOffset !== start)
      throw new StaleRound(`the log start of ${log.topic}-${log.partition} moved`)
  })
  const map = new KeyOffsetMap(settings.bufferBytes)
  const { end, read } = dirty ? await mapKeys(log, map, from, upper, pacer) : { end: from, read: 0 }
  const clean = new CleanRange(log, map, end, expiredBy)
  const groups = await planGroups(log, clean, pacer)
  const removed = await installCompacted(log, groups, clean, pacer)
  // The first clean is dated when the checkpoint moves, once every group is installed (the older
  // values of a tombstone's key are gone from then on, not from the round's start), so a
  // tombstone never goes before delete.retention.ms after its key's older values went.
  const cleanedAt = Date.now()
  log.cleaner.advance(end, cleanedAt, log.startOffset, settings.deleteRetentionMs)
  log.cleaner.keptTombstones(clean.keptTombstonesSince(cleanedAt))
  const more = end < upper
  log.dirtyEntries = Math.max(0, log.dirtyEntries - (more ? read : dirtyBefore))
  return { removed, more }
}

/**
 * A round stopped because what it planned from changed while it yielded (the log start moved:
 * retention or deleteRecordsBefore removed segments it planned to rewrite). Nothing is lost: the
 * groups it installed are complete, and the next round plans again.
 */
export class StaleRound extends Error {}

/**
 * Pass 1: notes the latest offset of each key of the visible records in `[from, to)` until the
 * map is full. Returns where it stopped (the first record it could not note, else `to`) and how
 * many entries it read.
 */
async function mapKeys(
  log: PartitionLog,
  map: KeyOffsetMap,
  from: number,
  to: number,
  pacer: Pacer,
): Promise<{ end: number; read: number }> {
  let end = to
  let read = 0
  await scanPaced(
    log,
    from,
    to,
    (offset, kind, txn, record) => {
      const key = record?.key ?? null
      if (kind === DATA && key !== null && (txn === 0 || !log.isAborted(txn)) && !map.put(key, offset)) {
        end = offset
        return false
      }
      read++
      return true
    },
    pacer,
  )
  return { end, read }
}

/** Whether a compacted partition has grown enough since its last compaction to compact again. */
export const shouldCompact = (log: PartitionLog, minDirtyEntries: number): boolean =>
  log.dirtyEntries >= Math.max(minDirtyEntries, log.entryCount - log.dirtyEntries)
