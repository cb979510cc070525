import type { Headers } from '../record.ts'
import type { TaskMetrics } from '../runtime/task-metrics.ts'
import type { Serde } from '../serde/serde.ts'
import type { KeyValueStore } from '../state/key-value-store.ts'
import type { TimestampedKeyValueStore } from '../state/timestamped-key-value-store.ts'
import type { TimestampedWindowStore } from '../state/window/timestamped-window-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import type { WindowStore } from '../state/window-store.ts'
import type { TestInputTopicOptions } from './test-input-topic.ts'
import type { TestRecord } from './test-record.ts'

export type Awaitable<T> = T | Promise<T>

/** Writes typed records into an input topic; a pipe has been processed once it (or its promise) returns. */
export interface InputTopic<K, V> {
  pipeInput(key: K | null, value: V | null, timestamp?: number, headers?: Headers): Awaitable<void>
  /** Pipes a record with a null key. */
  pipeValue(value: V | null, timestamp?: number): Awaitable<void>
  pipeKeyValueList(entries: Iterable<readonly [K | null, V | null]>, timestamp?: number): Awaitable<void>
  pipeValueList(values: Iterable<V | null>): Awaitable<void>
  /** Pipes bytes as they are, e.g. to test how bad input is handled. */
  pipeRaw(key: Buffer | null, value: Buffer | null, timestamp?: number, headers?: Headers): Awaitable<void>
  /** Moves the implicit timestamp of records piped without one. */
  advanceTime(ms: number): void
}

/** Reads typed records the topology wrote to one topic, oldest first; reading consumes them. */
export interface OutputTopic<K, V> {
  isEmpty(): Awaitable<boolean>
  getQueueSize(): Awaitable<number>
  readRecord(): Awaitable<TestRecord<K, V>>
  readValue(): Awaitable<V>
  readKeyValue(): Awaitable<[K, V]>
  readRecordsToList(): Awaitable<TestRecord<K, V>[]>
  readValuesToList(): Awaitable<V[]>
  readKeyValuesToList(): Awaitable<Array<[K, V]>>
  /** The latest value per key; a null value (tombstone) removes the key. */
  readKeyValuesToMap(): Awaitable<Map<K, V>>
}

/**
 * What TopologyTestDriver (synchronous, no runtime) and LogTestDriver (a StreamsApp on a real log:
 * embedded or Kafka) have in common. A test written against it, with `await` on every call that
 * may return a promise, runs unchanged on both.
 */
export interface StreamsTestDriver {
  createInputTopic<K, V>(
    topic: string,
    key: Serde<K>,
    value: Serde<V>,
    options?: TestInputTopicOptions,
  ): InputTopic<K, V>
  createOutputTopic<K, V>(topic: string, key: Serde<K>, value: Serde<V>): OutputTopic<K, V>
  /** A table's store (timestamped) reads here as plain values. */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V>
  /** A table's store with each value's timestamp (`ValueAndTimestamp`). */
  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V>
  /** A windowed aggregation's store (timestamped) reads here as plain values. */
  getWindowStore<K, V>(name: string): WindowStore<K, V>
  /** A windowed aggregation's store with each window's timestamp (`ValueAndTimestamp`). */
  getTimestampedWindowStore<K, V>(name: string): TimestampedWindowStore<K, V>
  getSessionStore<K, A>(name: string): SessionStore<K, A>
  getStateStore<S>(name: string): S
  /** Counters summed over the tasks (processed, lateRecords, deadLettered, ...). */
  metrics(): TaskMetrics
  /** Moves the wall clock and fires the wall-clock punctuations that fall due. */
  advanceWallClockTime(ms: number): Awaitable<void>
  /** Names of the topics the topology has written to (internal ones with their prefix). */
  producedTopicNames(): Awaitable<string[]>
  close(): Awaitable<void>
}
