import { Serdes } from '../serde/serdes.ts'
import type { Serde } from '../serde/serde.ts'
import { WindowedSerdes } from '../serde/windowed-serdes.ts'
import { Stores } from '../state/stores.ts'
import type { Windowed } from '../windowed.ts'
import type { KGroupedStream } from './kgrouped-stream.ts'
import type { KTable } from './ktable.ts'
import type { WindowedMaterialized } from './late-records.ts'
import { sessionAggregate } from './processors/session-aggregate.ts'
import { addWindowedAggregation } from './windowed-aggregation.ts'
import { checkRetention } from './windows/durations.ts'
import type { SessionWindows } from './windows/session-windows.ts'

/** A grouped stream cut into per-key sessions, ready to aggregate per (key, session). */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: SessionWindows,
  ) {}

  count(options: WindowedMaterialized<K, number, V> = {}): KTable<Windowed<K>, number> {
    return this.fold(
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, a, b) => a + b,
      options,
      Serdes.number(),
    )
  }

  reduce(
    reducer: (aggregate: V, value: V) => V,
    options: WindowedMaterialized<K, V, V> = {},
  ): KTable<Windowed<K>, V> {
    const combine = (a: V | null, b: V | null): V | null => (a === null ? b : b === null ? a : reducer(a, b))
    return this.fold<V | null>(
      () => null,
      (_k, v, agg) => combine(agg, v),
      (_k, a, b) => combine(a, b),
      options as WindowedMaterialized<K, V | null, V>,
      this.grouped.serdes.value,
    ) as KTable<Windowed<K>, V>
  }

  /** `merger(key, left, right)` combines the aggregates of two sessions a record joins together. */
  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    merger: (key: K, left: A, right: A) => A,
    options: WindowedMaterialized<K, A, V> = {},
  ): KTable<Windowed<K>, A> {
    return this.fold(initializer, aggregator, merger, options, undefined)
  }

  private fold<A>(
    initial: () => A,
    add: (key: K, value: V, aggregate: A) => A,
    merge: (key: K, left: A, right: A) => A,
    options: WindowedMaterialized<K, A, V>,
    defaultValue: Serde<A> | undefined,
  ): KTable<Windowed<K>, A> {
    const ctx = this.grouped.ctx
    const { inactivityGapMs, graceMs } = this.windows
    const storeName = options.name ?? ctx.name('KSTREAM-SESSION-AGGREGATE-STATE-STORE')
    const keySerde = ctx.serde(options.key, this.grouped.serdes.key)
    const valueSerde = ctx.serde(options.value, defaultValue)
    const spec = {
      retentionMs: checkRetention(
        options.retentionMs,
        { ms: inactivityGapMs + graceMs, what: 'inactivity gap + grace' },
        storeName,
      ),
    }
    const supplier =
      options.persistent === false
        ? Stores.inMemorySessionStore(storeName, spec)
        : Stores.persistentSessionStore(storeName, spec)
    const builder = Stores.sessionStoreBuilder(supplier, keySerde, valueSerde)
    return addWindowedAggregation(
      this.grouped.inputFor(storeName),
      storeName,
      (outputs) => sessionAggregate(storeName, this.windows, initial, add, merge, outputs),
      [options.logging === false ? builder.withLoggingDisabled() : builder],
      { key: WindowedSerdes.sessionWindowed(keySerde), value: valueSerde },
      { graceMs, session: true, gapMs: inactivityGapMs },
      options.lateRecords,
    )
  }
}
