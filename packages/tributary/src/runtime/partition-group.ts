import type { ConsumerRecord } from '../log/log.ts'
import type { StreamRecord, TopicPartition } from '../record.ts'
import { tpKey } from '../record.ts'

/** A buffered input record: deserialized with its event time, or the error that stopped that. */
export interface QueuedRecord {
  readonly raw: ConsumerRecord
  /** Event time used to order the task's inputs (the partition time for undecodable records). */
  readonly timestamp: number
  readonly record?: StreamRecord<unknown, unknown>
  readonly error?: unknown
}

/** One input partition's buffered records, in offset order. */
class PartitionQueue {
  private entries: QueuedRecord[] = []
  private head = 0
  /** Largest event time buffered from this partition (what timestamp extractors get). */
  partitionTime = -Infinity
  /** Largest event time taken from this partition (committed as its stream time). */
  processedTime = -Infinity

  constructor(readonly partition: TopicPartition) {}

  push(entry: QueuedRecord): void {
    this.entries.push(entry)
    if (entry.timestamp > this.partitionTime) this.partitionTime = entry.timestamp
  }

  peek(): QueuedRecord | undefined {
    return this.entries[this.head]
  }

  shift(): QueuedRecord | undefined {
    const entry = this.entries[this.head]
    if (entry === undefined) return undefined
    this.head++
    if (entry.timestamp > this.processedTime) this.processedTime = entry.timestamp
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
    return entry
  }

  get size(): number {
    return this.entries.length - this.head
  }

  clear(): void {
    this.entries = []
    this.head = 0
  }
}

/**
 * The input partitions of one task. `next` picks, among non-empty partitions, the head record with
 * the smallest event time (ties: the partition added first), so a task sees its inputs in time
 * order as far as buffered data allows.
 */
export class PartitionGroup {
  private readonly queues = new Map<string, PartitionQueue>()

  add(partition: TopicPartition): void {
    if (!this.queues.has(tpKey(partition))) this.queues.set(tpKey(partition), new PartitionQueue(partition))
  }

  partitions(): TopicPartition[] {
    return [...this.queues.values()].map((q) => q.partition)
  }

  push(partition: TopicPartition, entry: QueuedRecord): void {
    this.queue(partition).push(entry)
  }

  partitionTime(partition: TopicPartition): number {
    return this.queue(partition).partitionTime
  }

  /** Largest event time processed from `partition` (-Infinity before the first). */
  processedTime(partition: TopicPartition): number {
    return this.queue(partition).processedTime
  }

  /** Event time of the partition's next buffered record, if any. */
  headTime(partition: TopicPartition): number | undefined {
    return this.queue(partition).peek()?.timestamp
  }

  /** Offset of the partition's next buffered record, if any. */
  headOffset(partition: TopicPartition): number | undefined {
    return this.queue(partition).peek()?.raw.offset
  }

  /** Resumes a partition's time from a commit: it never goes back. */
  restoreTime(partition: TopicPartition, time: number): void {
    const q = this.queue(partition)
    if (time > q.processedTime) q.processedTime = time
    if (time > q.partitionTime) q.partitionTime = time
  }

  /** True when every partition has buffered data (no input to wait for). */
  allBuffered(): boolean {
    for (const q of this.queues.values()) if (q.size === 0) return false
    return true
  }

  /** Partitions with nothing buffered. */
  emptyPartitions(): TopicPartition[] {
    return [...this.queues.values()].filter((q) => q.size === 0).map((q) => q.partition)
  }

  /** Records buffered from one partition. */
  bufferedIn(partition: TopicPartition): number {
    return this.queue(partition).size
  }

  size(): number {
    let n = 0
    for (const q of this.queues.values()) n += q.size
    return n
  }

  /** Takes the next record in time order, unless its event time is later than `until`. */
  next(until = Infinity): QueuedRecord | undefined {
    let best: PartitionQueue | undefined
    let bestTs = Infinity
    for (const q of this.queues.values()) {
      const head = q.peek()
      if (head !== undefined && (best === undefined || head.timestamp < bestTs)) {
        best = q
        bestTs = head.timestamp
      }
    }
    return bestTs > until ? undefined : best?.shift()
  }

  clear(): void {
    for (const q of this.queues.values()) q.clear()
  }

  private queue(partition: TopicPartition): PartitionQueue {
    const queue = this.queues.get(tpKey(partition))
    if (queue === undefined) throw new Error(`partition ${tpKey(partition)} does not belong to this task`)
    return queue
  }
}
