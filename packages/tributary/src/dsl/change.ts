import { TributaryError } from '../errors.ts'
import type { Serde } from '../serde/serde.ts'

/** A table update: the key's value after and before. null means absent (deleted or never set). */
export interface Change<V> {
  readonly newValue: V | null
  readonly oldValue: V | null
}

/**
 * Wire format of a Change on repartition topics: a flag byte (1 = new present, 2 = old present),
 * then old as [u32 length][bytes] if present, then new as the remaining bytes if present.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize(change, topic) {
      const oldBytes = change.oldValue === null ? undefined : inner.serialize(change.oldValue, topic)
      const newBytes = change.newValue === null ? undefined : inner.serialize(change.newValue, topic)
      const flags = (newBytes ? 1 : 0) | (oldBytes ? 2 : 0)
      const head = Buffer.alloc(oldBytes ? 5 : 1)
      head[0] = flags
      if (oldBytes) head.writeUInt32BE(oldBytes.length, 1)
      return Buffer.concat([head, ...(oldBytes ? [oldBytes] : []), ...(newBytes ? [newBytes] : [])])
    },
    deserialize(bytes, topic) {
      const flags = bytes[0]
      if (flags === undefined || flags > 3) throw new TributaryError('SERDE', `bad change flags in ${topic}`)
      let at = 1
      let oldValue: V | null = null
      if (flags & 2) {
        const length = bytes.readUInt32BE(1)
        oldValue = inner.deserialize(bytes.subarray(5, 5 + length), topic)
        at = 5 + length
      }
      const newValue = flags & 1 ? inner.deserialize(bytes.subarray(at), topic) : null
      return { newValue, oldValue }
    },
  }
}
