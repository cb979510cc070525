import { createHash } from 'node:crypto'
import { TributaryError } from '../../errors.ts'
import type { Serde } from '../../serde/serde.ts'

/**
 * Wire formats of the foreign-key join's internal topics. A subscription (keyed by the foreign key)
 * registers or removes a left key's interest in a right key; a response (keyed by the left key's
 * bytes) carries the right value together with the hash of the left value that asked for it, so a
 * response to an outdated left value can be recognized and dropped.
 */
export interface Subscription {
  /** sub: register and answer with the right value; unsub: remove the registration. */
  readonly op: 'sub' | 'unsub'
  readonly hash: string | null
  /** The left key, serialized with the left key serde. */
  readonly leftKey: Buffer
}

export interface Response<VO> {
  readonly hash: string
  readonly value: VO | null
}

/** Hash of a left value's bytes. */
export const valueHash = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('base64')

/** [op byte: 1 sub, 2 unsub][u16 hash length][hash][left key bytes] */
export const subscriptionSerde: Serde<Subscription> = {
  serialize(s) {
    const hash = Buffer.from(s.hash ?? '', 'utf8')
    const head = Buffer.alloc(3)
    head[0] = s.op === 'sub' ? 1 : 2
    head.writeUInt16BE(hash.length, 1)
    return Buffer.concat([head, hash, s.leftKey])
  },
  deserialize(bytes, topic) {
    const op = bytes[0]
    if (bytes.length < 3 || (op !== 1 && op !== 2))
      throw new TributaryError('SERDE', `bad subscription record in ${topic}`)
    const length = bytes.readUInt16BE(1)
    const hash = bytes.subarray(3, 3 + length).toString('utf8')
    return {
      op: op === 1 ? 'sub' : 'unsub',
      hash: op === 1 ? hash : null,
      leftKey: bytes.subarray(3 + length),
    }
  },
}

/** [flag byte: 1 value present][u16 hash length][hash][value bytes] */
export const responseSerde = <VO>(value: Serde<VO>): Serde<Response<VO>> => ({
  serialize(r, topic) {
    const hash = Buffer.from(r.hash, 'utf8')
    const head = Buffer.alloc(3)
    head[0] = r.value === null ? 0 : 1
    head.writeUInt16BE(hash.length, 1)
    return Buffer.concat([head, hash, ...(r.value === null ? [] : [value.serialize(r.value, topic)])])
  },
  deserialize(bytes, topic) {
    if (bytes.length < 3 || (bytes[0] !== 0 && bytes[0] !== 1))
      throw new TributaryError('SERDE', `bad subscription response in ${topic}`)
    const length = bytes.readUInt16BE(1)
    const hash = bytes.subarray(3, 3 + length).toString('utf8')
    return { hash, value: bytes[0] === 1 ? value.deserialize(bytes.subarray(3 + length), topic) : null }
  },
})

/** Subscription store key: [u32 foreign key length][foreign key bytes][left key bytes], so one
 *  foreign key's subscriptions are contiguous in the store's byte order. */
export const subscriptionKey = (foreignKey: Buffer, leftKey: Buffer): Buffer => {
  const head = Buffer.alloc(4)
  head.writeUInt32BE(foreignKey.length, 0)
  return Buffer.concat([head, foreignKey, leftKey])
}

/** Every subscription key starts with this for a foreign key. */
export const subscriptionPrefix = (foreignKey: Buffer): Buffer => subscriptionKey(foreignKey, Buffer.alloc(0))

/** The smallest buffer greater than every buffer starting with `prefix` (undefined: none). */
export const prefixEnd = (prefix: Buffer): Buffer | undefined => {
  const end = Buffer.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return undefined
}
