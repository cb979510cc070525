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
 * order as far as buffered data allows. Called per record: lookups take no string keys and the
 * counts a task checks per record (`size`, `allBuffered`) are kept, not recounted.
 */
export class PartitionGroup {
  /** In the order added (the tie-break of `next`). */
  private readonly queues: PartitionQueue[] = []
  /** topic -> partition number -> queue. */
  private readonly byTopic = new Map<string, PartitionQueue[]>()
  private readonly list: TopicPartition[] = []
  private buffered = 0
  private empty = 0

  add(partition: TopicPartition): void {
    const ofTopic = this.byTopic.get(partition.topic) ?? []
    if (ofTopic[partition.partition] !== undefined) return
    const queue = new PartitionQueue(partition)
    ofTopic[partition.partition] = queue
    this.byTopic.set(partition.topic, ofTopic)
    this.queues.push(queue)
    this.list.push(partition)
    this.empty++
  }

  /** The partitions, in the order added (do not modify). */
  partitions(): readonly TopicPartition[] {
    return this.list
  }

  push(partition: TopicPartition, entry: QueuedRecord): void {
    const queue = this.queue(partition)
    if (queue.size === 0) this.empty--
    queue.push(entry)
    this.buffered++
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
    return this.empty === 0
  }

  /** How many partitions have nothing buffered. */
  emptyCount(): number {
    return this.empty
  }

  /** Partitions with nothing buffered. */
  emptyPartitions(): TopicPartition[] {
    return this.queues.filter((q) => q.size === 0).map((q) => q.partition)
  }

  /** Records buffered from one partition. */
  bufferedIn(partition: TopicPartition): number {
    return this.queue(partition).size
  }

  size(): number {
    return this.buffered
  }

  /** Takes the next record in time order, unless its event time is later than `until`. */
  next(until = Infinity): QueuedRecord | undefined {
    const queues = this.queues
    let best: PartitionQueue | undefined
    let bestTs = Infinity
    for (let i = 0; i < queues.length; i++) {
      const head = queues[i]!.peek()
      if (head !== undefined && (best === undefined || head.timestamp < bestTs)) {
        best = queues[i]
        bestTs = head.timestamp
      }
    }
    if (best === undefined || bestTs > until) return undefined
    this.buffered--
    if (best.size === 1) this.empty++
    return best.shift()
  }

  clear(): void {
    for (const q of this.queues) q.clear()
    this.buffered = 0
    this.empty = this.queues.length
  }

  private queue(partition: TopicPartition): PartitionQueue {
    const queue = this.byTopic.get(partition.topic)?.[partition.partition]
    if (queue === undefined) throw new Error(`partition ${tpKey(partition)} does not belong to this task`)
    return queue
  }
}
