import type { Consumer } from '../log/log.ts'
import type { TopicPartition } from '../record.ts'
import type { Task } from './task.ts'

/** One reason to stop fetching an input partition for now; asked every turn for each input. */
export interface PauseRule {
  paused(task: Task, partition: TopicPartition): boolean
}

/**
 * Pauses fetching for the input partitions that any rule wants paused and resumes them once none
 * does, so rules compose: one rule lifting its reason never resumes a partition another still
 * holds. Partitions are the tasks' own objects (no key is built per turn); those of closed tasks
 * are resumed, before new pauses, so a task reopened on the same partition keeps its pause.
 */
export class InputPauses {
  private paused = new Set<TopicPartition>()
  /** Set by an assignment change: the next update tells the consumer every pause and resume. */
  private resync = false

  constructor(private readonly rules: readonly PauseRule[]) {}

  update(consumer: Consumer, tasks: readonly Task[]): void {
    const next = new Set<TopicPartition>()
    for (const task of tasks)
      for (const tp of task.inputs.partitions()) {
        let paused = false
        // every rule is asked: a rule may keep state per partition (hysteresis)
        for (const rule of this.rules) if (rule.paused(task, tp)) paused = true
        if (paused) next.add(tp)
      }
    const resume = [...this.paused].filter((tp) => !next.has(tp))
    const pause = this.resync ? [...next] : [...next].filter((tp) => !this.paused.has(tp))
    this.paused = next
    this.resync = false
    if (resume.length > 0) consumer.resume(resume)
    if (pause.length > 0) consumer.pause(pause)
  }

  /** Called when the consumer's assignment changed: it forgot the pauses of the partitions it gave
   *  up or gained but kept those of the others, so the next update resumes every partition no
   *  longer wanted paused and pauses again every one that is (pause and resume are idempotent). */
  reset(): void {
    this.resync = true
  }
}
