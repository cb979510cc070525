import type { Serde } from '../../serde/serde.ts'
import type { BufferedKeyValueStore } from '../buffered-store.ts'
import type { KeyValue } from '../key-value-store.ts'
import { valueAndTimestampSerde, ValueAndTimestamp } from '../value-and-timestamp.ts'
import type { WindowStore } from '../window-store.ts'
import type { Windowed } from '../windowed.ts'
import { TypedWindowStore } from './typed-window-store.ts'
import type { WindowStoreConfig } from './window-store-options.ts'

/**
 * A window store whose values carry the timestamp of the newest record they reflect, as Kafka
 * Streams' TimestampedWindowStore: every DSL windowed aggregation keeps its windows in one and
 * stamps its results from it. Bytes: see `valueAndTimestampSerde`.
 */
export class TimestampedWindowStore<K, V> extends TypedWindowStore<K, ValueAndTimestamp<V>> {
  constructor(
    bytes: BufferedKeyValueStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    config: WindowStoreConfig,
  ) {
    super(bytes, keySerde, valueAndTimestampSerde(valueSerde), config)
  }

  /** The same windows without their timestamps (what `getWindowStore` of a test driver returns). */
  plainValues(): WindowStore<K, V> {
    return new PlainWindowValues(this)
  }
}

/** A plain view of a timestamped window store; a `put` through it stamps the window with -1 (unknown). */
class PlainWindowValues<K, V> implements WindowStore<K, V> {
  readonly name: string
  readonly windowSizeMs: number
  readonly retentionMs: number
  constructor(private readonly store: TimestampedWindowStore<K, V>) {
    this.name = store.name
    this.windowSizeMs = store.windowSizeMs
    this.retentionMs = store.retentionMs
  }

  fetch(key: K, windowStart: number): V | undefined {
    return this.store.fetch(key, windowStart)?.value
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): IterableIterator<KeyValue<Windowed<K>, V>> {
    return values(this.store.fetchRange(key, timeFrom, timeTo))
  }

  fetchAll(timeFrom: number, timeTo: number): IterableIterator<KeyValue<Windowed<K>, V>> {
    return values(this.store.fetchAll(timeFrom, timeTo))
  }

  all(): IterableIterator<KeyValue<Windowed<K>, V>> {
    return values(this.store.all())
  }

  put(key: K, value: V | null, windowStart: number): void {
    const stamped = value === null || value === undefined ? null : ValueAndTimestamp.make(value, -1)
    this.store.put(key, stamped, windowStart)
  }
}

function* values<K, V>(
  entries: Iterable<KeyValue<Windowed<K>, ValueAndTimestamp<V>>>,
): Generator<KeyValue<Windowed<K>, V>> {
  for (const { key, value } of entries) yield { key, value: value.value }
}
