import type { ConsumerRecord, Isolation, ProducerRecord } from '../log.ts'
import { BatchBytes } from './batch-bytes.ts'
import {
  ABORT_MARKER,
  COMMIT_MARKER,
  DATA,
  encodeEntries,
  type DecodedEntry,
  type EntryColumns,
} from './record-codec.ts'
import type { PartitionFile } from './partition-file.ts'
import type { RollPolicy, Segment, SegmentStore } from './segment.ts'
import { loadRecords, storedRecord } from './stored-record.ts'

/** How many records each durable partition keeps in memory (older ones are read from its file). */
export interface CacheLimit {
  recordsPerPartition: number
}

const NEVER_ROLL: RollPolicy = { segmentBytes: Infinity, segmentMs: Infinity }

/** Entry columns with their records, as compaction hands them over. */
export interface Entries {
  offsets: number[]
  kinds: number[]
  txns: number[]
  records: (ConsumerRecord | undefined)[]
}

/** Closed segments `first..last` (indexes, inclusive) as compaction leaves them: `kept` is what
 *  the first one's file is rewritten with (the others merge into it), null when unchanged. */
export interface CompactedGroup {
  readonly first: number
  readonly last: number
  readonly kept: Entries | null
}

/**
 * One partition: entries as parallel arrays sorted by offset (offsets may have gaps: control
 * markers take an offset and are never returned; compaction removes entries), split into
 * segments (see Segment), plus the transaction state read_committed needs. Stored records are
 * frozen and handed out as they are, so cached reads allocate nothing per record; their bytes are
 * the batch's own (see BatchBytes), never a view pinning a sender's larger buffer; senders must
 * not mutate key/value buffers after `send`. With segment files, every append is written before the
 * call returns, and only the newest `cache.recordsPerPartition` records stay in memory; older ones
 * are read back on demand. Entries below the log start offset (retention, deleteRecordsBefore)
 * leave memory; memory holds about 40 bytes per retained entry plus the cached records.
 */
