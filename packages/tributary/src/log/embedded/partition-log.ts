import type { ConsumerRecord, Isolation, ProducerRecord } from '../log.ts'
import { BatchBytes } from './batch-bytes.ts'
import { CleanerCheckpoint } from './cleaner-checkpoint.ts'
import { EntryCache } from './entry-cache.ts'
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
import { scanSegment } from './segment-reader.ts'
import { SparseIndex } from './sparse-index.ts'
import { storedRecord } from './stored-record.ts'

/** How many records each durable partition keeps in memory (older ones are read from its file). */
export interface CacheLimit {
  recordsPerPartition: number
}

const NEVER_ROLL: RollPolicy = { segmentBytes: Infinity, segmentMs: Infinity }

/** Entry columns with their records, as compaction reads and keeps them. */
export interface Entries {
  offsets: number[]
  kinds: number[]
  txns: number[]
  records: (ConsumerRecord | undefined)[]
}

/** Receives entries in offset order; returns false to stop. */
export type EntryVisitor = (
  offset: number,
  kind: number,
  txn: number,
  record: ConsumerRecord | undefined,
) => boolean

/**
 * One partition: entries sorted by offset (offsets may have gaps: control markers take an offset
 * and are never returned; compaction removes entries), split into segments (see Segment), plus
 * the transaction state read_committed needs. Stored records are frozen and handed out as they
 * are, so cached reads allocate nothing per record; their bytes are the batch's own (see
 * BatchBytes), never a view pinning a sender's larger buffer; senders must not mutate key/value
 * buffers after `send`. With segment files, every append is written before the call returns, and
 * only the newest `cacheLimit.recordsPerPartition` entries stay in memory (EntryCache); older ones are
 * read back on demand from their segment's file, found through its SparseIndex, so memory does
 * not grow with what the files retain (about 16 bytes per 4 KiB of segment). Entries below the log
 * start offset (retention, deleteRecordsBefore) leave memory and are never read.
 */
export class PartitionLog {
  /** The newest entries (all of them in memory mode); older ones are only in segment files. */
  readonly cache = new EntryCache()
  /** Oldest first; the last one is the active segment. Never empty once opened. */
  segments: Segment[] = []
  /** High watermark: the offset the next entry gets. */
  nextOffset = 0
  /** First offset a reader can ask for (Kafka's log start offset). */
  startOffset = 0
  /** Set when its topic is deleted; late transaction markers then skip it. */
  deleted = false
  /** Entries appended since the last compaction (drives automatic compaction). */
  dirtyEntries = 0
  /** What compaction has cleaned, and when (saved as the partition's cleaner.checkpoint). */
  readonly cleaner = new CleanerCheckpoint()
  /** The highest transaction id recovery saw in this partition's files (0: none). */
  maxTxnId = 0
  /** Open transaction id -> its first offset in this partition. */
  private readonly openTxns = new Map<number, number>()
  /** Transactions aborted here; read_committed skips their records. */
  private readonly aborted = new Set<number>()

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly cacheLimit: CacheLimit = { recordsPerPartition: Infinity },
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
    this.segments.at(-1)?.index?.trim()
    const segment: Segment = {
      base,
      file,
      index: this.store === null ? null : new SparseIndex(),
      entries: 0,
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

  /** Entries the segments hold (see Segment.entries). */
  get entryCount(): number {
    let n = 0
    for (const s of this.segments) n += s.entries
    return n
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
      for (let i = 0; i < count; i++) active.index!.add(batch.offsets[i]!, active.bytes + positions[i]!)
    }
    active.bytes += bytes
    active.entries += count
    if (now > active.maxTimestamp) active.maxTimestamp = now
    for (let i = 0; i < count; i++) {
      const record = batch.records[i]
      this.cache.push(batch.offsets[i]!, batch.kinds[i]!, batch.txns[i]!, record)
      if (record !== undefined && record.timestamp > active.maxTimestamp)
        active.maxTimestamp = record.timestamp
    }
    this.evict()
  }

