import type { PartitionLog } from './partition-log.ts'
import type { TopicSettings } from './topic-settings.ts'

/**
 * Where retention moves a partition's log start offset, as Kafka's log cleaner decides it: the
 * oldest segments go while each is entirely older than `retentionMs` (by its newest record's
 * timestamp or its last write, whichever is later: see Segment.maxTimestamp) and then while the partition would still hold at least
 * `retentionBytes` without it. Only whole segments, oldest first, and only below the last stable
 * offset (an open transaction's records stay). The active segment counts for retention.ms: when
 * it has expired too, `rollFirst` says to roll it so that it can go (the partition then restarts
 * empty at its high watermark). Returns undefined when nothing is due.
 */
export function retentionStart(
  log: PartitionLog,
  settings: TopicSettings,
  now: number,
): { start: number; rollFirst: boolean } | undefined {
  const segments = log.segments
  const lso = log.lastStableOffset()
  const expired = (i: number): boolean =>
    settings.retentionMs >= 0 && now - segments[i]!.maxTimestamp > settings.retentionMs
  let gone = 0
  while (gone < segments.length - 1 && segments[gone + 1]!.base <= lso && expired(gone)) gone++
  if (settings.retentionBytes >= 0) {
    let excess = segments.reduce((sum, s) => sum + s.bytes, 0) - settings.retentionBytes
    for (let i = 0; i < gone; i++) excess -= segments[i]!.bytes
    while (
      gone < segments.length - 1 &&
      segments[gone + 1]!.base <= lso &&
      excess - segments[gone]!.bytes >= 0
    ) {
      excess -= segments[gone]!.bytes
      gone++
    }
  }
  const activeHolds = log.activeSegment.base < log.nextOffset
  if (gone === segments.length - 1 && activeHolds && log.nextOffset <= lso && expired(gone))
    return { start: log.nextOffset, rollFirst: true }
  if (gone === 0) return undefined
  const start = segments[gone]!.base
  return start > log.startOffset ? { start, rollFirst: false } : undefined
}
