import type { Headers } from '../../record.ts'
import type { ProducerRecord } from '../log.ts'

/**
 * The bytes of one appended batch, in memory of their own. A Buffer a sender passes is often a
 * view into a larger ArrayBuffer (Node's `Buffer.from(string)` hands out slices of a shared
 * 8 KiB-64 KiB pool slab; a decoded record is a slice of the chunk read from disk). A cached
 * record holding such a view keeps the whole slab alive, so a partition's record cache would pin
 * up to one slab per record instead of the records' own bytes (measured: RSS grew ~40 MB a minute
 * in the soak run). Keys, values and header values that are views are therefore copied into one
 * buffer per batch (the batch's records are cached and evicted together); a Buffer that already
 * spans its whole ArrayBuffer is kept as it is.
 */
export class BatchBytes {
  private readonly bytes: Buffer
  private position = 0

  constructor(records: readonly ProducerRecord[]) {
    let total = 0
    for (const r of records) {
      total += viewLength(r.key) + viewLength(r.value)
      if (r.headers !== undefined) for (const name in r.headers) total += viewLength(r.headers[name]!)
    }
    this.bytes = Buffer.allocUnsafeSlow(total) // never pooled: its ArrayBuffer holds only this batch
  }

  /** `bytes` itself when it owns its memory, else a copy inside this batch's buffer. */
  own(bytes: Buffer | null): Buffer | null {
    if (bytes === null || !isView(bytes)) return bytes
    const copy = this.bytes.subarray(this.position, this.position + bytes.length)
    bytes.copy(copy)
    this.position += bytes.length
    return copy
  }

  ownHeaders(headers: Headers | undefined): Headers | undefined {
    if (headers === undefined) return undefined
    const owned: Headers = {}
    for (const name in headers) owned[name] = this.own(headers[name]!)!
    return owned
  }
}

function isView(bytes: Buffer): boolean {
  return bytes.byteLength !== bytes.buffer.byteLength
}

function viewLength(bytes: Buffer | null): number {
  return bytes !== null && isView(bytes) ? bytes.length : 0
}
