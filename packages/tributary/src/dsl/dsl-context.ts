import { Serdes } from '../serde/serdes.ts'
import type { Serde } from '../serde/serde.ts'
import { Stores, type StoreDefinition } from '../state/stores.ts'
import type { Topology } from '../topology/topology.ts'
import type { Materialized } from './options.ts'

/** Serdes a stream knows for its current key and value types (absent after a type change). */
export interface KnownSerdes<K, V> {
  readonly key?: Serde<K> | undefined
  readonly value?: Serde<V> | undefined
}

type StoreOptions = Pick<Materialized<unknown, unknown>, 'persistent' | 'logging'>

/** Shared by every DSL object of one StreamsBuilder: the topology being built and node naming. */
export class DslContext {
  private index = 0

  constructor(readonly topology: Topology) {}

  /** Kafka Streams-style generated name, e.g. KSTREAM-FILTER-0000000003. */
  name(prefix: string, given?: string): string {
    const n = this.index++
    return given ?? `${prefix}-${String(n).padStart(10, '0')}`
  }

  /** The serde to use when the user gave none and the type is unknown: JSON. */
  serde<T>(...candidates: Array<Serde<T> | undefined>): Serde<T> {
    for (const c of candidates) if (c !== undefined) return c
    return Serdes.json<T>()
  }

  /** Registers a key-value store for `processor` per the materialization options. */
  addStore<K, V>(
    processor: string,
    storeName: string,
    key: Serde<K>,
    value: Serde<V>,
    options: Materialized<K, V> = {},
  ): void {
    this.#add(processor, Stores.keyValueStoreBuilder(this.#supplier(storeName, options), key, value), options)
  }

  /** Registers a table's store (values with their timestamps) for `processor`. */
  addTimestampedStore<K, V>(
    processor: string,
    storeName: string,
    key: Serde<K>,
    value: Serde<V>,
    options: Materialized<K, V> = {},
  ): void {
    const supplier = this.#supplier(storeName, options)
    this.#add(processor, Stores.timestampedKeyValueStoreBuilder(supplier, key, value), options)
  }

  #supplier(storeName: string, options: StoreOptions) {
    return options.persistent === false
      ? Stores.inMemoryKeyValueStore(storeName)
      : Stores.persistentKeyValueStore(storeName)
  }

  #add<B extends StoreDefinition & { withLoggingDisabled(): B }>(
    processor: string,
    builder: B,
    options: StoreOptions,
  ): void {
    this.topology.addStateStore(
      options.logging === false ? builder.withLoggingDisabled() : builder,
      processor,
    )
  }
}
