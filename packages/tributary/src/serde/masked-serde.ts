import { fieldMasker, type FieldMask } from './field-mask.ts'
import type { Serde } from './serde.ts'

/**
 * `inner` with the fields of `mask` masked as values are serialized (a topic that leaves the
 * secure zone never receives them in the clear); deserialization is `inner`'s, unchanged.
 */
export function maskedSerde<T>(inner: Serde<T>, mask: FieldMask): Serde<T> {
  const masked = fieldMasker(mask)
  return {
    serialize: (value, topic) => inner.serialize(masked(value), topic),
    deserialize: (bytes, topic) => inner.deserialize(bytes, topic),
  }
}
