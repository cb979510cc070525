import { DROP, entryBytes, KEEP, keptRecord, scanMarkingLast, type CleanRange } from './clean-range.ts'
import type { PartitionLog } from './partition-log.ts'

/** Closed segments `first..last` (indexes, inclusive) rewritten as one into the first one's file;
 *  `changed` is false when cleaning would leave the only segment as it is. */
export interface CompactionGroup {
  readonly first: number
  readonly last: number
  readonly changed: boolean
}

/**
 * Splits the closed segments that hold entries below `clean.end` into runs rewritten as one, as
 * Kafka's cleaner groups segments: a run grows while what it keeps fits in segment.bytes and its
 * newest record is within segment.ms of when its first segment was started (so a compacted
 * segment spans no more time than an appended one may). What each segment keeps is measured by
 * reading it through once (nothing is held). Returns the runs in order.
 */
export function planGroups(log: PartitionLog, clean: CleanRange): CompactionGroup[] {
  const { segmentBytes, segmentMs } = log.rollPolicy
  const segments = log.segments
  const groups: { first: number; last: number; changed: boolean }[] = []
  let bytes = 0
  for (let s = 0; s < segments.length - 1 && segments[s]!.base < clean.end; s++) {
    const { keptBytes, changed } = measure(log, clean, segments[s]!.base, segments[s + 1]!.base)
    const group = groups.at(-1)
    const fits =
      group !== undefined &&
      bytes + keptBytes <= segmentBytes &&
      segments[s]!.maxTimestamp - segments[group.first]!.rolledAt <= segmentMs
    if (fits) {
      group.last = s
      group.changed = true
      bytes += keptBytes
    } else {
      groups.push({ first: s, last: s, changed })
      bytes = keptBytes
    }
  }
  return groups
}

/** What cleaning keeps of the entries in `[from, to)` (about, in bytes), and whether it changes
 *  any of them (if they were a group of their own). */
function measure(
  log: PartitionLog,
  clean: CleanRange,
  from: number,
  to: number,
): { keptBytes: number; changed: boolean } {
  let keptBytes = 0
  let changed = false
  scanMarkingLast(log, from, to, (offset, kind, txn, record, last) => {
    const verdict = clean.verdict(offset, kind, txn, record, last)
    if (verdict !== KEEP) changed = true
    if (verdict !== DROP) keptBytes += entryBytes(keptRecord(verdict, record))
  })
  return { keptBytes, changed }
}
