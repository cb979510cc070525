import type { Serde } from '../../serde/serde.ts'

/**
 * Options of a stream-table join. `key` and `value` are the stream's serdes, used when the stream
 * must be repartitioned first (its key changed upstream); `name` names that repartition topic
 * (`<applicationId>-<name>-repartition`) and the join node.
 */
export interface Joined<K, V> {
  readonly key?: Serde<K>
  readonly value?: Serde<V>
  readonly name?: string
}

/** Joins the values of two sides; the key is passed last for joiners that need it. */
export type ValueJoiner<V1, V2, VR, K = unknown> = (value1: V1, value2: V2, key: K) => VR
