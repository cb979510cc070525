import type { Serde } from '../serde/serde.ts'
import type { BackendFactory } from './backend.ts'
import type { BufferedKeyValueStore } from './buffered-store.ts'
import type { KeyValueStore } from './key-value-store.ts'
import {
  sessionBytesStoreSupplier,
  sessionStoreBuilder,
  type SessionBytesStoreSupplier,
  type SessionStoreBuilder,
} from './session/session-store-builder.ts'
import type { SessionStoreOptions } from './session/session-store-options.ts'
import { TimestampedKeyValueStore } from './timestamped-key-value-store.ts'
import { TypedKeyValueStore } from './typed-key-value-store.ts'
import { typedStoreBuilder, type BytesStoreSupplier, type TypedStoreBuilder } from './typed-store-builder.ts'
import { lmdbBackendFactory } from './lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from './memory/memory-backend-factory.ts'
import { checkStoreName } from './store-name.ts'
import {
  timestampedWindowStoreBuilder,
  windowBytesStoreSupplier,
  windowStoreBuilder,
  type TimestampedWindowStoreBuilder,
  type WindowBytesStoreSupplier,
  type WindowStoreBuilder,
} from './window/window-store-builder.ts'
import type { WindowStoreOptions } from './window/window-store-options.ts'

/** Where a key-value store's bytes live: a name and the factory that opens its shards. */
export type KeyValueBytesStoreSupplier = BytesStoreSupplier

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
  /** Windowed and session stores: how long the store keeps a window or session (window size +
   *  grace, or the retention given). Their changelog is then `compact,delete` and keeps records
   *  that long plus `windowStoreChangelogAdditionalRetentionMs`, as Kafka Streams' windowed
   *  changelogs; absent for key-value stores, whose changelog is `compact` only. */
  readonly retentionMs?: number
  wrap(bytes: BufferedKeyValueStore): S
}

/** A key-value store definition. Immutable: the `with*` methods return a new builder. */
export type StoreBuilder<K, V> = TypedStoreBuilder<KeyValueStore<K, V>, K, V, KeyValueBytesStoreSupplier>
export type TimestampedStoreBuilder<K, V> = TypedStoreBuilder<
  TimestampedKeyValueStore<K, V>,
  K,
  V,
  KeyValueBytesStoreSupplier
>

const builder = <K, V>(
  supplier: KeyValueBytesStoreSupplier,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  loggingEnabled: boolean,
): StoreBuilder<K, V> =>
  typedStoreBuilder(
    supplier,
    keySerde,
    valueSerde,
    loggingEnabled,
    (bytes) => new TypedKeyValueStore(bytes, keySerde, valueSerde),
  )

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
  /** Values kept with the timestamp of their record (`ValueAndTimestamp`), as the DSL's tables keep them. */
  timestampedKeyValueStoreBuilder: <K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): TimestampedStoreBuilder<K, V> =>
    typedStoreBuilder(
      supplier,
      keySerde,
      valueSerde,
      true,
      (bytes) => new TimestampedKeyValueStore(bytes, keySerde, valueSerde),
    ),

  /** A window store kept in memory, rebuilt from its changelog whenever its task starts. Options
   *  are validated here (CONFIG error naming the option): retentionMs >= windowSizeMs >= 0, retentionMs > 0. */
  inMemoryWindowStore: (name: string, options: WindowStoreOptions): WindowBytesStoreSupplier =>
    windowBytesStoreSupplier(name, memoryBackendFactory, options),
  /** A window store kept in lmdb under the state directory. */
  persistentWindowStore: (name: string, options: WindowStoreOptions): WindowBytesStoreSupplier =>
    windowBytesStoreSupplier(name, lmdbBackendFactory, options),
  /** Logging (the changelog) is enabled by default. */
  windowStoreBuilder: <K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): WindowStoreBuilder<K, V> => windowStoreBuilder(supplier, keySerde, valueSerde, true),
  /** Windows kept with the timestamp of their newest record (`ValueAndTimestamp`), as the DSL's windowed aggregations keep them. */
  timestampedWindowStoreBuilder: <K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): TimestampedWindowStoreBuilder<K, V> =>
    timestampedWindowStoreBuilder(supplier, keySerde, valueSerde, true),

  /** A session store kept in memory, rebuilt from its changelog whenever its task starts. */
  inMemorySessionStore: (name: string, options: SessionStoreOptions): SessionBytesStoreSupplier =>
    sessionBytesStoreSupplier(name, memoryBackendFactory, options),
  /** A session store kept in lmdb under the state directory. */
  persistentSessionStore: (name: string, options: SessionStoreOptions): SessionBytesStoreSupplier =>
    sessionBytesStoreSupplier(name, lmdbBackendFactory, options),
  /** Logging (the changelog) is enabled by default. */
  sessionStoreBuilder: <K, A>(
    supplier: SessionBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<A>,
  ): SessionStoreBuilder<K, A> => sessionStoreBuilder(supplier, keySerde, valueSerde, true),
}
