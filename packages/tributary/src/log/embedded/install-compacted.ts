import type { PartitionFile } from './partition-file.ts'
import { appendEntries, estimateBytes, type Entries, type PartitionLog } from './partition-log.ts'
import { encodeEntries } from './record-codec.ts'
import type { Segment } from './segment.ts'
import { SparseIndex } from './sparse-index.ts'

/** The retained entries of the closed segments, as compaction reads them: segment `s` holds
 *  entries `[starts[s], starts[s + 1])`. */
export interface ClosedEntries extends Entries {
  starts: number[]
}

/** Closed segments `first..last` (indexes, inclusive) as compaction leaves them: `kept` is what
 *  the first one's file is rewritten with (the others merge into it), null when unchanged. */
export interface CompactedGroup {
  readonly first: number
  readonly last: number
  readonly kept: Entries | null
}

/**
 * Installs what compaction kept of a partition's closed segments, group by group (`closed` is
 * what compaction read of them). Each changed group's first file is rewritten crash-safely with
 * its kept entries, keeping the group's newest time as the file's modification time (retention
 * and recovery judge its age by it), and gets a new index; its other segments are merged into it
 * and returned for the caller to delete (recovery removes such leftovers: see
 * partition-recovery.ts). If a rewrite throws, the groups before it are installed, it and the
 * later ones are left as they were, and the error is rethrown.
 */
export function installCompacted(
  log: PartitionLog,
  groups: readonly CompactedGroup[],
  closed: ClosedEntries,
): PartitionFile[] {
  const segments: Segment[] = []
  const merged: PartitionFile[] = []
  const next: Entries = { offsets: [], kinds: [], txns: [], records: [] }
  let failure: unknown
  for (const { first, last, kept } of groups) {
    const group = log.segments.slice(first, last + 1)
    if (kept !== null && failure === undefined) {
      try {
        rewriteGroup(group, kept)
        segments.push(group[0]!)
        appendEntries(next, kept, 0, kept.offsets.length)
        for (const s of group.slice(1)) if (s.file !== null) merged.push(s.file)
        continue
      } catch (err) {
        failure = err
      }
    }
    segments.push(...group)
    appendEntries(next, closed, closed.starts[first]!, closed.starts[last + 1]!)
  }
  segments.push(log.activeSegment)
  log.segments = segments
  log.recache(next)
  if (failure !== undefined) {
    for (const file of merged) file.close(false) // left for recovery to remove
    throw failure
  }
  log.dirtyEntries = 0
  return merged
}

/** Rewrites a group of closed segments as its first one holding `kept` (throws before changing
 *  anything when the rewrite fails). */
function rewriteGroup(group: readonly Segment[], kept: Entries): void {
  const head = group[0]!
  const maxTimestamp = Math.max(...group.map((s) => s.maxTimestamp))
  const positions: number[] = []
  const encoded = head.file === null ? null : encodeEntries(kept, 0, kept.offsets.length, positions, 0)
  if (encoded !== null) head.file!.replace(encoded, maxTimestamp)
  head.bytes = encoded?.length ?? estimateBytes(kept)
  head.maxTimestamp = maxTimestamp
  head.entries = kept.offsets.length
  if (head.index !== null) head.index = SparseIndex.of(kept.offsets, positions)
}
