import type { ConsumerRecord, Isolation, ProducerRecord } from '../log.ts'
import {
  ABORT_MARKER,
  COMMIT_MARKER,
  DATA,
  encodeEntries,
  type DecodedEntry,
  type EntryColumns,
} from './record-codec.ts'
import type { PartitionFile } from './partition-file.ts'
import { loadRecords, storedRecord } from './stored-record.ts'

/** How many records each durable partition keeps in memory (older ones are read from its file). */
export interface CacheLimit {
  recordsPerPartition: number
}

/**
 * One partition: entries as parallel arrays sorted by offset (offsets may have gaps: control
 * markers take an offset and are never returned; compaction removes entries), plus the
 * transaction state read_committed needs. Stored records are frozen and handed out as they are,
 * so cached reads allocate nothing per record; senders must not mutate key/value buffers after
 * `send`. With a file attached, every append is written before the call returns, and only the
 * newest `cache.recordsPerPartition` records stay in memory; older ones are read back on demand.
 */
export class PartitionLog {
  offsets: number[] = []
  kinds: number[] = []
  txns: number[] = []
  /** undefined for markers and for evicted entries (index < cachedFrom) */
  records: (ConsumerRecord | undefined)[] = []
  /** File position of each entry's frame (durable partitions only). */
  positions: number[] = []
  /** Entries below this index are not in memory. */
  cachedFrom = 0
  /** High watermark: the offset the next entry gets. */
  nextOffset = 0
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
    public file: PartitionFile | null = null,
  ) {}

  /** First offset a reader can ask for. Compaction keeps it (as Kafka's cleaner does). */
  get startOffset(): number {
    return 0
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
    for (let i = 0; i < count; i++) {
      const r = records[i]!
      const offset = base + i
      ;(batch.offsets as number[])[i] = offset
      ;(batch.records as ConsumerRecord[])[i] = storedRecord(
        this.topic,
        this.partition,
        offset,
        r.key,
        r.value,
        r.timestamp ?? now,
        r.headers,
      )
    }
    this.write(batch)
    this.nextOffset = base + count
    this.dirtyEntries += count
    if (txn !== 0 && !this.openTxns.has(txn)) this.openTxns.set(txn, base)
    return base
  }

  /** Ends a transaction here with a control marker (which occupies one offset); written first. */
  appendMarker(txn: number, commit: boolean): void {
    this.write({
      offsets: [this.nextOffset],
      kinds: [commit ? COMMIT_MARKER : ABORT_MARKER],
      txns: [txn],
      records: [undefined],
    })
    this.nextOffset++
    this.dirtyEntries++
    this.openTxns.delete(txn)
    if (!commit) this.aborted.add(txn)
  }

  /** Writes entries to the file (if any), then adds them to memory. */
  private write(batch: EntryColumns): void {
    if (this.file !== null) {
      const positions: number[] = []
      this.file.append(encodeEntries(batch, 0, batch.offsets.length, positions, this.file.length))
      for (const position of positions) this.positions.push(position)
    }
    for (let i = 0; i < batch.offsets.length; i++) {
      this.offsets.push(batch.offsets[i]!)
      this.kinds.push(batch.kinds[i]!)
      this.txns.push(batch.txns[i]!)
      this.records.push(batch.records[i])
    }
    if (this.file !== null) this.evict()
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
   * Replays one stored entry during recovery; false when it cannot follow the previous one.
   * `committed` holds the transactions known to be committed (journal decisions, and commit
   * markers seen so far, since a marker is only written after its decision is durable): an abort
   * marker of such a transaction is ignored, so a decided commit is never undone.
   */
  restore(e: DecodedEntry, position: number, committed: Set<number>): boolean {
    if (e.offset < this.nextOffset || !Number.isSafeInteger(e.offset)) return false
    this.offsets.push(e.offset)
    this.kinds.push(e.kind)
    this.txns.push(e.txn)
    this.positions.push(position)
    this.nextOffset = e.offset + 1
    if (e.kind === DATA) {
      const { offset, key, value, timestamp, headers } = e
      this.records.push(storedRecord(this.topic, this.partition, offset, key, value, timestamp, headers))
      if (e.txn !== 0 && !this.openTxns.has(e.txn) && !this.aborted.has(e.txn))
        this.openTxns.set(e.txn, e.offset)
    } else {
      this.records.push(undefined)
      this.openTxns.delete(e.txn)
      if (e.kind === COMMIT_MARKER) committed.add(e.txn)
      else if (!committed.has(e.txn)) this.aborted.add(e.txn)
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
          loaded = loadRecords(
            this.file!,
            this.positions,
            i,
            Math.min(cachedFrom, i + Math.max(max - taken, 64)),
            this.topic,
            this.partition,
          )
        }
        out.push(loaded[i - loadedFrom]!)
      }
      taken++
    }
    return Math.max(from, limit)
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

  /** Every entry's record (markers undefined), reading evicted ones back from the file. */
  allRecords(): (ConsumerRecord | undefined)[] {
    if (this.cachedFrom === 0) return this.records
    const older = loadRecords(this.file!, this.positions, 0, this.cachedFrom, this.topic, this.partition)
    return [...older, ...this.records.slice(this.cachedFrom)]
  }

  /**
   * Installs compacted entries (same offsets, a subset of entries; the arrays are taken over)
   * after rewriting the file crash-safely; if the rewrite throws, nothing changed.
   */
  replaceEntries(cols: {
    offsets: number[]
    kinds: number[]
    txns: number[]
    records: (ConsumerRecord | undefined)[]
  }): void {
    const positions: number[] = []
    this.file?.replace(encodeEntries(cols, 0, cols.offsets.length, positions, 0))
    this.offsets = cols.offsets
    this.kinds = cols.kinds
    this.txns = cols.txns
    this.records = cols.records
    this.positions = this.file === null ? [] : positions
    this.cachedFrom = 0
    this.dirtyEntries = 0
    this.evict()
  }
}
