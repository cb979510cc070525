import { Serdes } from '../../../src/serde/serdes.ts'
import type { BackendFactory } from '../../../src/state/backend.ts'
import { BufferedKeyValueStore } from '../../../src/state/buffered-store.ts'
import type { SessionStore } from '../../../src/state/session-store.ts'
import { sessionBytesStoreSupplier } from '../../../src/state/session/session-store-builder.ts'
import type { SessionStoreOptions } from '../../../src/state/session/session-store-options.ts'
import { TypedSessionStore } from '../../../src/state/session/typed-session-store.ts'
import { Stores } from '../../../src/state/stores.ts'
import { withTempDir } from '../temp-dir.ts'

export interface OpenSessionStore {
  readonly store: SessionStore<string, string>
  readonly bytes: BufferedKeyValueStore
  /** Opens another shard (task id) of the same store definition; closed with the test. */
  readonly another: (taskId: string) => Promise<OpenSessionStore>
}

/**
 * Runs `test` on a session store of string keys and aggregates in a fresh directory. The store is
 * the builder's, or with `sweepStep` one that sweeps expired sessions in smaller steps.
 */
export const withSessionStore = (
  factory: BackendFactory,
  options: SessionStoreOptions,
  test: (opened: OpenSessionStore) => Promise<void> | void,
  sweepStep?: number,
) =>
  withTempDir(async (dir) => {
    const builder = Stores.sessionStoreBuilder(
      sessionBytesStoreSupplier('sessions', factory, options),
      Serdes.string(),
      Serdes.string(),
    )
    const opened: BufferedKeyValueStore[] = []
    const open = async (taskId: string): Promise<OpenSessionStore> => {
      const bytes = new BufferedKeyValueStore(builder.name, await factory.open(dir, taskId, builder.name))
      const store =
        sweepStep === undefined
          ? builder.wrap(bytes)
          : new TypedSessionStore(bytes, builder.keySerde, builder.valueSerde, builder.supplier, sweepStep)
      opened.push(bytes)
      return { store, bytes, another: open }
    }
    try {
      await test(await open('0_0'))
    } finally {
      await Promise.all(opened.map((b) => b.backend.close()))
    }
  })
