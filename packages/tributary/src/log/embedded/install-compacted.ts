import type { ConsumerRecord } from '../log.ts'
import {
  DROP,
  entryBytes,
  keptKind,
  keptRecord,
  keptTxn,
  scanMarkingLast,
  type CleanRange,
} from './clean-range.ts'
import type { CompactionGroup } from './compaction-groups.ts'
import type { FileRewrite } from './file-rewrite.ts'
import type { Pacer } from './pacer.ts'
import { estimateBytes, type Entries, type PartitionLog } from './partition-log.ts'
import { encodeEntries } from './record-codec.ts'
import { SparseIndex } from './sparse-index.ts'

/** Kept entries are encoded and written in batches of about this many bytes. */
const WRITE_BATCH_BYTES = 1024 * 1024

/**
 * Rewrites the changed groups of a partition's closed segments as `clean` says, group by group,
 * streaming and paced: entries are read from the segment files, and what is kept is written to
 * the group's new file in batches, so memory holds a batch and never a segment. Once a group's
 * new file is complete (and synced off the event loop), it is installed in one synchronous step,
 * so readers see the group before or after, never between: the group's first file is replaced
 * crash-safely (see FileRewrite), keeping the group's newest time as the file's modification time
 * (retention and recovery judge its age by it), and gets a new index; its other segments leave
 * the partition and their files are deleted (recovery removes such leftovers: see
 * partition-recovery.ts); the cached entries of its range are replaced by what was kept.
 *
 * Between slices the log may change (see compactRound): only appends at its end, which leave the
 * groups alone. If a rewrite fails or the pacer stops it, its new file is abandoned, the groups
 * before it stay installed, it and the later ones stay as they were, and the error is rethrown.
 * Returns the entries removed.
 */
export async function installCompacted(
  log: PartitionLog,
  groups: readonly CompactionGroup[],
  clean: CleanRange,
  pacer: Pacer,
): Promise<number> {
  let removed = 0
  for (const group of groups) if (group.changed) removed += await rewriteGroup(log, group, clean, pacer)
  return removed
}

/** Rewrites one group (see installCompacted). Returns how many entries it removed. */
async function rewriteGroup(
  log: PartitionLog,
  group: CompactionGroup,
  clean: CleanRange,
  pacer: Pacer,
): Promise<number> {
  const head = group.segments[0]!
  const rewrite = head.file?.rewrite() ?? null
  const index = head.index === null ? null : new SparseIndex()
  const batch: Entries = { offsets: [], kinds: [], txns: [], records: [] }
  const kept: Entries = { offsets: [], kinds: [], txns: [], records: [] } // from the cache's start
  let batchBytes = 0
  let memoryBytes = 0 // memory mode: what segment.bytes counts
  let entries = 0
  let removed = 0
  const flush = (): void => {
    if (rewrite !== null) {
      const positions: number[] = []
      rewrite.append(encodeEntries(batch, 0, batch.offsets.length, positions, rewrite.length))
      for (let i = 0; i < positions.length; i++) index!.add(batch.offsets[i]!, positions[i]!)
    } else {
      memoryBytes += estimateBytes(batch)
    }
    truncate(batch)
    batchBytes = 0
  }
  const maxTimestamp = Math.max(...group.segments.map((s) => s.maxTimestamp))
  try {
    await scanMarkingLast(log, head.base, group.end, pacer, (offset, kind, txn, record, last) => {
      const verdict = clean.verdict(offset, kind, txn, record, last)
      if (verdict === DROP) {
        removed++
        return
      }
      const keptAs = keptRecord(verdict, record)
      push(batch, offset, keptKind(verdict, kind), keptTxn(verdict, txn), keptAs)
      if (offset >= (log.cache.firstOffset ?? Infinity))
        push(kept, offset, keptKind(verdict, kind), keptTxn(verdict, txn), keptAs)
      entries++
      batchBytes += entryBytes(keptAs)
      if (batchBytes >= WRITE_BATCH_BYTES) flush()
    })
    flush()
    if (rewrite !== null) await synced(rewrite, pacer)
    if (rewrite !== null) head.file!.replaceWith(rewrite, maxTimestamp)
  } catch (err) {
    // Stopped by a deleted topic or by close, it removes nothing: the directory went with the
    // topic, or close may have stopped waiting for this round and released the data directory,
    // whose next owner may be writing its own `<path>.tmp`. The next open removes a leftover.
    rewrite?.abandon(!log.deleted && !pacer.closed())
    throw err
  }
  // Installed: memory follows, then the merged files go (a failure there leaves them to recovery).
  head.bytes = rewrite?.length ?? memoryBytes
  head.maxTimestamp = maxTimestamp
  head.entries = entries
  if (index !== null) {
    index.trim()
    head.index = index
  }
  const merged = group.segments.slice(1)
  log.segments = log.segments.filter((s) => !merged.includes(s))
  log.recache(kept, head.base, group.end)
  log.store?.remove(merged.flatMap((s) => (s.file === null ? [] : [s.file])))
  return removed
}

/** Syncs a finished rewrite off the event loop (so installing it syncs nothing left), then checks
 *  that the work may go on. */
async function synced(rewrite: FileRewrite, pacer: Pacer): Promise<void> {
  await rewrite.sync()
  await pacer.pause()
}

function push(
  to: Entries,
  offset: number,
  kind: number,
  txn: number,
  record: ConsumerRecord | undefined,
): void {
  to.offsets.push(offset)
  to.kinds.push(kind)
  to.txns.push(txn)
  to.records.push(record)
}

function truncate(entries: Entries): void {
  entries.offsets.length = entries.kinds.length = entries.txns.length = entries.records.length = 0
}
