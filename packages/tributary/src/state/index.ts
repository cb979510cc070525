// The state layer's surface for the layers above (topology, dsl, runtime). Public API for users
// is what src/index.ts re-exports from here: the interfaces and Stores.
export type { BackendFactory, BytesEntry, KeyValueBackend, StoreOpenContext } from './backend.ts'
export { BufferedKeyValueStore } from './buffered-store.ts'
export type { KeyValue, KeyValueStore, ReadOnlyKeyValueStore } from './key-value-store.ts'
export { lmdbBackendFactory } from './lmdb/lmdb-backend-factory.ts'
export { memoryBackendFactory } from './memory/memory-backend-factory.ts'
export { openStore, type OpenStore } from './open-store.ts'
export {
  Stores,
  type KeyValueBytesStoreSupplier,
  type StoreBuilder,
  type StoreDefinition,
  type TimestampedStoreBuilder,
} from './stores.ts'
export { TypedKeyValueStore } from './typed-key-value-store.ts'
export { TimestampedKeyValueStore } from './timestamped-key-value-store.ts'
export { ValueAndTimestamp, valueAndTimestampSerde } from './value-and-timestamp.ts'
export type { ReadOnlySessionStore, SessionStore } from './session-store.ts'
export type { ReadOnlyWindowStore, WindowStore } from './window-store.ts'
export type { TimeWindow, Windowed } from './windowed.ts'
export type { SessionBytesStoreSupplier, SessionStoreBuilder } from './session/session-store-builder.ts'
export type { SessionStoreOptions } from './session/session-store-options.ts'
export { TypedSessionStore } from './session/typed-session-store.ts'
export type {
  TimestampedWindowStoreBuilder,
  WindowBytesStoreSupplier,
  WindowStoreBuilder,
} from './window/window-store-builder.ts'
export type { WindowStoreOptions } from './window/window-store-options.ts'
export { TypedWindowStore } from './window/typed-window-store.ts'
export { TimestampedWindowStore } from './window/timestamped-window-store.ts'
