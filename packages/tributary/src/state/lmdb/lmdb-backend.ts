import type { Database, RootDatabase } from 'lmdb'
import { TributaryError } from '../../errors.ts'
import type { BytesEntry, KeyValueBackend } from '../backend.ts'
import { checkCheckpoint, decodeCheckpoint, encodeCheckpoint } from '../checkpoint-value.ts'
import { closedError } from '../closed-error.ts'
import { lmdbCommit } from './lmdb-commit.ts'
import type { LmdbStoreFile } from './map-size.ts'
import { rangeInChunks } from './lmdb-range.ts'

type Bytes = Database<Buffer, Buffer>

/**
 * Persistent backend: one lmdb environment per store shard, with a `data` database for the
 * entries and a `meta` database for the checkpoint (and the empty key, see below).
 *
 * - Reads are synchronous memory-mapped lookups; returned buffers are fresh copies. Ranges read in
 *   chunks and hold no read snapshot between them (see rangeInChunks).
 * - `write` is one lmdb write transaction covering the entries and the checkpoint, so after a
 *   crash data and checkpoint always agree (a crash may lose the last commit, never half of it).
 * - LMDB rejects zero-length keys, and an empty serialized key (e.g. the string "") is legal in
 *   Kafka Streams, so the empty key is kept in the metadata database; it sorts before every other
 *   key, which is where `range` yields it.
 * - Keys longer than lmdb's limit (1978 bytes) are refused before anything is written.
 * - A commit the disk refuses (ENOSPC, EIO, EROFS) fails with code STATE naming the directory
 *   (see lmdbCommit); the store stays at its previous commit.
 */
export class LmdbBackend implements KeyValueBackend {
  readonly persistent = true
  readonly #env: RootDatabase
  readonly #data: Bytes
  readonly #meta: Bytes
  readonly #checkpointKey = Buffer.from('checkpoint')
  readonly #emptyKey = Buffer.from('empty-key')
  readonly #maxKeySize: number
  readonly #onClose: (afterFailure: boolean) => Promise<void>
  readonly #store: LmdbStoreFile
  #closed = false
  #failed = false
  /** Commits not yet settled: close waits for them, so it knows whether one failed. */
  readonly #inflight = new Set<Promise<void>>()

  /** Takes ownership of `env` (in `store.dir`): `onClose` must close it; `afterFailure` says a
   *  commit failed (lmdb's own close may then never finish). Close first waits for the commits
   *  still in flight, since one of them may be the failure. */
  constructor(env: RootDatabase, store: LmdbStoreFile, onClose: (afterFailure: boolean) => Promise<void>) {
    this.#env = env
    this.#store = store
    // Named databases, not the root one: LMDB's root database lists the named ones as keys.
    this.#data = env.openDB<Buffer, Buffer>('data', { keyEncoding: 'binary', encoding: 'binary' })
    this.#meta = env.openDB<Buffer, Buffer>('meta', { keyEncoding: 'binary', encoding: 'binary' })
    this.#maxKeySize = (env as unknown as { maxKeySize?: number }).maxKeySize ?? 511
    this.#onClose = onClose
  }

  get(key: Buffer): Buffer | undefined {
    this.#check()
    return key.length === 0 ? this.#meta.get(this.#emptyKey) : this.#data.get(key)
  }

  *range(from?: Buffer, to?: Buffer): Generator<[Buffer, Buffer]> {
    this.#check()
    if (from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) return
    if (from === undefined || from.length === 0) {
      const empty = this.#meta.get(this.#emptyKey)
      if (empty !== undefined) yield [Buffer.alloc(0), empty]
    }
    if (to?.length === 0) return // only the empty key is <= an empty upper bound
    yield* rangeInChunks(this.#data, from?.length === 0 ? undefined : from, to, () => this.#check())
  }

  count(): number {
    this.#check()
    const stats = this.#data.getStats() as { entryCount?: number }
    return (stats.entryCount ?? 0) + (this.#meta.doesExist(this.#emptyKey) ? 1 : 0)
  }

  async write(entries: readonly BytesEntry[], checkpoint?: number): Promise<void> {
    this.#check()
    if (checkpoint !== undefined) checkCheckpoint(checkpoint)
    for (const [key] of entries) {
      if (key.length > this.#maxKeySize) {
        throw new TributaryError(
          'STATE',
          `key of ${key.length} bytes exceeds lmdb's limit of ${this.#maxKeySize} bytes`,
        )
      }
    }
    await this.#commit(() => {
      for (const [key, value] of entries) {
        const [db, k] = key.length === 0 ? [this.#meta, this.#emptyKey] : [this.#data, key]
        if (value === null) db.remove(k)
        else db.put(k, value)
      }
      // The checkpoint describes the last write: a write without one leaves none behind.
      if (checkpoint === undefined) this.#meta.remove(this.#checkpointKey)
      else this.#meta.put(this.#checkpointKey, encodeCheckpoint(checkpoint))
    })
  }

  checkpoint(): number | undefined {
    this.#check()
    return decodeCheckpoint(this.#meta.get(this.#checkpointKey))
  }

  async clear(): Promise<void> {
    this.#check()
    await this.#commit(() => {
      this.#data.clearSync()
      this.#meta.remove(this.#emptyKey)
      this.#meta.remove(this.#checkpointKey)
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.allSettled(this.#inflight)
    await this.#onClose(this.#failed)
  }

  async #commit(body: () => void): Promise<void> {
    const commit = lmdbCommit(this.#store, this.#env, body).catch((err: unknown) => {
      this.#failed = true
      throw err
    })
    this.#inflight.add(commit)
    try {
      await commit
    } finally {
      this.#inflight.delete(commit)
    }
  }

  #check(): void {
    if (this.#closed) throw closedError('lmdb store')
  }
}
