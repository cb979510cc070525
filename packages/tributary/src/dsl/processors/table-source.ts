import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'

/** Materializes a changelog stream: a value upserts its key, null (tombstone) deletes it. */
export function tableSource<K, V>(storeName: string): ProcessorSupplier<K, V | null, K, Change<V>> {
  return () => {
    let store: KeyValueStore<K, V>
    let forward: (record: {
      key: K
      value: Change<V>
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
        const newValue = record.value ?? null
        const old = newValue === null ? store.delete(record.key) : store.get(record.key)
        if (newValue !== null) store.put(record.key, newValue)
        if (old === undefined && newValue === null) return
        forward({ ...record, value: { newValue, oldValue: old ?? null } })
      },
    }
  }
}
