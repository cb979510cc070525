import type { Serde } from '../../serde/serde.ts'
import type { BackendFactory } from '../backend.ts'
import type { SessionStore } from '../session-store.ts'
import { checkStoreName } from '../store-name.ts'
import type { StoreDefinition } from '../stores.ts'
import {
  sessionStoreConfig,
  type SessionStoreConfig,
  type SessionStoreOptions,
} from './session-store-options.ts'
import { TypedSessionStore } from './typed-session-store.ts'

/** Where a session store's bytes live and how long sessions are kept (options validated). */
export interface SessionBytesStoreSupplier extends SessionStoreConfig {
  readonly name: string
  readonly factory: BackendFactory
}

/** A session store definition. Immutable: the `with*` methods return a new builder. */
export interface SessionStoreBuilder<K, A> extends StoreDefinition<SessionStore<K, A>> {
  readonly supplier: SessionBytesStoreSupplier
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<A>
  withLoggingEnabled(): SessionStoreBuilder<K, A>
  /** Without a changelog a memory store starts empty after every restart or move. */
  withLoggingDisabled(): SessionStoreBuilder<K, A>
}

export const sessionBytesStoreSupplier = (
  name: string,
  factory: BackendFactory,
  options: SessionStoreOptions,
): SessionBytesStoreSupplier => ({
  name: checkStoreName(name),
  factory,
  ...sessionStoreConfig(name, options),
})

export const sessionStoreBuilder = <K, A>(
  supplier: SessionBytesStoreSupplier,
  keySerde: Serde<K>,
  valueSerde: Serde<A>,
  loggingEnabled: boolean,
): SessionStoreBuilder<K, A> => ({
  name: supplier.name,
  factory: supplier.factory,
  supplier,
  keySerde,
  valueSerde,
  loggingEnabled,
  wrap: (bytes) => new TypedSessionStore(bytes, keySerde, valueSerde, supplier),
  withLoggingEnabled: () => sessionStoreBuilder(supplier, keySerde, valueSerde, true),
  withLoggingDisabled: () => sessionStoreBuilder(supplier, keySerde, valueSerde, false),
})
