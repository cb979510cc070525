import type { BufferedKeyValueStore } from '../buffered-store.ts'
import { readTime, TIME_BYTES, writeTime } from './time-bytes.ts'

/** Sorts after every data key (those start with 0x00, see segments.ts). */
export const META_KEY: Buffer = Buffer.from([0xff])

/** What a segmented store must remember besides its entries. */
export interface StoreMeta {
  /** Largest window start (sessions: end) put so far; -1 before the first put. */
  readonly observed: number
  /** Next sequence number of a window store that retains duplicates; 0 otherwise. */
  readonly nextSeq: number
}

const NONE: StoreMeta = { observed: -1, nextSeq: 0 }

/**
 * Keeps the store's stream time and sequence counter as one entry of the byte store itself, so
 * they reach the changelog with the data, come back on restore, and are discarded with it on abort.
 * Nothing is cached across calls except the decoding of the very same buffer: the runtime restores
 * or aborts the byte store behind the typed store's back, and a stale stream time would expire (or
 * keep) different windows than a replay from the changelog does.
 *
 * `write` is called on every put, even with unchanged values: that keeps the entry pending, so the
 * reads of a commit interval are Map lookups, not backend reads. It costs one changelog record per
 * commit.
 */
export class MetaEntry {
  readonly #bytes: BufferedKeyValueStore
  #buffer: Buffer | undefined
  #meta: StoreMeta = NONE

  constructor(bytes: BufferedKeyValueStore) {
    this.#bytes = bytes
  }

  read(): StoreMeta {
    const buffer = this.#bytes.get(META_KEY)
    if (buffer !== this.#buffer) {
      this.#buffer = buffer
      this.#meta =
        buffer?.length === 2 * TIME_BYTES
          ? { observed: readTime(buffer, 0), nextSeq: readTime(buffer, TIME_BYTES) }
          : NONE
    }
    return this.#meta
  }

  write(meta: StoreMeta): void {
    const current = this.read()
    let buffer = this.#buffer
    if (buffer === undefined || current.observed !== meta.observed || current.nextSeq !== meta.nextSeq) {
      buffer = Buffer.allocUnsafe(2 * TIME_BYTES)
      writeTime(buffer, 0, meta.observed)
      writeTime(buffer, TIME_BYTES, meta.nextSeq)
      this.#buffer = buffer
      this.#meta = meta
    }
    this.#bytes.put(META_KEY, buffer)
  }
}
