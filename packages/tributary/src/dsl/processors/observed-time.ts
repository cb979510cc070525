import type { ProcessorContext } from '../../topology/processor.ts'

/**
 * A processor's own stream time, as Kafka Streams' windowed processors keep it: the largest
 * timestamp among the records given to this processor (records it drops for a null key do not
 * count, nor do the task's records that never reach it). It starts from the task's stream time
 * when the processor gets its first record, which after a restart is the committed stream time:
 * windows closed before the restart stay closed (Kafka Streams starts over from nothing).
 */
export class ObservedTime {
  #time: number | undefined

  constructor(private readonly context: ProcessorContext<unknown, unknown>) {}

  /** Observes `timestamp` and returns the processor's stream time. */
  observe(timestamp: number): number {
    this.#time = Math.max(this.#time ?? this.context.currentStreamTimeMs(), timestamp)
    return this.#time
  }
}
