import type { Serde } from '../../serde/serde.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import { prefixEnd } from './fk-wire.ts'

/** Which stream of a stream-stream join a record came from. */
export type JoinSide = 'left' | 'right'

/** A record held in the buffer, as the scan hands it out. */
export interface Unmatched {
  readonly time: number
  readonly side: JoinSide
  readonly key: unknown
  readonly value: unknown
}

const SIDE_BYTE: Record<JoinSide, number> = { right: 0, left: 1 }

/**
 * The records of a left/outer stream-stream join that found no match yet, in a bytes store as
 * Kafka Streams keeps its outer-join store: key `[time u64][side: right 0, left 1][key bytes]`
 * plus a `[sequence u32]` that keeps records of the same (time, side, key) apart in arrival order.
 * So `scan` meets them by time, then right before left, then key bytes — the order in which a
 * closed window's unmatched results are emitted.
 */
export class UnmatchedBuffer {
  constructor(
    private readonly store: KeyValueStore<Buffer, Buffer>,
    private readonly keySerde: Serde<unknown>,
    private readonly valueSerdes: Record<JoinSide, Serde<unknown>>,
  ) {}

  /** Holds a record that found no match. */
  add(time: number, side: JoinSide, key: unknown, value: unknown): void {
    let seq = 0
    for (const stored of this.#entries(time, side, key))
      seq = Math.max(seq, stored.readUInt32BE(stored.length - 4) + 1)
    const tail = Buffer.alloc(4)
    tail.writeUInt32BE(seq, 0)
    const stored = Buffer.concat([this.#prefix(time, side, key), tail])
    this.store.put(stored, this.valueSerdes[side].serialize(value, this.store.name))
  }

  /** Forgets every record of (time, side, key): one of them found a match. */
  remove(time: number, side: JoinSide, key: unknown): void {
    for (const stored of [...this.#entries(time, side, key)]) this.store.delete(stored)
  }

  /** Every held record, in buffer order, read as the caller iterates (delete only after it stops). */
  *scan(): Generator<Unmatched & { readonly stored: Buffer }> {
    for (const { key: stored, value } of this.store.all()) {
      const side: JoinSide = stored[8] === SIDE_BYTE.left ? 'left' : 'right'
      yield {
        stored,
        time: Number(stored.readBigUInt64BE(0)),
        side,
        key: this.keySerde.deserialize(stored.subarray(9, stored.length - 4), this.store.name),
        value: this.valueSerdes[side].deserialize(value, this.store.name),
      }
    }
  }

  delete(stored: Buffer): void {
    this.store.delete(stored)
  }

  #prefix(time: number, side: JoinSide, key: unknown): Buffer {
    const head = Buffer.alloc(9)
    head.writeBigUInt64BE(BigInt(time), 0)
    head[8] = SIDE_BYTE[side]
    return Buffer.concat([head, this.keySerde.serialize(key, this.store.name)])
  }

  /** Stored keys of (time, side, key); keys that merely start with `key`'s bytes are skipped. */
  *#entries(time: number, side: JoinSide, key: unknown): Generator<Buffer> {
    const prefix = this.#prefix(time, side, key)
    for (const e of this.store.range(prefix, prefixEnd(prefix))) {
      if (e.key.length === prefix.length + 4 && e.key.subarray(0, prefix.length).equals(prefix)) yield e.key
    }
  }
}
