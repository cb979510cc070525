import { BufferedKeyValueStore } from './buffered-store.ts'
import type { StoreBuilder } from './stores.ts'
import { TypedKeyValueStore } from './typed-key-value-store.ts'

/** A task's handle on one store: `store` for processors, `bytes` for commit and restore. */
export interface OpenKeyValueStore<K, V> {
  readonly store: TypedKeyValueStore<K, V>
  readonly bytes: BufferedKeyValueStore
}

/**
 * Opens the shard of `builder`'s store that task `taskId` owns. The caller then restores it from
 * the changelog (from `bytes.backend.checkpoint()`, or the start when undefined), commits it with
 * the task, and closes it with `bytes.backend.close()` when the task is closed or revoked.
 */
export const openKeyValueStore = async <K, V>(
  builder: StoreBuilder<K, V>,
  stateDir: string,
  taskId: string,
): Promise<OpenKeyValueStore<K, V>> => {
  const backend = await builder.factory.open(stateDir, taskId, builder.name)
  const bytes = new BufferedKeyValueStore(builder.name, backend)
  return { store: new TypedKeyValueStore(bytes, builder.keySerde, builder.valueSerde), bytes }
}
