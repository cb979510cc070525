import type { TopicPartition } from '../record.ts'
import type { PauseRule } from './input-pauses.ts'
import type { Task } from './task.ts'

/**
 * Pauses an input partition whose task holds `limit` or more of its records (a task that
 * alignment holds back keeps its records buffered) until it holds fewer than half of that, as
 * Kafka Streams does with buffered.records.per.partition.
 */
export class InputBackpressure implements PauseRule {
  private readonly full = new WeakSet<TopicPartition>()

  constructor(private readonly limit: number) {}

  paused(task: Task, tp: TopicPartition): boolean {
    const buffered = task.inputs.bufferedIn(tp)
    if (buffered >= this.limit) this.full.add(tp)
    else if (buffered < this.limit / 2) this.full.delete(tp)
    return this.full.has(tp)
  }
}
