import type { BytesEntry, KeyValueBackend } from '../backend.ts'
import { checkCheckpoint } from '../checkpoint-value.ts'
import { closedError } from '../closed-error.ts'
import { idBounds, keyId, type KeyId } from '../key-id.ts'
import { SortedKeys } from '../sorted-keys.ts'

/**
 * Non-durable backend: a Map for point reads plus a lazily sorted key set for ranges.
 *
 * Holds nothing across a restart, so `checkpoint()` is always undefined and the runtime restores
 * it from the start of its changelog. Buffers handed to `write` are kept, not copied, and buffers
 * handed out are the stored ones: neither side may mutate them afterwards.
 */
export class MemoryBackend implements KeyValueBackend {
  readonly persistent = false
  readonly #entries = new Map<KeyId, readonly [Buffer, Buffer]>()
  readonly #keys = new SortedKeys()
  #closed = false

  get(key: Buffer): Buffer | undefined {
    this.#check()
    return this.#entries.get(keyId(key))?.[1]
  }

  *range(from?: Buffer, to?: Buffer): Generator<[Buffer, Buffer]> {
    this.#check()
    for (const id of this.#keys.range(idBounds(from, to))) {
      // A key removed after this iteration started is skipped, never yielded stale.
      const entry = this.#entries.get(id)
      if (entry !== undefined) yield [entry[0], entry[1]]
    }
  }

  count(): number {
    this.#check()
    return this.#entries.size
  }

  async write(entries: readonly BytesEntry[], checkpoint?: number): Promise<void> {
    this.#check()
    if (checkpoint !== undefined) checkCheckpoint(checkpoint)
    for (const [key, value] of entries) {
      const id = keyId(key)
      const had = this.#entries.has(id)
      if (value === null) {
        if (had) {
          this.#entries.delete(id)
          this.#keys.removed(id)
        }
      } else {
        this.#entries.set(id, [key, value])
        if (!had) this.#keys.added(id)
      }
    }
  }

  checkpoint(): number | undefined {
    this.#check()
    return undefined
  }

  async clear(): Promise<void> {
    this.#check()
    this.#entries.clear()
    this.#keys.clear()
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#entries.clear()
    this.#keys.clear()
  }

  #check(): void {
    if (this.#closed) throw closedError('memory store')
  }
}
