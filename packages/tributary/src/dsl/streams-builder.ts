import type { Serde } from '../serde/serde.ts'
import { checkStoreName } from '../state/store-name.ts'
import type { StoreDefinition } from '../state/stores.ts'
import { Topology } from '../topology/topology.ts'
import { DslContext } from './dsl-context.ts'
import { GlobalKTable } from './global-ktable.ts'
import { KStream } from './kstream.ts'
import type { KTable } from './ktable.ts'
import type { Consumed, Materialized } from './options.ts'
import { streamToTable } from './stream-to-table.ts'

/** Entry point of the DSL: declare input streams and tables, chain operations, then `build()`. */
export class StreamsBuilder {
  private readonly ctx = new DslContext(new Topology())

  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V>): KStream<K, V> {
    const name = this.ctx.name('KSTREAM-SOURCE', consumed.name)
    this.ctx.topology.addSource(name, topics, {
      key: consumed.key,
      value: consumed.value,
      ...(consumed.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
    })
    return new KStream(this.ctx, name, { key: consumed.key, value: consumed.value }, false)
  }

  /** A table read from a changelog topic: the latest value per key, null values delete. */
  table<K, V>(topic: string, consumed: Consumed<K, V>, materialized: Materialized<K, V> = {}): KTable<K, V> {
    return streamToTable(this.stream(topic, consumed), {
      key: consumed.key,
      value: consumed.value,
      ...materialized,
    })
  }

  /**
   * A table holding all partitions of `topic` in every instance, for stream joins on a computed
   * key. `materialized` may name the store and override the serdes; it is always in memory
   * (rebuilt from the topic at start), and has no changelog (the topic is its own).
   */
  globalTable<K, V>(
    topic: string,
    consumed: Consumed<K, V>,
    materialized: Materialized<K, V> = {},
  ): GlobalKTable<K, V> {
    const name = materialized.name ?? this.ctx.name('GLOBALKTABLE-STATE-STORE', consumed.name)
    const key = materialized.key ?? consumed.key
    const value = materialized.value ?? consumed.value
    this.ctx.topology.addGlobalStore({
      name: checkStoreName(name),
      topic,
      key: key as Serde<unknown>,
      value: value as Serde<unknown>,
    })
    return new GlobalKTable<K, V>(this.ctx, name, { key, value })
  }

  /** Registers a store for processors added with `KStream.process(..., { stores: [name] })`. */
  addStateStore(builder: StoreDefinition): this {
    this.ctx.topology.addStateStore(builder)
    return this
  }

  build(): Topology {
    return this.ctx.topology
  }
}
