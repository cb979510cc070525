import type { Serde } from '../serde/serde.ts'
import type { BufferedKeyValueStore } from './buffered-store.ts'
import type { KeyValue, KeyValueStore } from './key-value-store.ts'
import { TypedKeyValueStore } from './typed-key-value-store.ts'
import { valueAndTimestampSerde, ValueAndTimestamp } from './value-and-timestamp.ts'

/**
 * A key-value store whose values carry the timestamp of the newest record they reflect, as Kafka
 * Streams' TimestampedKeyValueStore: every DSL table and aggregation keeps its rows in one, and
 * stamps its results from it. Bytes: see `valueAndTimestampSerde`.
 */
export class TimestampedKeyValueStore<K, V> extends TypedKeyValueStore<K, ValueAndTimestamp<V>> {
  constructor(bytes: BufferedKeyValueStore, keySerde: Serde<K>, valueSerde: Serde<V>) {
    super(bytes, keySerde, valueAndTimestampSerde(valueSerde))
  }

  /** The same rows without their timestamps (what `getKeyValueStore` of a test driver returns). */
  plainValues(): KeyValueStore<K, V> {
    return new PlainValues(this)
  }
}

/** A plain view of a timestamped store; a `put` through it stamps the row with -1 (unknown). */
class PlainValues<K, V> implements KeyValueStore<K, V> {
  readonly name: string
  constructor(private readonly store: TimestampedKeyValueStore<K, V>) {
    this.name = store.name
  }

  get(key: K): V | undefined {
    return this.store.get(key)?.value
  }

  *range(from?: K, to?: K): Generator<KeyValue<K, V>> {
    for (const { key, value } of this.store.range(from, to)) yield { key, value: value.value }
  }

  all(): Generator<KeyValue<K, V>> {
    return this.range()
  }

  approximateNumEntries(): number {
    return this.store.approximateNumEntries()
  }

  put(key: K, value: V): void {
    this.store.put(
      key,
      value === null || value === undefined ? (value as never) : ValueAndTimestamp.make(value, -1),
    )
  }

  putIfAbsent(key: K, value: V): V | undefined {
    return this.store.putIfAbsent(key, ValueAndTimestamp.make(value, -1))?.value
  }

  delete(key: K): V | undefined {
    return this.store.delete(key)?.value
  }
}
