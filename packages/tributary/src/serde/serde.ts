/**
 * Turns values of one type into bytes and back. Serdes never see `null`: a null key or value
 * (a tombstone) passes through the framework as null bytes without calling the serde.
 * `deserialize` throws on bytes it cannot read; the runtime routes that to the deserialization
 * exception handler.
 */
export interface Serde<T> {
  serialize(value: T, topic: string): Buffer
  deserialize(bytes: Buffer, topic: string): T
}

/** Key and value serdes of one topic. */
export interface Serialized<K, V> {
  readonly key: Serde<K>
  readonly value: Serde<V>
}
