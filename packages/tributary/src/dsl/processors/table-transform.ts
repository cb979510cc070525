import type { TimestampedKeyValueStore } from '../../state/timestamped-key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'

/**
 * Applies `map` to both sides of each table change (a null side stays null; `map` returning null
 * means the key is absent in the result table). Every change is forwarded, one absent before and
 * after too, as Kafka Streams' KTableFilter and KTableMapValues do. When `storeName` is set, the
 * result table is materialized there.
 */
export function tableTransform<K, V, VR>(
  map: (key: K, value: V) => VR | null,
  storeName?: string,
): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return () => {
    let store: TimestampedKeyValueStore<K, VR> | undefined
    let forward: (record: {
      key: K
      value: Change<VR>
      timestamp: number
      headers: Record<string, Buffer>
    }) => void
    return {
      init(context) {
        if (storeName !== undefined) store = context.getStateStore(storeName)
        forward = (record) => context.forward(record)
      },
      process(record) {
        const { newValue, oldValue } = record.value
        const mappedNew = newValue === null ? null : map(record.key, newValue)
        const mappedOld = oldValue === null ? null : map(record.key, oldValue)
        if (store !== undefined) {
          if (mappedNew === null) store.delete(record.key)
          else store.put(record.key, { value: mappedNew, timestamp: record.timestamp })
        }
        forward({ ...record, value: { newValue: mappedNew, oldValue: mappedOld } })
      },
    }
  }
}
