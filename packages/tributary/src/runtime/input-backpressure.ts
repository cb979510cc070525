import type { Consumer } from '../log/log.ts'
import { tpKey, type TopicPartition } from '../record.ts'
import type { Task } from './task.ts'

/**
 * Pauses fetching for input partitions whose task holds `limit` or more of their records (a task
 * that alignment holds back keeps its records buffered), and resumes them below half of that, as
 * Kafka Streams does with buffered.records.per.partition.
 */
export class InputBackpressure {
  private readonly paused = new Map<string, TopicPartition>()

  constructor(private readonly limit: number) {}

  update(consumer: Consumer, tasks: readonly Task[]): void {
    const pause: TopicPartition[] = []
    const resume: TopicPartition[] = []
    const live = new Set<string>()
    for (const task of tasks)
      for (const tp of task.inputs.partitions()) {
        const key = tpKey(tp)
        const buffered = task.inputs.bufferedIn(tp)
        live.add(key)
        if (buffered >= this.limit && !this.paused.has(key)) {
          this.paused.set(key, tp)
          pause.push(tp)
        } else if (buffered < this.limit / 2 && this.paused.delete(key)) resume.push(tp)
      }
    for (const [key, tp] of this.paused)
      if (!live.has(key)) {
        this.paused.delete(key)
        resume.push(tp)
      }
    if (pause.length > 0) consumer.pause(pause)
    if (resume.length > 0) consumer.resume(resume)
  }
}
