import { TIME_BYTES, readTime, writeTime } from './time-bytes.ts'

const LENGTH_BYTES = 4
const HEAD = TIME_BYTES + LENGTH_BYTES

/**
 * The byte layout of window and session store keys:
 *
 *   [segment id: u64 BE][key length: u32 BE][key bytes][field 0: u64 BE]...[field n-1: u64 BE]
 *
 * with fields (window start[, sequence number]) for windows and (session end, session start) for
 * sessions. The length prefix makes one key's entries within a segment one contiguous range that no
 * other key shares, even when one key is a prefix of another ('a' vs 'ab'): a one-key query is an
 * exact range scan, never a scan-and-filter. The price is the order across keys: by (length,
 * bytes), not by bytes alone. The fields are unsigned big-endian, so they sort like the numbers.
 */
export class SegmentedKey {
  readonly fields: number

  constructor(fields: number) {
    this.fields = fields
  }

  /** The stored key of `key` in `segment` with all its fields. */
  encode(segment: number, key: Buffer, ...fields: number[]): Buffer {
    const out = this.#head(segment, key, this.fields)
    let offset = HEAD + key.length
    for (const field of fields) {
      writeTime(out, offset, field)
      offset += TIME_BYTES
    }
    return out
  }

  /**
   * A range bound among `key`'s entries in `segment`: the leading fields given, the rest filled
   * with 0x00 (lowest) or absent (as low: a proper prefix sorts first) or 0xff (highest), so that
   * `range(bound(s, k, [a]), bound(s, k, [b], true))` holds exactly the entries with a <= field 0 <= b.
   */
  bound(segment: number, key: Buffer, leading: readonly number[], highest = false): Buffer {
    const out = this.#head(segment, key, highest ? this.fields : leading.length)
    let offset = HEAD + key.length
    for (const field of leading) {
      writeTime(out, offset, field)
      offset += TIME_BYTES
    }
    if (highest) out.fill(0xff, offset)
    return out
  }

  /** The serialized key inside a stored key (a view, not a copy). */
  key(stored: Buffer): Buffer {
    return stored.subarray(HEAD, HEAD + stored.readUInt32BE(TIME_BYTES))
  }

  field(stored: Buffer, index: number): number {
    return readTime(stored, HEAD + stored.readUInt32BE(TIME_BYTES) + index * TIME_BYTES)
  }

  #head(segment: number, key: Buffer, fields: number): Buffer {
    const out = Buffer.allocUnsafe(HEAD + key.length + fields * TIME_BYTES)
    writeTime(out, 0, segment)
    out.writeUInt32BE(key.length, TIME_BYTES)
    key.copy(out, HEAD)
    return out
  }
}
