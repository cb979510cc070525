import type { ConsumerRecord, ProducerRecord } from '../log/log.ts'

/** Why a record was not processed or did not count (the `reason` label of dropped-records). */
export type DropReason =
  | 'late' // arrived after its window closed
  | 'invalid-timestamp'
  | 'deserialization' // skipped or dead-lettered by the deserialization policy
  | 'processing' // skipped or dead-lettered by the processing policy
  | 'null-key' // a key-based operation met a null key (Kafka Streams drops these)
  | 'null-value' // an operation that needs a value met a null one (Kafka Streams drops these)

/** The span of processing of one input record, as an observer keeps it (tracing). */
export interface RecordScope {
  /** Called for every output the record causes, before it is sent: may add headers. */
  decorate(record: ProducerRecord): ProducerRecord
  /** Called once when the record is done; `error` when it failed. */
  end(error?: unknown): void
  /** The record read the state entry `entry` of `store` (see `state-lineage.ts` for entry names).
   *  When absent, the runtime does not follow state for this record. */
  stateRead?(store: string, entry: string): void
  /** The record wrote the state entry `entry` of `store`. */
  stateWritten?(store: string, entry: string): void
}

/**
 * What the runtime reports to metrics and tracing. Every method is called on the processing path
 * and must be cheap and never throw; the runtime calls none of them when no observer is set.
 * Durations are in milliseconds (fractions allowed), measured by the runtime.
 */
export interface RuntimeObserver {
  /** Called before a task processes `raw`; the returned scope (if any) wraps its processing. */
  recordStarted?(taskId: string, raw: ConsumerRecord): RecordScope | undefined
  /** `records` consecutive records of `topic` were processed by `taskId` in `durationMs`: a run
   *  within one batch, each record taking the run's average (one record when `timeEachRecord`);
   *  see `run-timer.ts`. */
  recordsProcessed?(taskId: string, topic: string, records: number, durationMs: number): void
  /** Report every record to `recordsProcessed` on its own (Kafka Streams' DEBUG level), not runs. */
  readonly timeEachRecord?: boolean
  recordDropped?(taskId: string, reason: DropReason, processor?: string): void
  /** A record was written to `topic` (output, repartition, changelog or DLQ) by the app;
   *  `eventTimestamp` is its record timestamp (for end-to-end latency). */
  recordSent?(topic: string, eventTimestamp: number): void
  polled?(durationMs: number, records: number): void
  committed?(durationMs: number): void
  punctuated?(taskId: string, durationMs: number): void
  /** A rebalance (revoke + assign) finished after `durationMs`. */
  rebalanced?(durationMs: number): void
  /** Changelog records applied to `store` while restoring. */
  restored?(store: string, records: number): void
  /** A state-store operation (`get`, `put`, `range`, `delete`, `flush`, ...) took `durationMs`;
   *  only reported at the `debug` recording level. */
  storeOperation?(store: string, operation: string, durationMs: number): void
}
