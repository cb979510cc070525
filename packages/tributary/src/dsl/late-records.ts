import type { StreamRecord } from '../record.ts'
import type { Serde } from '../serde/serde.ts'
import type { TimeWindow } from '../windowed.ts'

/**
 * Where records that arrive after their window closed go, besides the `lateRecords` metric: a
 * topic (the input record as it was, with the grouping key) or a handler called synchronously.
 */
export type LateRecords<K, V> =
  | { readonly topic: string; readonly key?: Serde<K>; readonly value?: Serde<V> }
  | { readonly handler: (record: StreamRecord<K, V>, window: TimeWindow) => void }

/** Options of a windowed aggregation. */
export interface WindowedMaterialized<K, A, V> {
  readonly name?: string
  readonly key?: Serde<K>
  readonly value?: Serde<A>
  readonly persistent?: boolean
  readonly logging?: boolean
  /** How long closed windows stay queryable; at least window size + grace (the default). */
  readonly retentionMs?: number
  readonly lateRecords?: LateRecords<K, V>
}
