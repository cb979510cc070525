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
import type { PartitionFile } from './partition-file.ts'
import { appendEntries, estimateBytes, type Entries, type PartitionLog } from './partition-log.ts'
import { encodeEntries } from './record-codec.ts'
import type { Segment } from './segment.ts'
import { SparseIndex } from './sparse-index.ts'

/** Kept entries are encoded and written in batches of about this many bytes. */
const WRITE_BATCH_BYTES = 1024 * 1024

/**
 * Rewrites the changed groups of a partition's closed segments as `clean` says, group by group,
 * streaming: entries are read from the segment files, and what is kept is written to the
 * group's new file in batches, so memory holds a batch and never a segment. Each group's first
 * file is replaced crash-safely (see FileRewrite), keeping the group's newest time as the file's
 * modification time (retention and recovery judge its age by it), and gets a new index; its other
 * segments are merged into it and returned for the caller to delete (recovery removes such
 * leftovers: see partition-recovery.ts). The entry cache is rebuilt from what was kept of the
 * entries it held. If a rewrite throws, the groups before it are installed, it and the later ones
 * are left as they were, and the error is rethrown. Returns the entries removed and the merged files.
 */
export function installCompacted(
  log: PartitionLog,
  groups: readonly CompactionGroup[],
  clean: CleanRange,
): { removed: number; merged: PartitionFile[] } {
  const old = log.segments
  const cache = log.cache
  const cacheStart = cache.firstOffset ?? Infinity
  const cached: Entries = { offsets: [], kinds: [], txns: [], records: [] } // kept, from cacheStart
  const segments: Segment[] = []
  const merged: PartitionFile[] = []
  let removed = 0
  let end = old[0]!.base // rewritten (or found unchanged) below it
  let failure: unknown
  for (const { first, last, changed } of groups) {
    const group = old.slice(first, last + 1)
    const to = old[last + 1]!.base
    if (failure === undefined) {
      const mark = cached.offsets.length
      try {
        if (changed) {
          removed += rewriteGroup(log, group, to, clean, cacheStart, cached)
          segments.push(group[0]!)
          for (const s of group.slice(1)) if (s.file !== null) merged.push(s.file)
        } else {
          segments.push(...group)
          appendEntries(cached, cache, cache.indexOf(group[0]!.base), cache.indexOf(to))
        }
        end = to
        continue
      } catch (err) {
        failure = err
        truncate(cached, mark) // what the failed group would have kept
      }
    }
    segments.push(...group)
  }
  segments.push(...old.slice((groups.at(-1)?.last ?? -1) + 1))
  log.segments = segments
  log.recache(cached, end)
  if (failure !== undefined) {
    for (const file of merged) file.close(false) // left for recovery to remove
    throw failure
  }
  return { removed, merged }
}

/**
 * Rewrites a group of closed segments (ending before offset `to`) as its first one holding what
 * `clean` keeps; kept entries from `cacheStart` on are also added to `cached`. Throws before
 * changing anything when the rewrite fails. Returns how many entries it removed.
 */
function rewriteGroup(
  log: PartitionLog,
  group: readonly Segment[],
  to: number,
  clean: CleanRange,
  cacheStart: number,
  cached: Entries,
): number {
  const head = group[0]!
  const rewrite = head.file?.rewrite() ?? null
  const index = head.index === null ? null : new SparseIndex()
  const batch: Entries = { offsets: [], kinds: [], txns: [], records: [] }
  let batchBytes = 0
  let memoryBytes = 0 // memory mode: what segment.bytes counts
  let kept = 0
  let removed = 0
  const flush = (): void => {
    if (rewrite !== null) {
      const positions: number[] = []
      rewrite.append(encodeEntries(batch, 0, batch.offsets.length, positions, rewrite.length))
      for (let i = 0; i < positions.length; i++) index!.add(batch.offsets[i]!, positions[i]!)
    } else {
      memoryBytes += estimateBytes(batch)
    }
    truncate(batch, 0)
    batchBytes = 0
  }
  const maxTimestamp = Math.max(...group.map((s) => s.maxTimestamp))
  try {
    scanMarkingLast(log, head.base, to, (offset, kind, txn, record, last) => {
      const verdict = clean.verdict(offset, kind, txn, record, last)
      if (verdict === DROP) {
        removed++
        return
      }
      const keptAs = keptRecord(verdict, record)
      push(batch, offset, keptKind(verdict, kind), keptTxn(verdict, txn), keptAs)
      if (offset >= cacheStart) push(cached, offset, keptKind(verdict, kind), keptTxn(verdict, txn), keptAs)
      kept++
      batchBytes += entryBytes(keptAs)
      if (batchBytes >= WRITE_BATCH_BYTES) flush()
    })
    flush()
    if (rewrite !== null) head.file!.replaceWith(rewrite, maxTimestamp)
  } catch (err) {
    rewrite?.abandon()
    throw err
  }
  head.bytes = rewrite?.length ?? memoryBytes
  head.maxTimestamp = maxTimestamp
  head.entries = kept
  if (index !== null) {
    index.trim()
    head.index = index
  }
  return removed
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

function truncate(entries: Entries, length: number): void {
  entries.offsets.length = entries.kinds.length = entries.txns.length = entries.records.length = length
}
