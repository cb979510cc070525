import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'
import { withStore } from './with-store.ts'

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
  return withStore<KeyValueStore<K, A>, K, Change<V>, K, Change<A>>(storeName, (record, store, context) => {
    if (record.key === null || record.key === undefined) return
    const old = store.get(record.key)
    let next = old === undefined ? initial() : old
    if (record.value.oldValue !== null) next = subtract(record.key, record.value.oldValue, next)
    if (record.value.newValue !== null) next = add(record.key, record.value.newValue, next)
    if (next === null) store.delete(record.key)
    else store.put(record.key, next)
    context.forward({ ...record, value: { newValue: next, oldValue: old ?? null } })
  })
}
