import { Serdes } from '../serde/serdes.ts'
import type { Serde } from '../serde/serde.ts'
import type { KStream } from './kstream.ts'
import type { DslContext, KnownSerdes } from './dsl-context.ts'
import { KTable } from './ktable.ts'
import { SessionWindowedKStream } from './session-windowed-kstream.ts'
import { TimeWindowedKStream } from './time-windowed-kstream.ts'
import { SessionWindows } from './windows/session-windows.ts'
import type { SlidingWindows } from './windows/sliding-windows.ts'
import type { TimeWindows } from './windows/time-windows.ts'
import type { Materialized } from './options.ts'
import { streamAggregate } from './processors/stream-aggregate.ts'

/**
 * A stream grouped by key, ready to aggregate. Records with a null key or value are skipped. If
 * the key was changed upstream, the aggregation first repartitions through
 * `<applicationId>-<name>-repartition`, where name is the grouping name, else the store name.
 */
export class KGroupedStream<K, V> {
  /** The repartitioned input, shared by every aggregation of a grouping with a user-given name. */
  private repartitioned: KStream<K, V> | undefined

  /** @internal */
  constructor(
    /** @internal */
    readonly stream: KStream<K, V>,
    private readonly groupName: string | undefined,
  ) {}

  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.fold(
      'KSTREAM-AGGREGATE',
      () => 0,
      (_k, _v, n) => n + 1,
      materialized,
      Serdes.number(),
    )
  }

  /** `reducer(aggregate, value)`; the first value of a key is its initial aggregate. */
  reduce(reducer: (aggregate: V, value: V) => V, materialized: Materialized<K, V> = {}): KTable<K, V> {
    const table = this.fold<V | null>(
      'KSTREAM-REDUCE',
      () => null,
      (_k, v, agg) => (agg === null ? v : reducer(agg, v)),
      materialized as Materialized<K, V | null>,
      this.stream.serdes.value,
    )
    return table as KTable<K, V>
  }

  aggregate<A>(
    initializer: () => A,
    aggregator: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A> = {},
  ): KTable<K, A> {
    return this.fold('KSTREAM-AGGREGATE', initializer, aggregator, materialized, undefined)
  }

  private fold<A>(
    prefix: string,
    initial: () => A,
    add: (key: K, value: V, aggregate: A) => A,
    materialized: Materialized<K, A>,
    defaultValueSerde: Serde<A> | undefined,
  ): KTable<K, A> {
    const ctx = this.stream.ctx
    const processor = ctx.name(prefix)
    const storeName = materialized.name ?? ctx.name(`${prefix}-STATE-STORE`)
    const input = this.inputFor(storeName)
    const keySerde = ctx.serde(materialized.key, this.stream.serdes.key)
    const valueSerde = ctx.serde(materialized.value, defaultValueSerde)
    ctx.topology.addProcessor(processor, streamAggregate(storeName, initial, add), input.nodeName)
    ctx.addTimestampedStore(processor, storeName, keySerde, valueSerde, materialized)
    return new KTable<K, A>(ctx, processor, { key: keySerde, value: valueSerde }, storeName)
  }

  /** Tumbling or hopping windows, or sessions, per key. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    return windows instanceof SessionWindows
      ? new SessionWindowedKStream(this, windows)
      : new TimeWindowedKStream(this, windows)
  }

  /** @internal */
  get ctx(): DslContext {
    return this.stream.ctx
  }

  /** @internal serdes known for the grouped key and value */
  get serdes(): KnownSerdes<K, V> {
    return this.stream.serdes
  }

  /** @internal the stream an aggregation with store `storeName` reads: repartitioned if the key changed */
  inputFor(storeName: string): KStream<K, V> {
    return this.stream.repartitionRequired ? this.repartitionedInput(storeName) : this.stream
  }

  /**
   * As in Kafka Streams: with a grouping name, all aggregations of this grouping read one
   * repartition topic `<name>-repartition` (a second one of that name would be a duplicate node);
   * without one, each aggregation gets its own, named after its store.
   */
  private repartitionedInput(storeName: string): KStream<K, V> {
    if (this.groupName === undefined) return this.stream.repartition({ name: storeName })
    this.repartitioned ??= this.stream.repartition({ name: this.groupName })
    return this.repartitioned
  }
}
