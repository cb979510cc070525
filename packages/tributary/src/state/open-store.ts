import type { StoreOpenContext } from './backend.ts'
import { BufferedKeyValueStore } from './buffered-store.ts'
import type { StoreDefinition } from './stores.ts'

/** A task's handle on one store: `store` for processors, `bytes` for commit and restore. */
export interface OpenStore<S> {
  readonly store: S
  readonly bytes: BufferedKeyValueStore
}

/**
 * Opens the shard of `definition`'s store that task `taskId` owns. The caller then restores it from
 * the changelog (from `bytes.backend.checkpoint()`, or the start when undefined), commits it with
 * the task, and closes it with `bytes.backend.close()` when the task is closed or revoked.
 */
export const openStore = async <S>(
  definition: StoreDefinition<S>,
  stateDir: string,
  taskId: string,
  context?: StoreOpenContext,
): Promise<OpenStore<S>> => {
  const backend = await definition.factory.open(stateDir, taskId, definition.name, context)
  const bytes = new BufferedKeyValueStore(definition.name, backend)
  return { store: definition.wrap(bytes), bytes }
}
