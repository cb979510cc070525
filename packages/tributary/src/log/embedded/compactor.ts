import { DATA } from './record-codec.ts'
import type { Entries, PartitionLog } from './partition-log.ts'

/**
 * Log compaction of one partition. The active segment is rolled first (when it holds entries),
 * then the closed segments are rewritten as one: below the last stable offset, keep only the
 * latest visible record per key (tombstones included: they stay as the key's latest record),
 * drop control markers and aborted records, and mark kept transactional records as plain
 * committed ones (their markers may be gone). Offsets are kept; entries at or after the LSO (open
 * transactions and whatever follows) are untouched, and so is the last closed entry, so the
 * rewritten segment covers every segment it replaces (recovery relies on it). Records with a null
 * key are kept. Returns how many entries were removed; files change only when that is > 0 or
 * several closed segments are merged.
 */
export function compactPartition(log: PartitionLog, now = Date.now()): number {
  if (log.activeSegment.firstIndex < log.offsets.length) log.rollSegment(now)
  const end = log.activeSegment.firstIndex // entries [0, end) are in closed segments
  if (end === 0) {
    log.dirtyEntries = 0
    return 0
  }
  const { offsets, kinds, txns } = log
  const records = log.recordsUntil(end)
  const stable = Math.min(end, log.indexOf(log.lastStableOffset())) // [0, stable) below the LSO
  const visible = (i: number): boolean => kinds[i] === DATA && (txns[i] === 0 || !log.isAborted(txns[i]!))
  const latest = new Map<string, number>()
  for (let i = 0; i < stable; i++) {
    const key = records[i]?.key
    if (visible(i) && key !== null && key !== undefined) latest.set(key.toString('latin1'), i)
  }
  const kept: Entries = { offsets: [], kinds: [], txns: [], records: [] }
  for (let i = 0; i < end; i++) {
    if (i < stable && i !== end - 1) {
      if (!visible(i)) continue
      const key = records[i]!.key
      if (key !== null && latest.get(key.toString('latin1')) !== i) continue
    }
    kept.offsets.push(offsets[i]!)
    kept.kinds.push(kinds[i]!)
    kept.txns.push(i < stable && kinds[i] === DATA ? 0 : txns[i]!)
    kept.records.push(records[i])
  }
  const removed = end - kept.offsets.length
  if (removed === 0 && log.segments.length === 2) {
    log.dirtyEntries = 0
    return 0
  }
  const merged = log.replaceClosed(kept)
  log.store?.remove(merged)
  return removed
}

/** Whether a compacted partition has grown enough since its last compaction to compact again. */
export const shouldCompact = (log: PartitionLog, minDirtyEntries: number): boolean =>
  log.dirtyEntries >= Math.max(minDirtyEntries, log.offsets.length - log.dirtyEntries)
