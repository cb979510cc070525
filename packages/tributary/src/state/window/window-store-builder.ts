import type { Serde } from '../../serde/serde.ts'
import type { BackendFactory } from '../backend.ts'
import { checkStoreName } from '../store-name.ts'
import type { StoreDefinition } from '../stores.ts'
import type { WindowStore } from '../window-store.ts'
import { TypedWindowStore } from './typed-window-store.ts'
import { windowStoreConfig, type WindowStoreConfig, type WindowStoreOptions } from './window-store-options.ts'

/** Where a window store's bytes live and how its windows are kept (options validated). */
export interface WindowBytesStoreSupplier extends WindowStoreConfig {
  readonly name: string
  readonly factory: BackendFactory
}

/** A window store definition. Immutable: the `with*` methods return a new builder. */
export interface WindowStoreBuilder<K, V> extends StoreDefinition<WindowStore<K, V>> {
  readonly supplier: WindowBytesStoreSupplier
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  withLoggingEnabled(): WindowStoreBuilder<K, V>
  /** Without a changelog a memory store starts empty after every restart or move. */
  withLoggingDisabled(): WindowStoreBuilder<K, V>
}

export const windowBytesStoreSupplier = (
  name: string,
  factory: BackendFactory,
  options: WindowStoreOptions,
): WindowBytesStoreSupplier => ({
  name: checkStoreName(name),
  factory,
  ...windowStoreConfig(name, options),
})

export const windowStoreBuilder = <K, V>(
  supplier: WindowBytesStoreSupplier,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  loggingEnabled: boolean,
): WindowStoreBuilder<K, V> => ({
  name: supplier.name,
  factory: supplier.factory,
  supplier,
  keySerde,
  valueSerde,
  loggingEnabled,
  wrap: (bytes) => new TypedWindowStore(bytes, keySerde, valueSerde, supplier),
  withLoggingEnabled: () => windowStoreBuilder(supplier, keySerde, valueSerde, true),
  withLoggingDisabled: () => windowStoreBuilder(supplier, keySerde, valueSerde, false),
})
