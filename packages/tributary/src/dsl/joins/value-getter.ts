import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { TimestampedKeyValueStore } from '../../state/timestamped-key-value-store.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import type { ProcessorContext } from '../../topology/processor.ts'

/** Looks up a table's current value (with its timestamp) for a key; undefined when the key is absent. */
export type ValueGetter<K, V> = (key: K) => ValueAndTimestamp<V> | undefined

/**
 * How a processor reads a KTable it is not downstream of (a join's other side). `storeNames` are
 * the stores the reading processor must be connected to; connecting it to another sub-topology's
 * store merges the two sub-topologies, which is what co-partitioned joins need. `init` is called
 * from the reading processor's `init` with that processor's context.
 */
export interface ValueGetterSupplier<K, V> {
  readonly storeNames: readonly string[]
  init(context: ProcessorContext<unknown, unknown>): ValueGetter<K, V>
}

/** The getter of a materialized table: a timestamped key-value store lookup. */
export const storeValueGetter = <K, V>(storeName: string): ValueGetterSupplier<K, V> => ({
  storeNames: [storeName],
  init(context) {
    const store = context.getStateStore<TimestampedKeyValueStore<K, V>>(storeName)
    return (key) => (key === null || key === undefined ? undefined : store.get(key))
  },
})

/** The getter of a global table, whose store keeps plain values: their timestamp reads as -1 (unknown). */
export const globalStoreValueGetter = <K, V>(storeName: string): ValueGetterSupplier<K, V> => ({
  storeNames: [],
  init(context) {
    const store = context.getStateStore<KeyValueStore<K, V>>(storeName)
    return (key) => {
      const value = key === null || key === undefined ? undefined : store.get(key)
      return value === undefined ? undefined : { value, timestamp: -1 }
    }
  },
})

/** The getter of a table computed from its parent: `map` returning null means absent. */
export const mappedValueGetter = <K, V, VR>(
  parent: ValueGetterSupplier<K, V>,
  map: (key: K, value: V) => VR | null,
): ValueGetterSupplier<K, VR> => ({
  storeNames: parent.storeNames,
  init(context) {
    const get = parent.init(context)
    return (key) => {
      const found = get(key)
      if (found === undefined) return undefined
      const value = map(key, found.value)
      return value === null ? undefined : { value, timestamp: found.timestamp }
    }
  },
})

/** Connects `processor` to every store the getters read. */
export const getterStores = (...suppliers: Array<ValueGetterSupplier<never, unknown>>): string[] => [
  ...new Set(suppliers.flatMap((s) => s.storeNames)),
]
