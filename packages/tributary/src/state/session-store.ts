import type { KeyValue } from './key-value-store.ts'
import type { Windowed } from './windowed.ts'

/**
 * Aggregates per (key, session window). Reads see the task's uncommitted writes. Sessions whose end
 * is at or before (largest session end put so far - retention) are expired, as in Kafka Streams:
 * never returned, puts and removes of them are dropped, and they are deleted from storage (with
 * changelog tombstones) a bounded batch at a time during later puts.
 */
export interface ReadOnlySessionStore<K, A> {
  readonly name: string
  readonly retentionMs: number
  /** The key's sessions with end >= earliestSessionEnd and start <= latestSessionStart, ascending by start. */
  findSessions(
    key: K,
    earliestSessionEnd: number,
    latestSessionStart: number,
  ): IterableIterator<KeyValue<Windowed<K>, A>>
  fetchSession(key: K, start: number, end: number): A | undefined
  all(): IterableIterator<KeyValue<Windowed<K>, A>>
}

export interface SessionStore<K, A> extends ReadOnlySessionStore<K, A> {
  put(session: Windowed<K>, aggregate: A): void
  remove(session: Windowed<K>): void
}
