// The public surface of `tributary`. Internals are not re-exported.
export type { Headers, StreamRecord, TopicPartition } from './record.ts'
export { TributaryError, isTributaryError, type ErrorCode } from './errors.ts'
export type { Logger } from './logger.ts'
export { StorageProblems, type StorageProblem, type StorageProblemKind } from './storage-problems.ts'
export { storageErrorOf, type StorageError } from './storage-error.ts'
export type { Serde, Serialized } from './serde/serde.ts'
export { Serdes } from './serde/serdes.ts'
export { fieldMasker, REDACTED, type FieldMask } from './serde/field-mask.ts'
export { maskedSerde } from './serde/masked-serde.ts'
export { secretFromEnv } from './secret-from-env.ts'
export type * from './log/log.ts'
export type { KeyValue, KeyValueStore, ReadOnlyKeyValueStore } from './state/key-value-store.ts'
export {
  Stores,
  type StoreBuilder,
  type StoreDefinition,
  type KeyValueBytesStoreSupplier,
  type TimestampedStoreBuilder,
} from './state/stores.ts'
export type { TimestampedKeyValueStore } from './state/timestamped-key-value-store.ts'
export type { TimestampedWindowStore } from './state/window/timestamped-window-store.ts'
export { ValueAndTimestamp } from './state/value-and-timestamp.ts'
export type {
  Cancellable,
  Processor,
  ProcessorContext,
  LateRecordDetails,
  ProcessorSupplier,
  PunctuationType,
  RecordOrigin,
} from './topology/processor.ts'
export type { StreamPartitioner, TimestampExtractor, TopicExtractor } from './topology/nodes.ts'
export { Topology, type SinkOptions, type SourceOptions } from './topology/topology.ts'
export { StreamsBuilder } from './dsl/streams-builder.ts'
export type { KStream } from './dsl/kstream.ts'
export type { KTable } from './dsl/ktable.ts'
export type { KGroupedStream } from './dsl/kgrouped-stream.ts'
export type { KGroupedTable } from './dsl/kgrouped-table.ts'
export type { BranchedKStream } from './dsl/branched-kstream.ts'
export type { Change } from './dsl/change.ts'
export type { GlobalKTable } from './dsl/global-ktable.ts'
export type { Joined, ValueJoiner } from './dsl/joins/join-options.ts'
export { JoinWindows, type StreamJoined } from './dsl/joins/join-windows.ts'
export type { Consumed, Grouped, Materialized, Named, Produced, Repartitioned } from './dsl/options.ts'
export { DLQ_HEADERS, type ErrorPolicy } from './runtime/error-handling.ts'
export { StreamsApp, type AppMetrics, type AppState } from './runtime/streams-app.ts'
export type { LateWindow } from './runtime/late-record-log.ts'
export { shutdownOnSignals, type ShutdownOptions } from './runtime/shutdown-on-signals.ts'
export type { DropReason, RecordScope, RuntimeObserver } from './runtime/runtime-observer.ts'
export type { ProcessingGuarantee, StreamsConfig } from './runtime/streams-config.ts'
export { EmbeddedLog, type EmbeddedLogOptions } from './log/embedded/index.ts'
export { namespacedLog } from './log/namespaced-log.ts'
export { OffsetBeyondEnd } from './log/offset-beyond-end.ts'
export type { TimeWindow, Windowed } from './windowed.ts'
export { WindowedSerdes } from './serde/windowed-serdes.ts'
export { TimeWindows } from './dsl/windows/time-windows.ts'
export { SlidingWindows } from './dsl/windows/sliding-windows.ts'
export { SessionWindows } from './dsl/windows/session-windows.ts'
export { Suppressed, type BufferConfig } from './dsl/suppressed.ts'
export type { LateRecords, WindowedMaterialized } from './dsl/late-records.ts'
export type { TimeWindowedKStream } from './dsl/time-windowed-kstream.ts'
export type { SessionWindowedKStream } from './dsl/session-windowed-kstream.ts'
export type { ReadOnlyWindowStore, WindowStore } from './state/window-store.ts'
export type { ReadOnlySessionStore, SessionStore } from './state/session-store.ts'
export {
  envelopes,
  envelopeProblems,
  type Envelope,
  type EnvelopeOf,
  type EnvelopeOptions,
  type Envelopes,
  type PayloadCheck,
} from './schema/envelope.ts'
