import type { ConsumerRecord } from '../log.ts'
import { DATA } from './record-codec.ts'
import type { PartitionLog } from './partition-log.ts'

/**
 * Log compaction of one partition: below the last stable offset, keep only the latest visible
 * record per key (tombstones included), drop control markers and aborted records, and mark kept
 * transactional records as plain committed ones (their markers may be gone). Offsets are kept;
 * entries at or after the LSO (open transactions and whatever follows) are untouched, and so is
 * the very last entry, which fixes the high watermark across restarts. Records with a null key
 * are kept. Returns how many entries were removed; the file is rewritten crash-safely only then.
 */
export function compactPartition(log: PartitionLog): number {
  const { offsets, kinds, txns } = log
  const records = log.allRecords()
  const length = offsets.length
  const end = log.indexOf(log.lastStableOffset()) // entries [0, end) are below the LSO
  const visible = (i: number): boolean => kinds[i] === DATA && (txns[i] === 0 || !log.isAborted(txns[i]!))
  const latest = new Map<string, number>()
  for (let i = 0; i < end; i++) {
    const key = records[i]?.key
    if (visible(i) && key !== null && key !== undefined) latest.set(key.toString('latin1'), i)
  }
  const kept = {
    offsets: [] as number[],
    kinds: [] as number[],
    txns: [] as number[],
    records: [] as (ConsumerRecord | undefined)[],
  }
  for (let i = 0; i < length; i++) {
    if (i < end && i !== length - 1) {
      if (!visible(i)) continue
      const key = records[i]!.key
      if (key !== null && latest.get(key.toString('latin1')) !== i) continue
    }
    kept.offsets.push(offsets[i]!)
    kept.kinds.push(kinds[i]!)
    kept.txns.push(i < end && kinds[i] === DATA ? 0 : txns[i]!)
    kept.records.push(records[i])
  }
  const removed = length - kept.offsets.length
  if (removed > 0) log.replaceEntries(kept)
  else log.dirtyEntries = 0
  return removed
}

/** Whether a compacted partition has grown enough since its last compaction to compact again. */
export const shouldCompact = (log: PartitionLog, minDirtyEntries: number): boolean =>
  log.dirtyEntries >= Math.max(minDirtyEntries, log.offsets.length - log.dirtyEntries)
