import type { Serde } from '../../serde/serde.ts'
import type { BackendFactory } from '../backend.ts'
import { checkStoreName } from '../store-name.ts'
import { typedStoreBuilder, type BytesStoreSupplier, type TypedStoreBuilder } from '../typed-store-builder.ts'
import type { WindowStore } from '../window-store.ts'
import { TimestampedWindowStore } from './timestamped-window-store.ts'
import { TypedWindowStore } from './typed-window-store.ts'
import { windowStoreConfig, type WindowStoreConfig, type WindowStoreOptions } from './window-store-options.ts'

/** Where a window store's bytes live and how its windows are kept (options validated). */
export interface WindowBytesStoreSupplier extends WindowStoreConfig, BytesStoreSupplier {}

/** A window store definition. Immutable: the `with*` methods return a new builder. */
export type WindowStoreBuilder<K, V> = TypedStoreBuilder<WindowStore<K, V>, K, V, WindowBytesStoreSupplier>
export type TimestampedWindowStoreBuilder<K, V> = TypedStoreBuilder<
  TimestampedWindowStore<K, V>,
  K,
  V,
  WindowBytesStoreSupplier
>

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
): WindowStoreBuilder<K, V> =>
  typedStoreBuilder(
    supplier,
    keySerde,
    valueSerde,
    loggingEnabled,
    (bytes) => new TypedWindowStore(bytes, keySerde, valueSerde, supplier),
  )

export const timestampedWindowStoreBuilder = <K, V>(
  supplier: WindowBytesStoreSupplier,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  loggingEnabled: boolean,
): TimestampedWindowStoreBuilder<K, V> =>
  typedStoreBuilder(
    supplier,
    keySerde,
    valueSerde,
    loggingEnabled,
    (bytes) => new TimestampedWindowStore(bytes, keySerde, valueSerde, supplier),
  )
