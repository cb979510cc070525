import type { KeyValue } from './key-value-store.ts'
import type { Windowed } from './windowed.ts'

/**
 * Values per (key, window start) for fixed-size windows. Reads see the task's uncommitted writes.
 * Entries whose window start is at or before (largest start put so far - retention) are expired,
 * as in Kafka Streams: never returned, puts to them are dropped, and they are deleted from storage
 * (with changelog tombstones) a bounded batch at a time during later puts. Stored times are
 * non-negative integer ms; query bounds may be any number (clamped).
 */
export interface ReadOnlyWindowStore<K, V> {
  readonly name: string
  readonly windowSizeMs: number
  readonly retentionMs: number
  fetch(key: K, windowStart: number): V | undefined
  /** The key's windows with start in [timeFrom, timeTo], ascending by start. */
  fetchRange(key: K, timeFrom: number, timeTo: number): IterableIterator<KeyValue<Windowed<K>, V>>
  /** All keys' windows with start in [timeFrom, timeTo]; the order is the implementation's
   *  (TypedWindowStore: by time bucket, then key, then start). */
  fetchAll(timeFrom: number, timeTo: number): IterableIterator<KeyValue<Windowed<K>, V>>
  all(): IterableIterator<KeyValue<Windowed<K>, V>>
}

export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V> {
  /** Sets the value of (key, windowStart); null deletes it. With `retainDuplicates` (stream-stream
   *  join buffers), every put adds a new entry and null is ignored. */
  put(key: K, value: V | null, windowStart: number): void
}
