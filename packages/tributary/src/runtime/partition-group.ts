import type { ConsumerRecord } from '../log/log.ts'
import type { TopicPartition } from '../record.ts'
import { tpKey } from '../record.ts'

/** One input partition's buffered records, in offset order. */
class PartitionQueue {
  private records: ConsumerRecord[] = []
  private head = 0

  constructor(readonly partition: TopicPartition) {}

  push(records: readonly ConsumerRecord[]): void {
    for (const r of records) this.records.push(r)
  }

  peek(): ConsumerRecord | undefined {
    return this.records[this.head]
  }

  shift(): ConsumerRecord | undefined {
    const record = this.records[this.head]
    if (record === undefined) return undefined
    this.head++
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head)
      this.head = 0
    }
    return record
  }

  get size(): number {
    return this.records.length - this.head
  }

  clear(): void {
    this.records = []
    this.head = 0
  }
}

/**
 * The input partitions of one task. `next` picks, among non-empty partitions, the head record with
 * the smallest timestamp (ties: the partition added first), so a task sees its inputs in time
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

  push(partition: TopicPartition, records: readonly ConsumerRecord[]): void {
    const queue = this.queues.get(tpKey(partition))
    if (queue === undefined) throw new Error(`partition ${tpKey(partition)} does not belong to this task`)
    queue.push(records)
  }

  /** True when every partition has buffered data (no need to wait for a lagging input). */
  allBuffered(): boolean {
    for (const q of this.queues.values()) if (q.size === 0) return false
    return true
  }

  size(): number {
    let n = 0
    for (const q of this.queues.values()) n += q.size
    return n
  }

  next(): ConsumerRecord | undefined {
    let best: PartitionQueue | undefined
    let bestTs = Infinity
    for (const q of this.queues.values()) {
      const head = q.peek()
      if (head !== undefined && head.timestamp < bestTs) {
        best = q
        bestTs = head.timestamp
      }
    }
    return best?.shift()
  }

  /** Sizes per partition, for pause/resume decisions. */
  buffered(partition: TopicPartition): number {
    return this.queues.get(tpKey(partition))?.size ?? 0
  }

  clear(): void {
    for (const q of this.queues.values()) q.clear()
  }
}
