import { Serdes } from '../serde/serdes.ts'
import type { Serde } from '../serde/serde.ts'
import { WindowedSerdes } from '../serde/windowed-serdes.ts'
import { Stores, type StoreDefinition } from '../state/stores.ts'
import type { Windowed } from '../windowed.ts'
import type { KGroupedStream } from './kgrouped-stream.ts'
import type { KTable } from './ktable.ts'
import type { WindowedMaterialized } from './late-records.ts'
import { windowAggregate } from './processors/window-aggregate.ts'
import { addWindowedAggregation } from './windowed-aggregation.ts'
import { checkRetention } from './windows/durations.ts'
import type { SlidingWindows } from './windows/sliding-windows.ts'
import { TimeWindows } from './windows/time-windows.ts'
import { slidingAggregate } from './processors/sliding-aggregate.ts'

/**
 * A grouped stream cut into tumbling, hopping or sliding windows, ready to aggregate per
 * (key, window). Sliding windows are [start, start + difference] with both ends inclusive.
 */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: TimeWindows | SlidingWindows,
  ) {}

  count(options: WindowedMaterialized<K, number, V> = {}): KTable<Windowed<K>, number> {
    return this.fold(
      () => 0,
      (_k, _v, n) => n + 1,
      options,
      Serdes.number(),
    )
  }

  reduce(
    reducer: (aggregate: V, value: V) => V,
    options: WindowedMaterialized<K, V, V> = {},
  ): KTable<Windowed<K>, V> {
    const add = (_k: K, v: V, agg: V | null): V | null => (agg === null ? v : reducer(agg, v))
    return this.fold<V | null>(
      () => null,
      add,
      options as WindowedMaterialized<K, V | null, V>,
      this.grouped.serdes.value,
    ) as KTable<Windowed<K>, V>
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    options: WindowedMaterialized<K, A, V> = {},
  ): KTable<Windowed<K>, A> {
    return this.fold(initializer, aggregator, options, undefined)
  }

  private fold<A>(
    initial: () => A,
    add: (key: K, value: V, aggregate: A) => A,
    options: WindowedMaterialized<K, A, V>,
    defaultValue: Serde<A> | undefined,
  ): KTable<Windowed<K>, A> {
    const ctx = this.grouped.ctx
    const windows = this.windows
    const sliding = !(windows instanceof TimeWindows)
    const sizeMs = sliding ? windows.timeDifferenceMs : windows.sizeMs
    const graceMs = windows.graceMs
    const storeName = options.name ?? ctx.name('KSTREAM-WINDOWED-AGGREGATE-STATE-STORE')
    const keySerde = ctx.serde(options.key, this.grouped.serdes.key)
    const valueSerde = ctx.serde(options.value, defaultValue)
    // Sliding windows build a new window from neighbours up to 2 x difference back (as Kafka Streams).
    const minimum = sliding
      ? { ms: 2 * sizeMs + graceMs, what: '2 x time difference + grace' }
      : { ms: sizeMs + graceMs, what: 'window size + grace' }
    const spec = {
      retentionMs: checkRetention(options.retentionMs, minimum, storeName),
      windowSizeMs: sizeMs,
    }
    const supplier =
      options.persistent === false
        ? Stores.inMemoryWindowStore(storeName, spec)
        : Stores.persistentWindowStore(storeName, spec)
    const builder = Stores.timestampedWindowStoreBuilder(supplier, keySerde, valueSerde)
    const stores: StoreDefinition[] = [options.logging === false ? builder.withLoggingDisabled() : builder]
    return addWindowedAggregation(
      this.grouped.inputFor(storeName),
      storeName,
      (outputs) =>
        sliding
          ? slidingAggregate(storeName, windows, initial, add, outputs)
          : windowAggregate(storeName, windows, initial, add, outputs),
      stores,
      { key: WindowedSerdes.timeWindowed(keySerde, sizeMs), value: valueSerde },
      { graceMs, session: false },
      options.lateRecords,
    )
  }
}
