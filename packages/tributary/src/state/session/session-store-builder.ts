import type { Serde } from '../../serde/serde.ts'
import type { BackendFactory } from '../backend.ts'
import type { SessionStore } from '../session-store.ts'
import { checkStoreName } from '../store-name.ts'
import { typedStoreBuilder, type BytesStoreSupplier, type TypedStoreBuilder } from '../typed-store-builder.ts'
import {
  sessionStoreConfig,
  type SessionStoreConfig,
  type SessionStoreOptions,
} from './session-store-options.ts'
import { TypedSessionStore } from './typed-session-store.ts'

/** Where a session store's bytes live and how long sessions are kept (options validated). */
export interface SessionBytesStoreSupplier extends SessionStoreConfig, BytesStoreSupplier {}

/** A session store definition. Immutable: the `with*` methods return a new builder. */
export type SessionStoreBuilder<K, A> = TypedStoreBuilder<SessionStore<K, A>, K, A, SessionBytesStoreSupplier>

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
): SessionStoreBuilder<K, A> =>
  typedStoreBuilder(
    supplier,
    keySerde,
    valueSerde,
    loggingEnabled,
    (bytes) => new TypedSessionStore(bytes, keySerde, valueSerde, supplier),
  )
