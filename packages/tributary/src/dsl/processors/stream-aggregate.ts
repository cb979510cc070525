import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'

/**
 * Folds a grouped stream into a table: for each record with a non-null key and value, the stored
 * aggregate (or `initial()`) is combined with the value, stored, and forwarded as a Change.
 */
export function streamAggregate<K, V, A>(
  storeName: string,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
): ProcessorSupplier<K, V, K, Change<A>> {
  return () => {
    let store: KeyValueStore<K, A>
    let forward: (record: {
      key: K
      value: Change<A>
      timestamp: number
      headers: Record<string, Buffer>
    }) => void
    return {
      init(context) {
        store = context.getStateStore(storeName)
        forward = (record) => context.forward(record)
      },
      process(record) {
        if (
          record.key === null ||
          record.key === undefined ||
          record.value === null ||
          record.value === undefined
        )
          return
        const old = store.get(record.key)
        const next = add(record.key, record.value, old === undefined ? initial() : old)
        store.put(record.key, next)
        forward({ ...record, value: { newValue: next, oldValue: old ?? null } })
      },
    }
  }
}
