import { Serdes } from '../serde/serdes.ts'
import type { Serde } from '../serde/serde.ts'
import { changeSerde } from './change.ts'
import { KTable } from './ktable.ts'
import type { Grouped, Materialized } from './options.ts'
import { tableAggregate } from './processors/table-aggregate.ts'
import { tableRegroup } from './processors/table-regroup.ts'

/**
 * A table re-keyed for aggregation. Every aggregation goes through a repartition topic carrying
 * changes; an update retracts the old value from its old group (the subtractor) and adds the new
 * one to its new group (the adder).
 */
export class KGroupedTable<K, V> {
  /** Source node of the repartition topic, shared by every aggregation of a grouping with a user-given name. */
  private sharedSource: string | undefined

  /** @internal */
  constructor(
    private readonly table: Pick<KTable<unknown, unknown>, 'ctx' | 'nodeName'>,
    private readonly selector: (key: never, value: never) => readonly [K, V],
    private readonly grouped: Grouped<K, V>,
  ) {}

  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.fold(
      'KTABLE-AGGREGATE',
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, _v, n) => n - 1,
      materialized,
      Serdes.number(),
    )
  }

  /** `adder(aggregate, value)`, `subtractor(aggregate, value)`; a group's first value is its initial aggregate. */
  reduce(
    adder: (aggregate: V, value: V) => V,
    subtractor: (aggregate: V, value: V) => V,
    materialized: Materialized<K, V> = {},
  ): KTable<K, V> {
    return this.fold<V | null>(
      'KTABLE-REDUCE',
      () => null,
      (_k, v, agg) => (agg === null ? v : adder(agg, v)),
      (_k, v, agg) => (agg === null ? null : subtractor(agg, v)),
      materialized as Materialized<K, V | null>,
      this.grouped.value,
    ) as KTable<K, V>
  }

  aggregate<A>(
    initializer: () => A,
    adder: (key: K, value: V, aggregate: A) => A,
    subtractor: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<K, A> {
    return this.fold('KTABLE-AGGREGATE', initializer, adder, subtractor, materialized, undefined)
  }

  private fold<A>(
    prefix: string,
    initial: () => A,
    add: (key: K, value: V, aggregate: A) => A,
    subtract: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A>,
    defaultValueSerde: Serde<A> | undefined,
  ): KTable<K, A> {
    const ctx = this.table.ctx
    const topology = ctx.topology
    const storeName = materialized.name ?? ctx.name(`${prefix}-STATE-STORE`)
    const source = this.repartitionSource(storeName)
    const processor = ctx.name(prefix)
    topology.addProcessor(processor, tableAggregate(storeName, initial, add, subtract), source)
    const storeKey = ctx.serde(materialized.key, this.grouped.key)
    const storeValue = ctx.serde(materialized.value, defaultValueSerde)
    ctx.addTimestampedStore(processor, storeName, storeKey, storeValue, materialized)
    return new KTable<K, A>(ctx, processor, { key: storeKey, value: storeValue }, storeName)
  }

  /**
   * Adds the select step and the repartition topic `<base>-repartition` carrying changes; returns
   * the node that reads it back. As in Kafka Streams, a grouping name makes all aggregations of
   * this grouping share one topic; without one, each gets its own, named after its store.
   */
  private repartitionSource(storeName: string): string {
    if (this.sharedSource !== undefined) return this.sharedSource
    const ctx = this.table.ctx
    const topology = ctx.topology
    const base = this.grouped.name ?? storeName
    const select = ctx.name('KTABLE-SELECT')
    const topic = `${base}-repartition`
    const wire = { key: ctx.serde(this.grouped.key), value: changeSerde(ctx.serde(this.grouped.value)) }
    const selector = this.selector as (key: unknown, value: unknown) => readonly [K, V]
    topology.addProcessor(select, tableRegroup(selector, wire.key, topic), this.table.nodeName)
    topology.addInternalTopic({ name: topic, kind: 'repartition' })
    topology.addSink(`${base}-repartition-sink`, topic, wire, select)
    topology.addSource(`${base}-repartition-source`, topic, wire)
    if (this.grouped.name !== undefined) this.sharedSource = `${base}-repartition-source`
    return `${base}-repartition-source`
  }
}
