import type { TimestampedKeyValueStore } from '../../state/timestamped-key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'
import { withStore } from './with-store.ts'

/**
 * Aggregates a re-grouped table as Kafka Streams' KTableAggregate: each change subtracts its old
 * value from the group's stored aggregate (if there is one) and adds its new value (to `initial()`
 * if there is none), stores the result (null deletes) and forwards one Change, stamped with the
 * newer of the record's and the stored aggregate's timestamps.
 */
export function tableAggregate<K, V, A>(
  storeName: string,
  initial: () => A,
  add: (key: K, value: V, aggregate: A) => A,
  subtract: (key: K, value: V, aggregate: A) => A,
): ProcessorSupplier<K, Change<V>, K, Change<A>> {
  return withStore<TimestampedKeyValueStore<K, A>, K, Change<V>, K, Change<A>>(
    storeName,
    (record, store, context) => {
      if (record.key === null || record.key === undefined) return context.recordDropped('null-key')
      const old = store.get(record.key)
      const timestamp = old === undefined ? record.timestamp : Math.max(record.timestamp, old.timestamp)
      let next: A | null = old === undefined ? null : old.value
      if (record.value.oldValue !== null && next !== null)
        next = subtract(record.key, record.value.oldValue, next)
      if (record.value.newValue !== null) next = add(record.key, record.value.newValue, next ?? initial())
      if (next === null) store.delete(record.key)
      else store.put(record.key, { value: next, timestamp })
      context.forward({ ...record, timestamp, value: { newValue: next, oldValue: old?.value ?? null } })
    },
  )
}
