import type { DslContext, KnownSerdes } from './dsl-context.ts'
import { globalStoreValueGetter, type ValueGetterSupplier } from './joins/value-getter.ts'

/**
 * A table replicated in full to every instance: its store holds all partitions of its topic, so a
 * stream can join it on any key it computes (no co-partitioning, no repartition). Built with
 * `StreamsBuilder.globalTable`; usable only as the right side of `KStream.join/leftJoin`. The
 * store is kept in memory and rebuilt from the topic at every start.
 */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    readonly ctx: DslContext,
    /** Name of the global store, readable from any processor with `context.getStateStore`. */
    readonly queryableStoreName: string,
    /** @internal */
    readonly serdes: KnownSerdes<K, V>,
  ) {}

  /** @internal the global store is read by name: no store connection needed */
  valueGetterSupplier(): ValueGetterSupplier<K, V> {
    return globalStoreValueGetter<K, V>(this.queryableStoreName)
  }
}
