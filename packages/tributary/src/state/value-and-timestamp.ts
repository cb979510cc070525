import { TributaryError } from '../errors.ts'
import type { Serde } from '../serde/serde.ts'

/** A stored value with the timestamp of the newest record it reflects (Kafka Streams' ValueAndTimestamp). */
export interface ValueAndTimestamp<V> {
  readonly value: V
  readonly timestamp: number
}

export const ValueAndTimestamp = {
  make: <V>(value: V, timestamp: number): ValueAndTimestamp<V> => ({ value, timestamp }),
  /** The value, or null when there is none. */
  getValueOrNull: <V>(vt: ValueAndTimestamp<V> | null | undefined): V | null => vt?.value ?? null,
}

/**
 * Kafka Streams' timestamped store layout: the timestamp as 8 bytes big-endian, then the value's
 * own bytes. Stores of the DSL's tables and aggregations keep their values this way, so their
 * changelogs carry it too.
 */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serialize(vt, topic) {
      const value = inner.serialize(vt.value, topic)
      const out = Buffer.allocUnsafe(8 + value.length)
      out.writeBigInt64BE(BigInt(vt.timestamp), 0)
      value.copy(out, 8)
      return out
    },
    deserialize(bytes, topic) {
      if (bytes.length < 8) {
        throw new TributaryError(
          'SERDE',
          `${topic}: a timestamped value needs at least 8 bytes, got ${bytes.length}`,
        )
      }
      return {
        timestamp: Number(bytes.readBigInt64BE(0)),
        value: inner.deserialize(bytes.subarray(8), topic),
      }
    },
  }
}
