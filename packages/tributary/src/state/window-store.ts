import type { KeyValue } from './key-value-store.ts'
import type { Windowed } from './windowed.ts'

/**
 * Values per (key, window start) for fixed-size windows. Reads see the task's uncommitted writes.
 * Entries whose window start is older than (largest start put so far - retention) are expired:
 * never returned, and dropped from storage (and the changelog) in the background of later puts.
 */
export interface ReadOnlyWindowStore<K, V> {
  readonly name: string
  readonly windowSizeMs: number
  readonly retentionMs: number
  fetch(key: K, windowStart: number): V | undefined
  /** The key's windows with start in [timeFrom, timeTo], ascending by start. */
  fetchRange(key: K, timeFrom: number, timeTo: number): IterableIterator<KeyValue<Windowed<K>, V>>
  /** All keys' windows with start in [timeFrom, timeTo]. */
  fetchAll(timeFrom: number, timeTo: number): IterableIterator<KeyValue<Windowed<K>, V>>
  all(): IterableIterator<KeyValue<Windowed<K>, V>>
}

export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V> {
  /** Sets the value of (key, windowStart); null deletes it. With `retainDuplicates` (stream-stream
   *  join buffers), every put adds a new entry and null is ignored. */
  put(key: K, value: V | null, windowStart: number): void
}
