import type { ConsumerRecord } from '../log.ts'
import type { EntryColumns } from './record-codec.ts'

/**
 * The newest entries of a partition in memory, as parallel columns sorted by offset (all of them
 * in memory mode): what reads serve without touching a file. Entries are appended at the end and
 * leave from the front only (eviction, the log start moving up, compaction); the live ones are
 * `[head, offsets.length)`. The front is cut off lazily, so dropping costs about one copy per
 * entry over time.
 */
export class EntryCache {
  offsets: number[] = []
  kinds: number[] = []
  txns: number[] = []
  /** undefined for control markers */
  records: (ConsumerRecord | undefined)[] = []
  /** Index of the oldest live entry. */
  head = 0

  get size(): number {
    return this.offsets.length - this.head
  }

  /** Offset of the oldest entry held, undefined when empty. */
  get firstOffset(): number | undefined {
    return this.offsets[this.head]
  }

  /** Offset of the newest entry held, undefined when empty. */
  get lastOffset(): number | undefined {
    return this.size === 0 ? undefined : this.offsets.at(-1)
  }

  push(offset: number, kind: number, txn: number, record: ConsumerRecord | undefined): void {
    this.offsets.push(offset)
    this.kinds.push(kind)
    this.txns.push(txn)
    this.records.push(record)
  }

  /** Index of the first entry with offset >= `offset` (offsets.length when none). */
  indexOf(offset: number): number {
    const offsets = this.offsets
    const head = this.head
    const length = offsets.length
    if (head === length || offset <= offsets[head]!) return head
    const guess = head + offset - offsets[head]!
    if (guess < length && offsets[guess] === offset) return guess // no gaps before it
    let lo = head
    let hi = length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (offsets[mid]! < offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Keeps the newest `limit` entries once more than 10% over it (eviction works in batches). */
  evict(limit: number): void {
    if (this.size > limit * 1.1) this.dropTo(this.offsets.length - limit)
  }

  /** Drops the entries with offsets below `offset`. */
  dropBelow(offset: number): void {
    this.dropTo(this.indexOf(offset))
  }

  /** Replaces everything with the last `limit` entries of `entries`. */
  reset(entries: EntryColumns, limit: number): void {
    const from = Math.max(0, entries.offsets.length - limit)
    this.offsets = entries.offsets.slice(from)
    this.kinds = entries.kinds.slice(from)
    this.txns = entries.txns.slice(from)
    this.records = entries.records.slice(from)
    this.head = 0
  }

  /** Cuts entries before index `to`: at once once they are half the columns, else by moving head. */
  private dropTo(to: number): void {
    if (to <= this.head) return
    if (to * 2 < this.offsets.length) {
      this.records.fill(undefined, this.head, to) // let the records go now
      this.head = to
      return
    }
    this.offsets = this.offsets.slice(to)
    this.kinds = this.kinds.slice(to)
    this.txns = this.txns.slice(to)
    this.records = this.records.slice(to)
    this.head = 0
  }
}