export class PartitionLog {
  offsets: number[] = []
  kinds: number[] = []
  txns: number[] = []
  /** undefined for markers and for evicted entries (index < cachedFrom) */
  records: (ConsumerRecord | undefined)[] = []
  /** Position of each entry's frame in its segment's file (durable partitions only). */
  positions: number[] = []
  /** Oldest first; the last one is the active segment. Never empty once opened. */
  segments: Segment[] = []
  /** Entries below this index are not in memory. */
  cachedFrom = 0
  /** High watermark: the offset the next entry gets. */
  nextOffset = 0
  /** First offset a reader can ask for (Kafka's log start offset). */
  startOffset = 0
  /** Set when its topic is deleted; late transaction markers then skip it. */
  deleted = false
  /** Entries appended since the last compaction (drives automatic compaction). */
  dirtyEntries = 0
  /** Open transaction id -> its first offset in this partition. */
  private readonly openTxns = new Map<number, number>()
  /** Transactions aborted here; read_committed skips their records. */
  private readonly aborted = new Set<number>()

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly cache: CacheLimit = { recordsPerPartition: Infinity },
    readonly rollPolicy: RollPolicy = NEVER_ROLL,
    readonly store: SegmentStore | null = null,
  ) {}

  /** The file appends go to (the active segment's); null in memory mode. */
  get file(): PartitionFile | null {
    return this.segments.at(-1)?.file ?? null
  }

  get activeSegment(): Segment {
    return this.segments.at(-1)!
  }

  /** Adds a segment after the existing ones (creation, recovery and roll). */
  addSegment(base: number, file: PartitionFile | null, now: number): Segment {
    const segment: Segment = {
      base,
      file,
      firstIndex: this.offsets.length,
      bytes: file?.length ?? 0,
      maxTimestamp: -1,
      rolledAt: now,
    }
    this.segments.push(segment)
    if (base > this.nextOffset) this.nextOffset = base
    return segment
  }

  /**
   * Starts a new active segment at the high watermark: the current one is synced first, so a
   * closed segment never loses its tail to a crash. A failure (creating the file) changes nothing.
   */
  rollSegment(now: number): void {
    this.file?.sync()
    const file = this.store?.create(this.nextOffset) ?? null
    this.addSegment(this.nextOffset, file, now)
  }

  /** First offset of the earliest open transaction, else the high watermark. */
  lastStableOffset(): number {
    let lso = this.nextOffset
    for (const first of this.openTxns.values()) if (first < lso) lso = first
    return lso
  }

  endOffset(isolation: Isolation): number {
    return isolation === 'read_committed' ? this.lastStableOffset() : this.nextOffset
  }

  openTransactions(): number[] {
    return [...this.openTxns.keys()]
  }

  isAborted(txn: number): boolean {
    return this.aborted.has(txn)
  }

  /**
   * Appends records (txn 0 = not transactional) and returns the offset of the first one. The
   * batch is written to the file first: if the write fails, nothing here changed.
   */
  append(records: readonly ProducerRecord[], txn: number, now: number): number {
    const base = this.nextOffset
    const count = records.length
    const batch: EntryColumns = {
      offsets: new Array<number>(count),
      kinds: new Array<number>(count).fill(DATA),
      txns: new Array<number>(count).fill(txn),
      records: new Array<ConsumerRecord>(count),
    }
    const bytes = new BatchBytes(records)
    for (let i = 0; i < count; i++) {
      const r = records[i]!
      const offset = base + i
      ;(batch.offsets as number[])[i] = offset
      ;(batch.records as ConsumerRecord[])[i] = storedRecord(
        this.topic,
        this.partition,
        offset,
        bytes.own(r.key),
        bytes.own(r.value),
        r.timestamp ?? now,
        bytes.ownHeaders(r.headers),
      )
    }
    this.write(batch, now)
    this.nextOffset = base + count
    this.dirtyEntries += count
    if (txn !== 0 && !this.openTxns.has(txn)) this.openTxns.set(txn, base)
    return base
  }

  /** Ends a transaction here with a control marker (which occupies one offset); written first. */
  appendMarker(txn: number, commit: boolean, now = Date.now()): void {
    this.write(
      {
        offsets: [this.nextOffset],
        kinds: [commit ? COMMIT_MARKER : ABORT_MARKER],
        txns: [txn],
        records: [undefined],
      },
      now,
    )
    this.nextOffset++
    this.dirtyEntries++
    this.openTxns.delete(txn)
    if (!commit) this.aborted.add(txn)
  }

  /** Writes entries to the active segment (rolling first when it is full or old), then adds them
   *  to memory. */
  private write(batch: EntryColumns, now: number): void {
    const count = batch.offsets.length
    const positions: number[] = []
    const encoded = this.store === null ? null : encodeEntries(batch, 0, count, positions, 0)
    const bytes = encoded?.length ?? estimateBytes(batch)
    let active = this.activeSegment
    const full = active.bytes > 0 && active.bytes + bytes > this.rollPolicy.segmentBytes
    if (full || (active.bytes > 0 && now - active.rolledAt >= this.rollPolicy.segmentMs)) {
      this.rollSegment(now)
      active = this.activeSegment
    }
    if (encoded !== null) {
      this.file!.append(encoded)
      for (const position of positions) this.positions.push(active.bytes + position)
    }
    active.bytes += bytes
    if (now > active.maxTimestamp) active.maxTimestamp = now
    for (let i = 0; i < count; i++) {
      this.offsets.push(batch.offsets[i]!)
      this.kinds.push(batch.kinds[i]!)
      this.txns.push(batch.txns[i]!)
      const record = batch.records[i]
      this.records.push(record)
      if (record !== undefined && record.timestamp > active.maxTimestamp)
        active.maxTimestamp = record.timestamp
    }
    if (this.store !== null) this.evict()
  }

  /** Drops the oldest cached records once the cache is 10% over its limit (the limit is infinite
   *  without a file: memory mode keeps everything). */
  private evict(): void {
    const limit = this.cache.recordsPerPartition
    const length = this.records.length
    if (length - this.cachedFrom <= limit * 1.1) return
    const until = length - limit
    for (let i = this.cachedFrom; i < until; i++) this.records[i] = undefined
    this.cachedFrom = until
  }

  /**
   * Replays one stored entry of the last added segment during recovery; false when it cannot
   * follow the previous one. Entries below the log start offset are checked but not kept.
   * `committed` holds the transactions known to be committed (journal decisions, and commit
   * markers seen so far, since a marker is only written after its decision is durable): an abort
   * marker of such a transaction is ignored, so a decided commit is never undone.
   */
  restore(e: DecodedEntry, position: number, committed: Set<number>): boolean {
    if (e.offset < this.nextOffset || !Number.isSafeInteger(e.offset)) return false
    this.nextOffset = e.offset + 1
    if (e.kind !== DATA) {
      this.openTxns.delete(e.txn)
      if (e.kind === COMMIT_MARKER) committed.add(e.txn)
      else if (!committed.has(e.txn)) this.aborted.add(e.txn)
    }
    if (e.offset < this.startOffset) return true
    this.offsets.push(e.offset)
    this.kinds.push(e.kind)
    this.txns.push(e.txn)
    this.positions.push(position)
    if (e.kind === DATA) {
      const { offset, key, value, timestamp, headers } = e
      this.records.push(storedRecord(this.topic, this.partition, offset, key, value, timestamp, headers))
      const segment = this.activeSegment
      if (timestamp > segment.maxTimestamp) segment.maxTimestamp = timestamp
      if (timestamp < segment.rolledAt) segment.rolledAt = timestamp
      if (e.txn !== 0 && !this.openTxns.has(e.txn) && !this.aborted.has(e.txn))
        this.openTxns.set(e.txn, e.offset)
    } else {
      this.records.push(undefined)
    }
    this.evict()
    return true
  }

  /**
   * Copies up to `max` readable records at or after `from` into `out` and returns the position to
   * read from next. Markers, and under read_committed aborted records, are skipped but still
   * advance the position; read_committed never goes past the last stable offset.
   */
  read(from: number, max: number, isolation: Isolation, out: ConsumerRecord[]): number {
    const committed = isolation === 'read_committed'
    const limit = committed ? this.lastStableOffset() : this.nextOffset
    const { offsets, kinds, records, txns, cachedFrom } = this
    const checkAborted = committed && this.aborted.size > 0
    const length = offsets.length
    let taken = 0
    let loaded: (ConsumerRecord | undefined)[] = []
    let loadedFrom = 0
    for (let i = this.indexOf(from); i < length; i++) {
      const offset = offsets[i]!
      if (offset >= limit) break
      if (taken === max) return offset
      if (kinds[i] !== DATA || (checkAborted && txns[i] !== 0 && this.aborted.has(txns[i]!))) continue
      if (i >= cachedFrom) {
        out.push(records[i]!)
      } else {
        if (i >= loadedFrom + loaded.length) {
          loadedFrom = i
          loaded = this.load(i, Math.min(cachedFrom, i + Math.max(max - taken, 64)))
        }
        out.push(loaded[i - loadedFrom]!)
      }
      taken++
    }
    return Math.max(from, limit)
  }

  /** Reads entries [from, to) back from their segment files (at most up to the end of the
   *  segment holding `from`). */
  private load(from: number, to: number): (ConsumerRecord | undefined)[] {
    const s = this.segmentIndexOf(from)
    const segment = this.segments[s]!
    const segmentEnd = this.segments[s + 1]?.firstIndex ?? this.offsets.length
    const end = Math.min(to, segmentEnd)
    const endPosition = end < segmentEnd ? this.positions[end]! : segment.file!.length
    return loadRecords(segment.file!, this.positions, from, end, endPosition, this.topic, this.partition)
  }

  /** Index of the segment holding entry `index`. */
  private segmentIndexOf(index: number): number {
    const segments = this.segments
    let lo = 0
    let hi = segments.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (segments[mid]!.firstIndex <= index) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Index of the first entry with offset >= `offset`. */
  indexOf(offset: number): number {
    const offsets = this.offsets
    const length = offsets.length
    if (length === 0 || offset <= offsets[0]!) return 0
    const guess = offset - offsets[0]!
    if (guess < length && offsets[guess] === offset) return guess // no gaps before it
    let lo = 0
    let hi = length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (offsets[mid]! < offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The records of entries [0, to) (markers undefined), reading evicted ones back from disk. */
  recordsUntil(to: number): (ConsumerRecord | undefined)[] {
    const out: (ConsumerRecord | undefined)[] = []
    for (let i = 0; i < Math.min(to, this.cachedFrom);) {
      const loaded = this.load(i, Math.min(to, this.cachedFrom))
      for (const r of loaded) out.push(r)
      i += loaded.length
    }
    for (let i = this.cachedFrom; i < to; i++) out.push(this.records[i])
    return out
  }

  /**
   * Moves the log start offset up to `offset` (at most the high watermark): entries below it
   * leave memory, and the segments wholly below it leave the partition (never the active one).
   * Returns the files of those segments: the caller deletes them once the new start is durable.
   */
  advanceStart(offset: number): PartitionFile[] {
    if (offset <= this.startOffset) return []
    this.startOffset = offset
    const drop = this.indexOf(offset)
    let gone = 0
    while (gone < this.segments.length - 1 && this.segments[gone + 1]!.base <= offset) gone++
    const files = this.segments.slice(0, gone).flatMap((s) => (s.file === null ? [] : [s.file]))
    this.segments = this.segments.slice(gone)
    for (const s of this.segments) s.firstIndex = Math.max(0, s.firstIndex - drop)
    if (drop > 0) {
      this.offsets = this.offsets.slice(drop)
      this.kinds = this.kinds.slice(drop)
      this.txns = this.txns.slice(drop)
      this.records = this.records.slice(drop)
      if (this.store !== null) this.positions = this.positions.slice(drop)
      this.cachedFrom = Math.max(0, this.cachedFrom - drop)
    }
    return files
  }

  /**
   * Installs what compaction kept of the closed segments, group by group (see CompactedGroup;
   * `records` holds the records of every closed entry, read back where evicted). Each changed
   * group's first file is rewritten crash-safely with its kept entries, keeping the group's
   * newest time as the file's modification time (retention and recovery judge its age by it);
   * its other segments are merged into it and returned for the caller to delete (recovery
   * removes such leftovers: see partition-recovery.ts). If a rewrite throws, the groups before
   * it are installed, it and the later ones are left as they were, and the error is rethrown.
   */
  replaceClosed(
    groups: readonly CompactedGroup[],
    records: readonly (ConsumerRecord | undefined)[],
  ): PartitionFile[] {
    const old = { offsets: this.offsets, kinds: this.kinds, txns: this.txns, positions: this.positions }
    const durable = this.store !== null
    const next: Entries & { positions: number[] } = {
      offsets: [],
      kinds: [],
      txns: [],
      records: [],
      positions: [],
    }
    const copy = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        next.offsets.push(old.offsets[i]!)
        next.kinds.push(old.kinds[i]!)
        next.txns.push(old.txns[i]!)
        next.records.push(i < records.length ? records[i] : this.records[i])
        if (durable) next.positions.push(old.positions[i]!)
      }
    }
    const segments: Segment[] = []
    const merged: PartitionFile[] = []
    let failure: unknown
    for (const { first, last, kept } of groups) {
      const group = this.segments.slice(first, last + 1)
      const from = group[0]!.firstIndex
      const to = this.segments[last + 1]!.firstIndex
      if (kept === null || failure !== undefined) {
        for (const s of group) {
          s.firstIndex = next.offsets.length + s.firstIndex - from
          segments.push(s)
        }
        copy(from, to)
        continue
      }
      const head = group[0]!
      const maxTimestamp = Math.max(...group.map((s) => s.maxTimestamp))
      const positions: number[] = []
      const encoded = head.file === null ? null : encodeEntries(kept, 0, kept.offsets.length, positions, 0)
      try {
        head.file?.replace(encoded!, maxTimestamp)
      } catch (err) {
        failure = err
        for (const s of group) {
          s.firstIndex = next.offsets.length + s.firstIndex - from
          segments.push(s)
        }
        copy(from, to)
        continue
      }
      head.firstIndex = next.offsets.length
      head.bytes = encoded?.length ?? estimateBytes(kept)
      head.maxTimestamp = maxTimestamp
      segments.push(head)
      for (let i = 0; i < kept.offsets.length; i++) {
        next.offsets.push(kept.offsets[i]!)
        next.kinds.push(kept.kinds[i]!)
        next.txns.push(kept.txns[i]!)
        next.records.push(kept.records[i])
        if (durable) next.positions.push(positions[i]!)
      }
      for (const s of group.slice(1)) if (s.file !== null) merged.push(s.file)
    }
    const active = this.activeSegment
    const tail = active.firstIndex
    active.firstIndex = next.offsets.length
    segments.push(active)
    copy(tail, old.offsets.length)
    this.offsets = next.offsets
    this.kinds = next.kinds
    this.txns = next.txns
    this.records = next.records
    if (durable) this.positions = next.positions
    this.segments = segments
    this.cachedFrom = 0
    if (failure !== undefined) {
      for (const file of merged) file.close(false) // left for recovery to remove
      throw failure
    }
    this.dirtyEntries = 0
    if (durable) this.evict()
    return merged
  }

  /** Syncs (unless `sync` is false) and closes every segment file. */
  closeFiles(sync: boolean): void {
    for (const s of this.segments) s.file?.close(sync)
  }
}

/** Bytes a batch takes in memory mode, where nothing is encoded (for segment.bytes). */
function estimateBytes(batch: EntryColumns): number {
  let bytes = 0
  for (const r of batch.records) bytes += 37 + (r?.key?.length ?? 0) + (r?.value?.length ?? 0)
  return bytes
}
