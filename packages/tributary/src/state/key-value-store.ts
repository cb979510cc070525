export interface KeyValue<K, V> {
  readonly key: K
  readonly value: V
}

/** What processors see. Reads see this task's uncommitted writes. Iteration is in ascending order
 *  of the serialized key bytes, as in Kafka Streams' RocksDB stores. */
export interface ReadOnlyKeyValueStore<K, V> {
  readonly name: string
  get(key: K): V | undefined
  /** Entries with from <= key <= to (serialized order); an absent bound is open. */
  range(from?: K, to?: K): IterableIterator<KeyValue<K, V>>
  all(): IterableIterator<KeyValue<K, V>>
  approximateNumEntries(): number
}

export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V): void
  putIfAbsent(key: K, value: V): V | undefined
  /** Returns the previous value. */
  delete(key: K): V | undefined
}
