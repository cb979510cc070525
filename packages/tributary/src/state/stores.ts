import type { Serde } from '../serde/serde.ts'
import type { BackendFactory } from './backend.ts'
import type { BufferedKeyValueStore } from './buffered-store.ts'
import type { KeyValueStore } from './key-value-store.ts'
import { TypedKeyValueStore } from './typed-key-value-store.ts'
import { lmdbBackendFactory } from './lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from './memory/memory-backend-factory.ts'
import { checkStoreName } from './store-name.ts'

/** Where a key-value store's bytes live: a name and the factory that opens its shards. */
export interface KeyValueBytesStoreSupplier {
  readonly name: string
  readonly factory: BackendFactory
}

/**
 * Everything the runtime needs to create one store of any kind in every task that uses it: every
 * kind keeps its data as bytes in a BufferedKeyValueStore (so commit, changelog and restore work
 * the same for all) and `wrap`s that in the interface processors use. With logging enabled every
 * committed write also goes to the compacted topic `<appId>-<name>-changelog`, the restore source.
 */
export interface StoreDefinition<S = unknown> {
  readonly name: string
  readonly factory: BackendFactory
  readonly loggingEnabled: boolean
  wrap(bytes: BufferedKeyValueStore): S
}

/** A key-value store definition. Immutable: the `with*` methods return a new builder. */
export interface StoreBuilder<K, V> extends StoreDefinition<KeyValueStore<K, V>> {
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  withLoggingEnabled(): StoreBuilder<K, V>
  /** Without a changelog a memory store starts empty after every restart or move. */
  withLoggingDisabled(): StoreBuilder<K, V>
}

const builder = <K, V>(
  supplier: KeyValueBytesStoreSupplier,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  loggingEnabled: boolean,
): StoreBuilder<K, V> => ({
  name: supplier.name,
  keySerde,
  valueSerde,
  factory: supplier.factory,
  loggingEnabled,
  wrap: (bytes) => new TypedKeyValueStore(bytes, keySerde, valueSerde),
  withLoggingEnabled: () => builder(supplier, keySerde, valueSerde, true),
  withLoggingDisabled: () => builder(supplier, keySerde, valueSerde, false),
})

/** Factory functions for stores, in the spirit of Kafka Streams' `Stores`. */
export const Stores = {
  /** Kept in memory; rebuilt from the changelog whenever its task starts. */
  inMemoryKeyValueStore: (name: string): KeyValueBytesStoreSupplier => ({
    name: checkStoreName(name),
    factory: memoryBackendFactory,
  }),
  /** Kept in lmdb under the state directory; restored only from its checkpoint on. */
  persistentKeyValueStore: (name: string): KeyValueBytesStoreSupplier => ({
    name: checkStoreName(name),
    factory: lmdbBackendFactory,
  }),
  keyValueStoreBuilder: <K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<K, V> => builder(supplier, keySerde, valueSerde, true),
}
