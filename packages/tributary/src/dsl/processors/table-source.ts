import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'
import { withStore } from './with-store.ts'

/** Materializes a changelog stream: a value upserts its key, null (tombstone) deletes it. */
export function tableSource<K, V>(storeName: string): ProcessorSupplier<K, V | null, K, Change<V>> {
  return withStore<KeyValueStore<K, V>, K, V | null, K, Change<V>>(storeName, (record, store, context) => {
    if (record.key === null || record.key === undefined) return
    const newValue = record.value ?? null
    const old = newValue === null ? store.delete(record.key) : store.get(record.key)
    if (newValue !== null) store.put(record.key, newValue)
    if (old === undefined && newValue === null) return
    context.forward({ ...record, value: { newValue, oldValue: old ?? null } })
  })
}
