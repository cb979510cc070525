// The state layer's surface for the layers above (topology, dsl, runtime). Public API for users
// is what src/index.ts re-exports from here: the interfaces and Stores.
export type { BackendFactory, BytesEntry, KeyValueBackend } from './backend.ts'
export { BufferedKeyValueStore } from './buffered-store.ts'
export type { KeyValue, KeyValueStore, ReadOnlyKeyValueStore } from './key-value-store.ts'
export { lmdbBackendFactory } from './lmdb/lmdb-backend-factory.ts'
export { memoryBackendFactory } from './memory/memory-backend-factory.ts'
export { openStore, type OpenStore } from './open-store.ts'
export { Stores, type KeyValueBytesStoreSupplier, type StoreBuilder, type StoreDefinition } from './stores.ts'
export { TypedKeyValueStore } from './typed-key-value-store.ts'
