import { TributaryError } from '../errors.ts'
import type { Windowed } from '../windowed.ts'
import type { Serde } from './serde.ts'

const tooShort = (topic: string, bytes: Buffer): never => {
  throw new TributaryError(
    'SERDE',
    `windowed key in ${topic} has ${bytes.length} bytes, too few for its window`,
  )
}

/**
 * Kafka Streams' wire formats for windowed keys, so Java consumers read them as they would their own:
 * time windows as [key][start: 8 bytes BE] (end = start + window size), session windows as
 * [key][end: 8 bytes BE][start: 8 bytes BE].
 */
export const WindowedSerdes = {
  timeWindowed<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return {
      serialize(windowed, topic) {
        const key = inner.serialize(windowed.key, topic)
        const out = Buffer.allocUnsafe(key.length + 8)
        key.copy(out)
        out.writeBigInt64BE(BigInt(windowed.window.start), key.length)
        return out
      },
      deserialize(bytes, topic) {
        if (bytes.length < 8) tooShort(topic, bytes)
        const start = Number(bytes.readBigInt64BE(bytes.length - 8))
        return {
          key: inner.deserialize(bytes.subarray(0, bytes.length - 8), topic),
          window: { start, end: start + windowSizeMs },
        }
      },
    }
  },

  sessionWindowed<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return {
      serialize(windowed, topic) {
        const key = inner.serialize(windowed.key, topic)
        const out = Buffer.allocUnsafe(key.length + 16)
        key.copy(out)
        out.writeBigInt64BE(BigInt(windowed.window.end), key.length)
        out.writeBigInt64BE(BigInt(windowed.window.start), key.length + 8)
        return out
      },
      deserialize(bytes, topic) {
        if (bytes.length < 16) tooShort(topic, bytes)
        const end = Number(bytes.readBigInt64BE(bytes.length - 16))
        const start = Number(bytes.readBigInt64BE(bytes.length - 8))
        return { key: inner.deserialize(bytes.subarray(0, bytes.length - 16), topic), window: { start, end } }
      },
    }
  },
}
