import type { StreamRecord } from '../record.ts'
import type { TimeWindow } from '../windowed.ts'

export type PunctuationType = 'stream-time' | 'wall-clock'

export interface Cancellable {
  cancel(): void
}

/** Where the record being processed came from; undefined inside a punctuation. */
export interface RecordOrigin {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/**
 * What a processor may do. Valid from `init` until `close`, only on the task's own turn: a
 * processor instance belongs to exactly one task and is never called concurrently.
 */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string
  readonly taskId: string
  /** Sends a record to every child, or only to the child named `childName`. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void
  /** A store connected to this processor; throws code STATE for any other name. */
  getStateStore<S>(name: string): S
  /** Calls `callback(time)` every `intervalMs` of stream time or of wall-clock time. */
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable
  /** Counts a record dropped because it arrived after its window closed (metric `lateRecords`);
   *  the runtime warns once per processor and window, with what `details` tells. */
  recordLate(details?: LateRecordDetails): void
  /** Counts a record this processor skipped because its key or value (or the key it joins on) is
   *  null, as Kafka Streams skips them (metric `droppedRecords`, reason `null-key`/`null-value`). */
  recordDropped(reason: NullDropReason): void
  /** Asks the runtime to commit as soon as the current record is done. */
  commit(): void
  recordOrigin(): RecordOrigin | undefined
  /** Largest record timestamp this task has seen; -Infinity before its first record. */
  currentStreamTimeMs(): number
  currentSystemTimeMs(): number
}

/**
 * A step of a topology. `process` is synchronous: state reads and writes are in memory (writes
 * reach storage at commit), outputs are buffered by the runtime. A thrown error goes to the
 * processing exception handler.
 */
export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): void
  process(record: StreamRecord<KIn, VIn>): void
  close?(): void
}

/** Makes a new processor instance for each task. */
export type ProcessorSupplier<KIn, VIn, KOut, VOut> = () => Processor<KIn, VIn, KOut, VOut>

/** Why a processor skipped a record (see `ProcessorContext.recordDropped`). */
export type NullDropReason = 'null-key' | 'null-value'

/** What a processor knows of a late record: its event time and the window that had closed. */
export interface LateRecordDetails {
  readonly timestamp: number
  readonly window?: TimeWindow
}