  /** Durable mode keeps the newest cache.recordsPerPartition entries in memory (see EntryCache.evict). */
  private evict(): void {
    if (this.store !== null) this.cache.evict(this.cacheLimit.recordsPerPartition)
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
    if (e.txn > this.maxTxnId) this.maxTxnId = e.txn
    const segment = this.activeSegment
    segment.entries++
    if (e.offset < this.startOffset) return true
    segment.index?.add(e.offset, position)
    let record: ConsumerRecord | undefined
    if (e.kind === DATA) {
      const { offset, key, value, timestamp, headers } = e
      record = storedRecord(this.topic, this.partition, offset, key, value, timestamp, headers)
      if (timestamp > segment.maxTimestamp) segment.maxTimestamp = timestamp
      if (timestamp < segment.rolledAt) segment.rolledAt = timestamp
      if (e.txn !== 0 && !this.openTxns.has(e.txn) && !this.aborted.has(e.txn))
        this.openTxns.set(e.txn, e.offset)
    }
    this.cache.push(e.offset, e.kind, e.txn, record)
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
    const checkAborted = committed && this.aborted.size > 0
    const cache = this.cache
    let taken = 0
    const coldEnd = Math.min(limit, cache.firstOffset ?? this.nextOffset)
    if (from < coldEnd) {
      let next = -1
      this.scan(from, coldEnd, (offset, kind, txn, record) => {
        if (taken === max) {
          next = offset
          return false
        }
        if (kind !== DATA || (checkAborted && txn !== 0 && this.aborted.has(txn))) return true
        out.push(record!)
        taken++
        return true
      })
      if (next >= 0) return next
    }
    const { offsets, kinds, records, txns } = cache
    for (let i = cache.indexOf(from); i < offsets.length; i++) {
      const offset = offsets[i]!
      if (offset >= limit) break
      if (taken === max) return offset
      if (kinds[i] !== DATA || (checkAborted && txns[i] !== 0 && this.aborted.has(txns[i]!))) continue
      out.push(records[i]!)
      taken++
    }
    return Math.max(from, limit)
  }

  /**
   * Visits the retained entries with offsets in `[from, to)` in order until `visit` returns false
   * (then returns false). Entries older than the cache are read back from their segment files
   * (CORRUPT naming the file if their bytes no longer decode).
   */
  scan(from: number, to: number, visit: EntryVisitor): boolean {
    from = Math.max(from, this.startOffset)
    const coldEnd = Math.min(to, this.cache.firstOffset ?? this.nextOffset)
    if (this.store !== null && from < coldEnd) {
      let reached = false
      const onEntry = (e: DecodedEntry): boolean => {
        if (e.offset >= coldEnd) {
          reached = true
          return false
        }
        const record =
          e.kind === DATA
            ? storedRecord(this.topic, this.partition, e.offset, e.key, e.value, e.timestamp, e.headers)
            : undefined
        return visit(e.offset, e.kind, e.txn, record)
      }
      for (let s = this.segmentOf(from); s < this.segments.length && !reached; s++) {
        const { file, index } = this.segments[s]!
        if (!scanSegment(file!, index!, from, onEntry) && !reached) return false
      }
    }
    const { offsets, kinds, txns, records } = this.cache
    for (let i = this.cache.indexOf(from); i < offsets.length && offsets[i]! < to; i++)
      if (!visit(offsets[i]!, kinds[i]!, txns[i]!, records[i])) return false
    return true
  }

  /** Index of the segment holding `offset` (the last one starting at or before it). */
  private segmentOf(offset: number): number {
    const segments = this.segments
    let lo = 0
    let hi = segments.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (segments[mid]!.base <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /**
   * Moves the log start offset up to `offset` (at most the high watermark): entries below it
   * leave memory, and the segments wholly below it leave the partition (never the active one).
   * Returns the files of those segments: the caller deletes them once the new start is durable.
   */
  advanceStart(offset: number): PartitionFile[] {
    if (offset <= this.startOffset) return []
    this.startOffset = offset
    let gone = 0
    while (gone < this.segments.length - 1 && this.segments[gone + 1]!.base <= offset) gone++
    const files = this.segments.slice(0, gone).flatMap((s) => (s.file === null ? [] : [s.file]))
    this.segments = this.segments.slice(gone)
    this.segments[0]!.index?.dropBefore(offset)
    this.cache.dropBelow(offset)
    return files
  }

  /**
   * Called after compaction rewrote the entries in `[from, to)`: `kept` holds what is left of the
   * cached ones among them (in order; those below the cache's start are left out), and the cache
   * holds the newest entries again (memory mode: all of them).
   */
  recache(kept: Entries, from: number, to: number): void {
    const cache = this.cache
    const first = cache.firstOffset ?? to
    if (first >= to) return // it holds no rewritten entry
    const [a, b] = [cache.indexOf(from), cache.indexOf(to)]
    const k = kept.offsets.findIndex((o) => o >= first)
    const join = <T>(column: T[], keptColumn: T[]): T[] =>
      column.slice(cache.head, a).concat(k < 0 ? [] : keptColumn.slice(k), column.slice(b))
    const entries: Entries = {
      offsets: join(cache.offsets, kept.offsets),
      kinds: join(cache.kinds, kept.kinds),
      txns: join(cache.txns, kept.txns),
      records: join(cache.records, kept.records),
    }
    cache.reset(entries, this.store === null ? Infinity : this.cacheLimit.recordsPerPartition)
  }

  /** Syncs (unless `sync` is false) and closes every segment file. */
  closeFiles(sync: boolean): void {
    for (const s of this.segments) s.file?.close(sync)
  }
}

/** Bytes a batch takes in memory mode, where nothing is encoded (for segment.bytes). */
export function estimateBytes(batch: EntryColumns): number {
  let bytes = 0
  for (const r of batch.records) bytes += 37 + (r?.key?.length ?? 0) + (r?.value?.length ?? 0)
  return bytes
}
