import type { Serde } from '../serde/serde.ts'
import type { StreamPartitioner, TimestampExtractor } from '../topology/nodes.ts'

/** How a topic is read. Serdes are required: they fix the stream's types. */
export interface Consumed<K, V> {
  readonly key: Serde<K>
  readonly value: Serde<V>
  readonly timestampExtractor?: TimestampExtractor<K, V>
  readonly name?: string
}

/** How a topic is written. Absent serdes fall back to the stream's known serdes, else JSON. */
export interface Produced<K, V> {
  readonly key?: Serde<K>
  readonly value?: Serde<V>
  readonly partitioner?: StreamPartitioner<K, V>
  readonly name?: string
}

/** Serdes (and a name for the repartition topic) when grouping. */
export interface Grouped<K, V> {
  readonly key?: Serde<K>
  readonly value?: Serde<V>
  readonly name?: string
}

/** Where a table or aggregate keeps its state. Defaults: generated name, persistent, changelogged. */
export interface Materialized<K, V> {
  readonly name?: string
  readonly key?: Serde<K>
  readonly value?: Serde<V>
  readonly persistent?: boolean
  readonly logging?: boolean
}

export interface Repartitioned<K, V> {
  readonly name?: string
  readonly partitions?: number
  readonly key?: Serde<K>
  readonly value?: Serde<V>
}

export interface Named {
  readonly name?: string
}
