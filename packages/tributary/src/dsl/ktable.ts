import type { Change } from './change.ts'
import type { DslContext, KnownSerdes } from './dsl-context.ts'
import { KGroupedTable } from './kgrouped-table.ts'
import { KStream } from './kstream.ts'
import type { Grouped, Materialized, Named } from './options.ts'
import { stateless } from './processors/stateless.ts'
import { tableTransform } from './processors/table-transform.ts'

/**
 * A changelog view of a keyed table: each update replaces the key's value, null deletes it.
 * Internally its records carry `Change`s (new and old value), so downstream aggregations can
 * retract old values.
 */
export class KTable<K, V> {
  /** @internal */
  constructor(
    readonly ctx: DslContext,
    /** @internal node whose output (Change records) this table is */
    readonly nodeName: string,
    /** @internal */
    readonly serdes: KnownSerdes<K, V>,
    /** Name of the store holding this table, when it is materialized. */
    readonly queryableStoreName: string | undefined,
  ) {}

  filter(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.transform(
      'KTABLE-FILTER',
      (k, v) => (predicate(k, v) ? v : null),
      this.serdes.value,
      materialized,
    )
  }

  filterNot(predicate: (key: K, value: V) => boolean, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.filter((k, v) => !predicate(k, v), materialized)
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.transform('KTABLE-MAPVALUES', (k, v) => mapper(v, k), undefined, materialized)
  }

  /** The table's updates as a stream; a deletion arrives as a null value. */
  toStream(named?: Named): KStream<K, V | null> {
    const name = this.ctx.name('KTABLE-TOSTREAM', named?.name)
    this.ctx.topology.addProcessor(
      name,
      stateless<K, Change<V>, K, V | null>((r, fwd) => fwd({ ...r, value: r.value.newValue })),
      this.nodeName,
    )
    return new KStream<K, V | null>(this.ctx, name, this.serdes, false)
  }

  /** Re-keys the table for an aggregation; always repartitions. */
  groupBy<KR, VR>(
    selector: (key: K, value: V) => readonly [KR, VR],
    grouped: Grouped<KR, VR> = {},
  ): KGroupedTable<KR, VR> {
    return new KGroupedTable(this, selector, grouped)
  }

  private transform<VR>(
    prefix: string,
    map: (key: K, value: V) => VR | null,
    knownValueSerde: KnownSerdes<K, VR>['value'],
    materialized: Materialized<K, VR> | undefined,
  ): KTable<K, VR> {
    const name = this.ctx.name(prefix)
    const storeName =
      materialized === undefined ? undefined : (materialized.name ?? this.ctx.name(`${prefix}-STATE-STORE`))
    this.ctx.topology.addProcessor(name, tableTransform(map, storeName), this.nodeName)
    const serdes = {
      key: this.ctx.serde(materialized?.key, this.serdes.key),
      value: materialized?.value ?? knownValueSerde,
    }
    if (storeName !== undefined)
      this.ctx.addStore(name, storeName, serdes.key, this.ctx.serde(serdes.value), materialized)
    return new KTable<K, VR>(this.ctx, name, serdes, storeName)
  }
}
