import { DROP, entryBytes, KEEP, keptRecord, scanMarkingLast, type CleanRange } from './clean-range.ts'
import type { Pacer } from './pacer.ts'
import type { PartitionLog } from './partition-log.ts'
import type { Segment } from './segment.ts'

/** Consecutive closed segments rewritten as one into the first one's file, holding the offsets
 *  up to `end` (the next segment's base); `changed` is false when cleaning would leave the only
 *  segment as it is. */
export interface CompactionGroup {
  readonly segments: readonly Segment[]
  readonly end: number
  readonly changed: boolean
}

/**
 * Splits the closed segments that hold entries below `clean.end` into runs rewritten as one, as
 * Kafka's cleaner groups segments: a run grows while what it keeps fits in segment.bytes and its
 * newest record is within segment.ms of when its first segment was started (so a compacted
 * segment spans no more time than an appended one may). What each segment keeps is measured by
 * reading it through once, paced (nothing is held). Returns the runs in order.
 */
export async function planGroups(
  log: PartitionLog,
  clean: CleanRange,
  pacer: Pacer,
): Promise<CompactionGroup[]> {
  const { segmentBytes, segmentMs } = log.rollPolicy
  const segments = log.segments.slice() // later ones may roll meanwhile; none goes (see compactRound)
  const groups: { segments: Segment[]; end: number; changed: boolean }[] = []
  let bytes = 0
  for (let s = 0; s < segments.length - 1 && segments[s]!.base < clean.end; s++) {
    const segment = segments[s]!
    const end = segments[s + 1]!.base
    const { keptBytes, changed } = await measure(log, clean, segment.base, end, pacer)
    const group = groups.at(-1)
    const fits =
      group !== undefined &&
      bytes + keptBytes <= segmentBytes &&
      segment.maxTimestamp - group.segments[0]!.rolledAt <= segmentMs
    if (fits) {
      group.segments.push(segment)
      group.end = end
      group.changed = true
      bytes += keptBytes
    } else {
      groups.push({ segments: [segment], end, changed })
      bytes = keptBytes
    }
  }
  return groups
}

/** What cleaning keeps of the entries in `[from, to)` (about, in bytes), and whether it changes
 *  any of them (if they were a group of their own). */
async function measure(
  log: PartitionLog,
  clean: CleanRange,
  from: number,
  to: number,
  pacer: Pacer,
): Promise<{ keptBytes: number; changed: boolean }> {
  let keptBytes = 0
  let changed = false
  await scanMarkingLast(log, from, to, pacer, (offset, kind, txn, record, last) => {
    const verdict = clean.verdict(offset, kind, txn, record, last)
    if (verdict !== KEEP) changed = true
    if (verdict !== DROP) keptBytes += entryBytes(keptRecord(verdict, record))
  })
  return { keptBytes, changed }
}
