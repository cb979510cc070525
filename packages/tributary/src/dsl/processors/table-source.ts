import type { TimestampedKeyValueStore } from '../../state/timestamped-key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'
import { withStore } from './with-store.ts'

/**
 * Materializes a changelog stream: a value upserts its key (with the record's timestamp), null
 * (tombstone) deletes it. Every record with a key is forwarded, a tombstone for an absent key too
 * (as Kafka Streams' KTableSource does).
 */
export function tableSource<K, V>(storeName: string): ProcessorSupplier<K, V | null, K, Change<V>> {
  return withStore<TimestampedKeyValueStore<K, V>, K, V | null, K, Change<V>>(
    storeName,
    (record, store, context) => {
      if (record.key === null || record.key === undefined) return context.recordDropped('null-key')
      const newValue = record.value ?? null
      const old = newValue === null ? store.delete(record.key) : store.get(record.key)
      if (newValue !== null) store.put(record.key, { value: newValue, timestamp: record.timestamp })
      context.forward({ ...record, value: { newValue, oldValue: old?.value ?? null } })
    },
  )
}
