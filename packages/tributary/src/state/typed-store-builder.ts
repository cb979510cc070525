import type { Serde } from '../serde/serde.ts'
import type { BackendFactory } from './backend.ts'
import type { BufferedKeyValueStore } from './buffered-store.ts'
import type { StoreDefinition } from './stores.ts'

/** Where a store's bytes live: a name and the factory that opens its shards (plus kind options). */
export interface BytesStoreSupplier {
  readonly name: string
  readonly factory: BackendFactory
}

/** Window and session suppliers say how long their stores keep what they hold (StoreDefinition). */
type Retaining = { readonly retentionMs?: number }

/**
 * A store definition over key and value serdes, for every store kind (key-value, window,
 * session). Immutable: the `with*` methods return a new builder.
 */
export interface TypedStoreBuilder<S, K, V, P extends BytesStoreSupplier> extends StoreDefinition<S> {
  readonly supplier: P
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  withLoggingEnabled(): TypedStoreBuilder<S, K, V, P>
  /** Without a changelog a memory store starts empty after every restart or move. */
  withLoggingDisabled(): TypedStoreBuilder<S, K, V, P>
}

export function typedStoreBuilder<S, K, V, P extends BytesStoreSupplier>(
  supplier: P & Retaining,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  loggingEnabled: boolean,
  wrap: (bytes: BufferedKeyValueStore) => S,
): TypedStoreBuilder<S, K, V, P> {
  return {
    name: supplier.name,
    factory: supplier.factory,
    supplier,
    keySerde,
    valueSerde,
    loggingEnabled,
    ...(supplier.retentionMs === undefined ? {} : { retentionMs: supplier.retentionMs }),
    wrap,
    withLoggingEnabled: () => typedStoreBuilder(supplier, keySerde, valueSerde, true, wrap),
    withLoggingDisabled: () => typedStoreBuilder(supplier, keySerde, valueSerde, false, wrap),
  }
}
