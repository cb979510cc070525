import type { KeyValue, ReadOnlyKeyValueStore } from '../state/key-value-store.ts'
import { TimestampedKeyValueStore } from '../state/timestamped-key-value-store.ts'

/**
 * Reads across the local shards of one store. Keys live in exactly one shard (their partition), so
 * `get` returns the first hit; iteration concatenates shards and is therefore not globally ordered.
 */
export function mergedStoreView<K, V>(
  name: string,
  shards: () => Array<unknown>,
): ReadOnlyKeyValueStore<K, V> {
  // A table's store keeps timestamps; queries read its plain values (as Kafka Streams' keyValueStore() does).
  const stores = (): ReadOnlyKeyValueStore<K, V>[] =>
    shards()
      .filter((s) => s !== undefined)
      .map((s) => (s instanceof TimestampedKeyValueStore ? s.plainValues() : s)) as ReadOnlyKeyValueStore<
      K,
      V
    >[]
  function* concat(
    pick: (s: ReadOnlyKeyValueStore<K, V>) => Iterable<KeyValue<K, V>>,
  ): IterableIterator<KeyValue<K, V>> {
    for (const s of stores()) yield* pick(s)
  }
  return {
    name,
    get: (key) => {
      for (const s of stores()) {
        const v = s.get(key)
        if (v !== undefined) return v
      }
      return undefined
    },
    range: (from, to) => concat((s) => s.range(from, to)),
    all: () => concat((s) => s.all()),
    approximateNumEntries: () => stores().reduce((n, s) => n + s.approximateNumEntries(), 0),
  }
}
