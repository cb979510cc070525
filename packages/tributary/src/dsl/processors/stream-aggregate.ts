import type { TimestampedKeyValueStore } from '../../state/timestamped-key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'
import { hasKeyAndValue, nullReason, withStore } from './with-store.ts'

/**
 * Folds a grouped stream into a table: for each record with a non-null key and value, the stored
 * aggregate (or `initial()`) is combined with the value, stored, and forwarded as a Change stamped
 * with the newer of the record's and the stored aggregate's timestamps (Kafka Streams' KStreamAggregate).
 */
export function streamAggregate<K, V, A>(
  storeName: string,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
): ProcessorSupplier<K, V, K, Change<A>> {
  return withStore<TimestampedKeyValueStore<K, A>, K, V, K, Change<A>>(
    storeName,
    (record, store, context) => {
      if (!hasKeyAndValue(record)) return context.recordDropped(nullReason(record))
      const old = store.get(record.key)
      const next = add(record.key, record.value, old === undefined ? initial() : old.value)
      const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp)
      store.put(record.key, { value: next, timestamp })
      context.forward({ ...record, timestamp, value: { newValue: next, oldValue: old?.value ?? null } })
    },
  )
}
