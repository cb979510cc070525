import { TributaryError } from '../errors.ts'
import { Serdes } from '../serde/serdes.ts'
import type { Windowed } from '../windowed.ts'
import { changeSerde, type Change } from './change.ts'
import { suppress, type SuppressPolicy } from './processors/suppress.ts'
import type { Suppressed } from './suppressed.ts'
import type { DslContext, KnownSerdes } from './dsl-context.ts'
import { KGroupedTable } from './kgrouped-table.ts'
import type { ValueJoiner } from './joins/join-options.ts'
import { tableJoin } from './joins/table-join.ts'
import { mappedValueGetter, storeValueGetter, type ValueGetterSupplier } from './joins/value-getter.ts'
import { KStream } from './kstream.ts'
import type { Grouped, Materialized, Named } from './options.ts'
import { stateless } from './processors/stateless.ts'
import { tableTransform } from './processors/table-transform.ts'

/** How a windowed table's windows close: at end + grace (sessions: end + gap + grace). */
export interface Windowing {
  readonly graceMs: number
  readonly session: boolean
  /** A session window's inactivity gap: a session closes at end + gap + grace. */
  readonly gapMs?: number
}

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
    /** @internal how joins read an unmaterialized table; default: its store */
    private readonly getter?: () => ValueGetterSupplier<K, V>,
    /** @internal set on tables of windowed aggregates: when their windows close */
    readonly windowing?: Windowing,
  ) {}

  /** @internal how a join processor looks up this table's current value for a key */
  valueGetterSupplier(): ValueGetterSupplier<K, V> {
    if (this.getter !== undefined) return this.getter()
    if (this.queryableStoreName !== undefined) return storeValueGetter(this.queryableStoreName)
    throw new TributaryError('TOPOLOGY', `table ${this.nodeName} has no store and no value getter`)
  }

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

  /**
   * Inner join with another table on the key (both must be co-partitioned). The result is a table
   * updated whenever either side changes; a key leaving the join is forwarded as a tombstone.
   * With `materialized`, the result is kept in a store (else it is computed from both sides).
   */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>
  /**
   * Foreign-key join: each row joins the other table's row for `foreignKey(value)`; no
   * co-partitioning needed (two internal topics route subscriptions and answers). Null foreign
   * key: no match. The result is materialized (named by `materialized.name` if given).
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKey: (value: V) => KO | null | undefined,
    joiner: ValueJoiner<V, VO, VR, K>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>
  join(other: unknown, ...args: unknown[]): unknown {
    return tableJoin(this, other, args, 'inner')
  }

  /** As `join`, but every key of this table has a row; the other value is null when absent. */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>
  /** Foreign-key left join: as the foreign-key `join`, but a row without a match joins null. */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKey: (value: V) => KO | null | undefined,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>
  leftJoin(other: unknown, ...args: unknown[]): unknown {
    return tableJoin(this, other, args, 'left')
  }

  /** Every key of either table has a row; the absent side's value is null. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    return tableJoin(this, other, [joiner, materialized], 'outer') as KTable<K, VR>
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
      this.ctx.addTimestampedStore(name, storeName, serdes.key, this.ctx.serde(serdes.value), materialized)
    const getter =
      storeName === undefined ? () => mappedValueGetter(this.valueGetterSupplier(), map) : undefined
    return new KTable<K, VR>(this.ctx, name, serdes, storeName, getter)
  }

  /**
   * Holds updates back: `untilWindowCloses` emits one final result per window of a windowed table
   * once stream time passes its end + grace; `untilTimeLimit` emits each key's latest value after
   * it waited that long. The buffer is a changelogged store, so it survives restarts.
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const ctx = this.ctx
    const storeName = suppressed.name ?? ctx.name('KTABLE-SUPPRESS-STATE-STORE')
    const keySerde = ctx.serde(this.serdes.key)
    const windowing = this.windowing
    let policy: SuppressPolicy<K>
    if (suppressed.kind === 'until-window-closes') {
      if (windowing === undefined) {
        throw new TributaryError(
          'TOPOLOGY',
          'suppress(untilWindowCloses) needs a windowed table (from windowedBy(...).count/reduce/aggregate)',
        )
      }
      // Kafka Streams closes a session only once stream time reaches its end + gap + grace.
      const close = windowing.graceMs + (windowing.gapMs ?? 0)
      policy = { deadline: (key) => (key as Windowed<unknown>).window.end + close, dropDeletes: true }
    } else {
      policy = { deadline: (_key, first) => first + suppressed.timeToWaitMs, dropDeletes: false }
    }
    const name = ctx.name('KTABLE-SUPPRESS')
    const wire = changeSerde(ctx.serde(this.serdes.value))
    ctx.topology.addProcessor(
      name,
      suppress(storeName, keySerde, wire, policy, suppressed.buffer),
      this.nodeName,
    )
    ctx.addStore(name, storeName, Serdes.bytes(), Serdes.bytes(), { persistent: false })
    return new KTable<K, V>(ctx, name, this.serdes, undefined, undefined, windowing)
  }
}
