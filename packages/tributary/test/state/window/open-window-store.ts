import type { Serde } from '../../../src/serde/serde.ts'
import { Serdes } from '../../../src/serde/serdes.ts'
import type { BackendFactory } from '../../../src/state/backend.ts'
import { BufferedKeyValueStore } from '../../../src/state/buffered-store.ts'
import { Stores } from '../../../src/state/stores.ts'
import type { WindowStore } from '../../../src/state/window-store.ts'
import { TypedWindowStore } from '../../../src/state/window/typed-window-store.ts'
import { windowBytesStoreSupplier } from '../../../src/state/window/window-store-builder.ts'
import type { WindowStoreOptions } from '../../../src/state/window/window-store-options.ts'
import { withTempDir } from '../temp-dir.ts'

export interface OpenWindowStore<V> {
  readonly store: WindowStore<string, V>
  readonly bytes: BufferedKeyValueStore
  /** Opens another shard (task id) of the same store definition; closed with the test. */
  readonly another: (taskId: string) => Promise<OpenWindowStore<V>>
}

/**
 * Runs `test` on a window store of string keys in a fresh directory, closing every shard after.
 * The store is the builder's, or with `sweepStep` one that sweeps expired entries in smaller steps.
 */
export const withWindowStore = <V = string>(
  factory: BackendFactory,
  options: WindowStoreOptions,
  test: (opened: OpenWindowStore<V>, dir: string) => Promise<void> | void,
  {
    valueSerde = Serdes.string() as unknown as Serde<V>,
    sweepStep,
  }: { valueSerde?: Serde<V>; sweepStep?: number } = {},
) =>
  withTempDir(async (dir) => {
    const builder = Stores.windowStoreBuilder(
      windowBytesStoreSupplier('windows', factory, options),
      Serdes.string(),
      valueSerde,
    )
    const opened: BufferedKeyValueStore[] = []
    const open = async (taskId: string): Promise<OpenWindowStore<V>> => {
      const bytes = new BufferedKeyValueStore(builder.name, await factory.open(dir, taskId, builder.name))
      const store =
        sweepStep === undefined
          ? builder.wrap(bytes)
          : new TypedWindowStore(bytes, builder.keySerde, builder.valueSerde, builder.supplier, sweepStep)
      opened.push(bytes)
      return { store, bytes, another: open }
    }
    try {
      await test(await open('0_0'), dir)
    } finally {
      await Promise.all(opened.map((b) => b.backend.close()))
    }
  })
