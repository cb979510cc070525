import type { StreamRecord } from '../record.ts'
import { fieldMasker, type FieldMask } from '../serde/field-mask.ts'
import type { TopicExtractor } from '../topology/nodes.ts'
import type { ProcessorSupplier } from '../topology/processor.ts'
import { BranchedKStream } from './branched-kstream.ts'
import type { DslContext, KnownSerdes } from './dsl-context.ts'
import type { GlobalKTable } from './global-ktable.ts'
import { KGroupedStream } from './kgrouped-stream.ts'
import type { Joined, ValueJoiner } from './joins/join-options.ts'
import type { JoinWindows, StreamJoined } from './joins/join-windows.ts'
import { streamJoin } from './joins/stream-join.ts'
import type { KTable } from './ktable.ts'
import type { Grouped, Materialized, Named, Produced, Repartitioned } from './options.ts'
import { stateless } from './processors/stateless.ts'
import { streamToTable } from './stream-to-table.ts'

/**
 * An unbounded stream of key-value records. Every operation adds nodes to the topology and returns
 * a new stream; nothing runs until the topology is started. Records with a null value are passed
 * through as they are (tombstones from a source topic arrive as null values).
 */
export class KStream<K, V> {
  /** @internal */
  constructor(
    readonly ctx: DslContext,
    /** @internal name of the node whose output this stream is */
    readonly nodeName: string,
    /** @internal */
    readonly serdes: KnownSerdes<K, V>,
    /** @internal true after a key change: a stateful step must repartition first */
    readonly repartitionRequired: boolean,
  ) {}

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.step(
      'KSTREAM-FILTER',
      named,
      this.serdes,
      this.repartitionRequired,
      (r, fwd) => predicate(r.key, r.value) && fwd(r),
    )
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.step(
      'KSTREAM-FILTER',
      named,
      this.serdes,
      this.repartitionRequired,
      (r, fwd) => !predicate(r.key, r.value) && fwd(r),
    )
  }

  /** Changes key and value; a later stateful step repartitions. */
  map<KR, VR>(mapper: (key: K, value: V) => readonly [KR, VR], named?: Named): KStream<KR, VR> {
    return this.step<KR, VR>('KSTREAM-MAP', named, {}, true, (r, fwd) => {
      const [key, value] = mapper(r.key, r.value)
      fwd({ ...r, key, value })
    })
  }

  /** The value with the fields of `mask` hashed (keyed HMAC-SHA256) or redacted: see FieldMask. */
  mask(mask: FieldMask, named?: Named): KStream<K, V> {
    const masked = fieldMasker(mask)
    return this.step('KSTREAM-MASK', named, this.serdes, this.repartitionRequired, (r, fwd) =>
      fwd({ ...r, value: masked(r.value) }),
    )
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR> {
    return this.step<K, VR>(
      'KSTREAM-MAPVALUES',
      named,
      { key: this.serdes.key },
      this.repartitionRequired,
      (r, fwd) => fwd({ ...r, value: mapper(r.value, r.key) }),
    )
  }

  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<readonly [KR, VR]>, named?: Named): KStream<KR, VR> {
    return this.step<KR, VR>('KSTREAM-FLATMAP', named, {}, true, (r, fwd) => {
      for (const [key, value] of mapper(r.key, r.value)) fwd({ ...r, key, value })
    })
  }

  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR> {
    return this.step<K, VR>(
      'KSTREAM-FLATMAPVALUES',
      named,
      { key: this.serdes.key },
      this.repartitionRequired,
      (r, fwd) => {
        for (const value of mapper(r.value, r.key)) fwd({ ...r, value })
      },
    )
  }

  /** Changes the key; a later stateful step repartitions, and drops a record whose new key is null. */
  selectKey<KR>(selector: (key: K, value: V) => KR | null, named?: Named): KStream<KR, V> {
    return this.step<KR, V>('KSTREAM-KEY-SELECT', named, { value: this.serdes.value }, true, (r, fwd) =>
      fwd({ ...r, key: selector(r.key, r.value) as KR }),
    )
  }

  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.step('KSTREAM-PEEK', named, this.serdes, this.repartitionRequired, (r, fwd) => {
      action(r.key, r.value)
      fwd(r)
    })
  }

  /** Terminal: calls `action` for each record. */
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.step('KSTREAM-FOREACH', named, this.serdes, false, (r) => action(r.key, r.value))
  }

  /** Routes each record to the first branch whose predicate matches. */
  split(named?: Named): BranchedKStream<K, V> {
    const name = this.ctx.name('KSTREAM-BRANCH', named?.name)
    return new BranchedKStream(this, name)
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const name = this.ctx.name('KSTREAM-MERGE', named?.name)
    this.ctx.topology.addProcessor(
      name,
      stateless<K, V, K, V>((r, fwd) => fwd(r)),
      this.nodeName,
      other.nodeName,
    )
    const serdes = {
      key: this.serdes.key ?? other.serdes.key,
      value: this.serdes.value ?? other.serdes.value,
    }
    return new KStream(this.ctx, name, serdes, this.repartitionRequired || other.repartitionRequired)
  }

  /** Writes to a fixed topic, or to the topic `topic(key, value, origin)` returns per record. */
  to(topic: string | TopicExtractor<K, V>, produced: Produced<K, V> = {}): void {
    const name = this.ctx.name('KSTREAM-SINK', produced.name)
    this.ctx.topology.addSink(
      name,
      topic,
      {
        key: this.ctx.serde(produced.key, this.serdes.key),
        value: this.ctx.serde(produced.value, this.serdes.value),
        ...(produced.partitioner ? { partitioner: produced.partitioner } : {}),
      },
      this.nodeName,
    )
  }

  /** Writes through an internal topic `<applicationId>-<name>-repartition` and reads it back. */
  repartition(options: Repartitioned<K, V> = {}): KStream<K, V> {
    const base = this.ctx.name('KSTREAM-REPARTITION', options.name)
    const serdes = {
      key: this.ctx.serde(options.key, this.serdes.key),
      value: this.ctx.serde(options.value, this.serdes.value),
    }
    const topic = `${base}-repartition`
    this.ctx.topology.addInternalTopic({
      name: topic,
      kind: 'repartition',
      ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    })
    this.ctx.topology.addSink(`${base}-repartition-sink`, topic, serdes, this.nodeName)
    this.ctx.topology.addSource(`${base}-repartition-source`, topic, serdes)
    return new KStream(this.ctx, `${base}-repartition-source`, serdes, false)
  }

  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    const serdes = { key: grouped.key ?? this.serdes.key, value: grouped.value ?? this.serdes.value }
    return new KGroupedStream(
      new KStream(this.ctx, this.nodeName, serdes, this.repartitionRequired),
      grouped.name,
    )
  }

  /** Groups by a new key; a record whose selector returns null is dropped by the aggregation, as in Kafka Streams. */
  groupBy<KR>(
    selector: (key: K, value: V) => KR | null,
    grouped: Grouped<KR, V> = {},
  ): KGroupedStream<KR, V> {
    return this.selectKey(selector).groupByKey(grouped)
  }

  toTable(materialized: Materialized<K, V> = {}): KTable<K, V> {
    return streamToTable(this, materialized)
  }

  /**
   * Inner join with a table: each record is joined with the table's current value for its key;
   * records whose key the table lacks are dropped, and table updates emit nothing. `joined` gives
   * the serdes (and name) for the repartition topic used when the key changed upstream.
   */
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR, K>, joined?: Joined<K, V>): KStream<K, VR>
  /** Inner join with a global table on the table key `keySelector(key, value)` (null: dropped). */
  join<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG | null | undefined,
    joiner: ValueJoiner<V, VG, VR, K>,
    named?: Named,
  ): KStream<K, VR>
  /**
   * Windowed inner join with another stream: records with the same key whose times fall within
   * `windows` of each other join (result time: the later one). Both sides are buffered in window
   * stores (retention window + grace): a record later than its window end + grace still joins
   * what the other store holds, as in Kafka Streams.
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    windows: JoinWindows,
    joined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>
  join(other: unknown, ...args: unknown[]): unknown {
    return streamJoin(this, other, args, 'inner')
  }

  /** As `join`, but a record whose key the other side lacks is joined with null. */
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR, K>,
    joined?: Joined<K, V>,
  ): KStream<K, VR>
  leftJoin<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG | null | undefined,
    joiner: ValueJoiner<V, VG | null, VR, K>,
    named?: Named,
  ): KStream<K, VR>
  /** Windowed left join: a left record that found no match is emitted with null once its window closed. */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    windows: JoinWindows,
    joined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>
  leftJoin(other: unknown, ...args: unknown[]): unknown {
    return streamJoin(this, other, args, 'left')
  }

  /** Windowed outer join: a record of either side that found no match is emitted with null once its window closed. */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    windows: JoinWindows,
    joined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    return streamJoin(this, other, [joiner, windows, joined], 'outer') as KStream<K, VR>
  }

  /** Runs a user processor; `stores` names stores added with StreamsBuilder.addStateStore. */
  process<KR, VR>(
    supplier: ProcessorSupplier<K, V, KR, VR>,
    options: { stores?: string[]; name?: string } = {},
  ): KStream<KR, VR> {
    const name = this.ctx.name('KSTREAM-PROCESSOR', options.name)
    this.ctx.topology.addProcessor(name, supplier, this.nodeName)
    if (options.stores?.length) this.ctx.topology.connectProcessorAndStateStores([name], options.stores)
    return new KStream<KR, VR>(this.ctx, name, {}, true)
  }

  /** @internal adds a stateless step and returns the stream after it */
  step<KR, VR>(
    prefix: string,
    named: Named | undefined,
    serdes: KnownSerdes<KR, VR>,
    repartitionRequired: boolean,
    fn: (record: StreamRecord<K, V>, forward: (record: StreamRecord<KR, VR>) => void) => void,
  ): KStream<KR, VR> {
    const name = this.ctx.name(prefix, named?.name)
    this.ctx.topology.addProcessor(name, stateless(fn), this.nodeName)
    return new KStream(this.ctx, name, serdes, repartitionRequired)
  }
}
