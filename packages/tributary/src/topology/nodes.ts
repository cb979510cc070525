import type { Serde } from '../serde/serde.ts'
import type { StreamRecord } from '../record.ts'
import type { ProcessorSupplier, RecordOrigin } from './processor.ts'

/** Picks a record's event time. Return a negative number to mark it invalid (it is skipped and counted). */
export type TimestampExtractor<K = unknown, V = unknown> = (
  record: StreamRecord<K, V> & RecordOrigin,
  partitionTime: number,
) => number

/** Chooses the output topic per record. */
export type TopicExtractor<K = unknown, V = unknown> = (
  key: K,
  value: V,
  origin: RecordOrigin | undefined,
) => string

/** Chooses the output partition; undefined falls back to murmur2 of the serialized key. */
export type StreamPartitioner<K = unknown, V = unknown> = (
  topic: string,
  key: K,
  value: V,
  partitions: number,
) => number | undefined

export interface SourceNode {
  readonly kind: 'source'
  readonly name: string
  readonly topics: readonly string[]
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
  readonly timestampExtractor: TimestampExtractor | undefined
  readonly children: string[]
}

export interface ProcessorNode {
  readonly kind: 'processor'
  readonly name: string
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>
  readonly parents: readonly string[]
  readonly children: string[]
  readonly stores: string[]
}

export interface SinkNode {
  readonly kind: 'sink'
  readonly name: string
  readonly topic: string | TopicExtractor
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
  readonly partitioner: StreamPartitioner | undefined
  readonly parents: readonly string[]
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode
