/**
 * Times what a task processes for `RuntimeObserver.recordsProcessed`. A run of consecutive records
 * of one input topic within one `Task.process` call is timed as a whole (one clock read per run,
 * not per record) and reported with its record count, as Kafka Streams' thread-level process
 * latency (INFO) is the average per record of a loop iteration. With `timeEachRecord` (the debug
 * level) every record is a run of its own, as Kafka Streams' task-level process latency (DEBUG).
 * A run's time includes taking its records from the input queue.
 */
export class RunTimer {
  private topic = ''
  private records = 0
  private started = 0
  private readonly maxRecords: number

  constructor(
    private readonly reportRun: (topic: string, records: number, durationMs: number) => void,
    eachRecord: boolean,
  ) {
    this.maxRecords = eachRecord ? 1 : Infinity
  }

  /** Called before the task processes a record of `topic`. */
  next(topic: string): void {
    if (this.records === 0) this.started = performance.now()
    else if (topic !== this.topic || this.records >= this.maxRecords) this.started = this.report()
    this.topic = topic
    this.records++
  }

  /** Reports the open run; called when the task's `process` call ends. */
  flush(): void {
    if (this.records > 0) this.report()
  }

  /** Reports the open run and returns when it ended. */
  private report(): number {
    const now = performance.now()
    this.reportRun(this.topic, this.records, now - this.started)
    this.records = 0
    return now
  }
}
