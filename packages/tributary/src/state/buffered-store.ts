import { TributaryError } from '../errors.ts'
import type { BytesEntry, KeyValueBackend } from './backend.ts'
import { idBounds, keyId, type KeyId } from './key-id.ts'
import { mergePending } from './merge-pending.ts'
import { SortedKeys } from './sorted-keys.ts'

/**
 * A task's view of one store shard at the byte level: the backend plus the writes made since the
 * last commit. Reads see those pending writes; nothing reaches the backend before `commit`.
 *
 * The runtime's cycle: processors `get`/`put`; at commit it sends `pending()` to the changelog,
 * then calls `commit(nextChangelogOffset)`; on a failed transaction it calls `abort()`. Before
 * processing starts it feeds changelog records to `restore`.
 */
export class BufferedKeyValueStore {
  readonly name: string
  readonly backend: KeyValueBackend
  readonly #pending = new Map<KeyId, { readonly key: Buffer; value: Buffer | null }>()
  readonly #pendingKeys = new SortedKeys()
  #committing = false

  constructor(name: string, backend: KeyValueBackend) {
    this.name = name
    this.backend = backend
  }

  get(key: Buffer): Buffer | undefined {
    const pending = this.#pending.get(keyId(key))
    if (pending !== undefined) return pending.value ?? undefined
    return this.backend.get(key)
  }

  /** A null value deletes the key. The buffers are kept, not copied: do not mutate them after. */
  put(key: Buffer, value: Buffer | null): void {
    this.#checkIdle('put')
    const id = keyId(key)
    const pending = this.#pending.get(id)
    if (pending !== undefined) {
      pending.value = value
      return
    }
    this.#pending.set(id, { key, value })
    this.#pendingKeys.added(id)
  }

  /** Ascending by unsigned byte order; bounds inclusive; an absent bound is open. */
  range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]> {
    if (from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) return [][Symbol.iterator]()
    if (this.#pending.size === 0) return this.backend.range(from, to)
    return mergePending(
      this.backend.range(from, to),
      this.#pendingKeys.range(idBounds(from, to)),
      (id) => this.#pending.get(id)?.value,
    )
  }

  all(): IterableIterator<[Buffer, Buffer]> {
    return this.range()
  }

  /** Entries visible to reads. Costs one backend lookup per pending key. */
  count(): number {
    let count = this.backend.count()
    for (const { key, value } of this.#pending.values()) {
      const inBackend = this.backend.get(key) !== undefined
      if (value === null && inBackend) count--
      else if (value !== null && !inBackend) count++
    }
    return count
  }

  /** The latest pending value per key, in the order keys were first written: the changelog records of the next commit. */
  pending(): BytesEntry[] {
    return Array.from(this.#pending.values(), ({ key, value }) => [key, value] as const)
  }

  hasPending(): boolean {
    return this.#pending.size > 0
  }

  /**
   * Writes the pending entries and the checkpoint to the backend in one atomic batch, then clears
   * them. Puts while the batch is in flight are refused (they would be lost or half-committed);
   * reads keep seeing the pending values meanwhile. If the backend fails, the pending writes stay
   * and the error propagates: the runtime retries or aborts.
   */
  async commit(checkpoint?: number): Promise<void> {
    this.#checkIdle('commit')
    // Nothing changed and the checkpoint is already stored: skip a needless disk sync.
    if (this.#pending.size === 0 && checkpoint === this.backend.checkpoint()) return
    this.#committing = true
    try {
      await this.backend.write(this.pending(), checkpoint)
      this.#clearPending()
    } finally {
      this.#committing = false
    }
  }

  /** Discards the pending writes: reads see the backend again. */
  abort(): void {
    this.#checkIdle('abort')
    this.#clearPending()
  }

  /** Applies changelog records straight to the backend; only before processing (nothing pending). */
  async restore(entries: readonly BytesEntry[], checkpoint: number): Promise<void> {
    this.#checkIdle('restore')
    if (this.#pending.size > 0) {
      throw new TributaryError('STATE', `store ${this.name} cannot restore while it has uncommitted writes`)
    }
    this.#committing = true
    try {
      await this.backend.write(entries, checkpoint)
    } finally {
      this.#committing = false
    }
  }

  #clearPending(): void {
    this.#pending.clear()
    this.#pendingKeys.clear()
  }

  #checkIdle(what: string): void {
    if (this.#committing) {
      throw new TributaryError('STATE', `store ${this.name}: ${what} while a commit or restore is in flight`)
    }
  }
}
