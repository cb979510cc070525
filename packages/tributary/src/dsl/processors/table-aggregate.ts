import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'

/**
 * Aggregates a re-grouped table: each change subtracts its old value and adds its new value to the
 * group's aggregate (starting from `initial()`), stores it (null deletes), and forwards one Change.
 */
export function tableAggregate<K, V, A>(
  storeName: string,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
  subtract: (key: K, value: V, aggregate: A) => A,
): ProcessorSupplier<K, Change<V>, K, Change<A>> {
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
        if (record.key === null || record.key === undefined) return
        const old = store.get(record.key)
        let next = old === undefined ? initial() : old
        if (record.value.oldValue !== null) next = subtract(record.key, record.value.oldValue, next)
        if (record.value.newValue !== null) next = add(record.key, record.value.newValue, next)
        if (next === null) store.delete(record.key)
        else store.put(record.key, next)
        forward({ ...record, value: { newValue: next, oldValue: old ?? null } })
      },
    }
  }
}
