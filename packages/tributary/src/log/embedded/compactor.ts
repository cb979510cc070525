import type { ConsumerRecord } from '../log.ts'
import { ABORT_MARKER, DATA } from './record-codec.ts'
import { installCompacted, type ClosedEntries, type CompactedGroup } from './install-compacted.ts'
import type { Entries, PartitionLog } from './partition-log.ts'

/**
 * Log compaction of one partition. The active segment is rolled first (when it holds entries),
 * then the closed segments are cleaned: below the last stable offset, keep only the latest
 * visible record per key (tombstones included: they stay as the key's latest record), drop
 * control markers and aborted records, and mark kept transactional records as plain committed
 * ones (their markers may be gone). Records with a null key are kept; entries at or after the LSO
 * (open transactions and whatever follows) are untouched.
 *
 * As Kafka's cleaner, consecutive closed segments are rewritten together as one (into the first
 * one's file) only while the result stays within segment.bytes and segment.ms
 * (see groupSegments): old records stay in old segments, so time retention (`compact,delete`)
 * can still delete them whole. The last entry of each group stays (an aborted record as an
 * abort marker at its offset), so a rewritten segment covers every segment it replaces
 * (recovery relies on it). Returns how many entries were removed; files change only for groups
 * that lose or change entries or merge segments.
 */
export function compactPartition(log: PartitionLog, now = Date.now()): number {
  if ((log.cache.lastOffset ?? -1) >= log.activeSegment.base) log.rollSegment(now)
  const closed = closedEntries(log)
  const end = closed.offsets.length // entries [0, end) are in closed segments
  if (end === 0) {
    log.dirtyEntries = 0
    return 0
  }
  const { offsets, kinds, txns, records } = closed
  const lso = log.lastStableOffset()
  let stable = 0 // [0, stable) below the LSO
  while (stable < end && offsets[stable]! < lso) stable++
  const visible = (i: number): boolean => kinds[i] === DATA && (txns[i] === 0 || !log.isAborted(txns[i]!))
  const latest = new Map<string, number>()
  for (let i = 0; i < stable; i++) {
    const key = records[i]?.key
    if (visible(i) && key !== null && key !== undefined) latest.set(key.toString('latin1'), i)
  }
  const keeps = (i: number): boolean => {
    if (i >= stable) return true
    if (!visible(i)) return false
    const key = records[i]!.key
    return key === null || latest.get(key.toString('latin1')) === i
  }
  const groups: CompactedGroup[] = []
  let removed = 0
  for (const [first, last] of groupSegments(log, keeps, closed)) {
    const from = closed.starts[first]!
    const to = closed.starts[last + 1]!
    const kept: Entries = { offsets: [], kinds: [], txns: [], records: [] }
    let changed = first !== last
    for (let i = from; i < to; i++) {
      if (!keeps(i) && i !== to - 1) continue
      // Below the LSO every kept record is committed; an aborted one kept only to end its group
      // becomes an abort marker (readers skip it, recovery learns the transaction was aborted).
      const kind = i < stable && kinds[i] === DATA && !visible(i) ? ABORT_MARKER : kinds[i]!
      const txn = i < stable && kind === DATA ? 0 : txns[i]!
      kept.offsets.push(offsets[i]!)
      kept.kinds.push(kind)
      kept.txns.push(txn)
      kept.records.push(kind === DATA ? records[i] : undefined)
      if (kind !== kinds[i] || txn !== txns[i]) changed = true
    }
    removed += to - from - kept.offsets.length
    groups.push({ first, last, kept: changed || kept.offsets.length < to - from ? kept : null })
  }
  if (groups.every((g) => g.kept === null)) {
    log.dirtyEntries = 0
    return 0
  }
  const merged = installCompacted(log, groups, closed)
  log.store?.remove(merged)
  return removed
}

/**
 * Splits the closed segments into runs rewritten as one, as Kafka's cleaner groups segments: a
 * run grows while what it keeps fits in segment.bytes and its newest record is within segment.ms
 * of when its first segment was started (so a compacted segment spans no more time than an
 * appended one may). Returns [first, last] segment indexes, inclusive, covering every closed
 * segment in order.
 */
function groupSegments(
  log: PartitionLog,
  keeps: (i: number) => boolean,
  { records, starts }: ClosedEntries,
): [number, number][] {
  const { segmentBytes, segmentMs } = log.rollPolicy
  const segments = log.segments
  const runs: [number, number][] = []
  let bytes = 0
  for (let s = 0; s < segments.length - 1; s++) {
    let keptBytes = 0
    for (let i = starts[s]!; i < starts[s + 1]!; i++) if (keeps(i)) keptBytes += entryBytes(records[i])
    const run = runs.at(-1)
    const fits =
      run !== undefined &&
      bytes + keptBytes <= segmentBytes &&
      segments[s]!.maxTimestamp - segments[run[0]]!.rolledAt <= segmentMs
    if (fits) {
      run[1] = s
      bytes += keptBytes
    } else {
      runs.push([s, s])
      bytes = keptBytes
    }
  }
  return runs
}

/** About what an entry takes in a segment file (frame, offsets, key, value, headers). */
function entryBytes(record: ConsumerRecord | undefined): number {
  if (record === undefined) return 30
  let bytes = 40 + (record.key?.length ?? 0) + (record.value?.length ?? 0)
  for (const [name, value] of Object.entries(record.headers)) bytes += 6 + name.length + value.length
  return bytes
}

/** The retained entries of the closed segments with their records (evicted ones read back). */
function closedEntries(log: PartitionLog): ClosedEntries {
  const closed: ClosedEntries = { offsets: [], kinds: [], txns: [], records: [], starts: [] }
  const segments = log.segments
  for (let s = 0; s < segments.length - 1; s++) {
    closed.starts.push(closed.offsets.length)
    log.scan(segments[s]!.base, segments[s + 1]!.base, (offset, kind, txn, record) => {
      closed.offsets.push(offset)
      closed.kinds.push(kind)
      closed.txns.push(txn)
      closed.records.push(record)
      return true
    })
  }
  closed.starts.push(closed.offsets.length)
  return closed
}

/** Whether a compacted partition has grown enough since its last compaction to compact again. */
export const shouldCompact = (log: PartitionLog, minDirtyEntries: number): boolean =>
  log.dirtyEntries >= Math.max(minDirtyEntries, log.entryCount - log.dirtyEntries)
