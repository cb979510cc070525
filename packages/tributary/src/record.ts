/** Record headers. Kafka allows repeated keys; Tributary keeps the last value for a key. */
export type Headers = Record<string, Buffer>

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** A record as processors see it: typed key and value, event timestamp (ms since epoch), headers. */
export interface StreamRecord<K, V> {
  readonly key: K
  readonly value: V
  readonly timestamp: number
  readonly headers: Headers
}

/** Stable string id of a topic-partition, usable as a Map key. */
export const tpKey = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`

/** Whether `a` and `b` name the same topic-partition (no key strings: for hot paths). */
export const sameTopicPartition = (a: TopicPartition, b: TopicPartition): boolean =>
  a.partition === b.partition && a.topic === b.topic
