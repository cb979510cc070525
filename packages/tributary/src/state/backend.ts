import type { Logger } from '../logger.ts'
import type { StorageProblems } from '../storage-problems.ts'

/** A key and its new value; null deletes the key. */
export type BytesEntry = readonly [key: Buffer, value: Buffer | null]

/**
 * Byte-level storage of one store shard (one store of one task). Memory and persistent (lmdb)
 * implementations pass one contract suite. Reads are synchronous; writes arrive only as atomic
 * batches at commit, together with the changelog offset they reach (the checkpoint), so a
 * persistent backend's data and checkpoint never disagree after a crash.
 */
export interface KeyValueBackend {
  readonly persistent: boolean
  get(key: Buffer): Buffer | undefined
  /** Ascending by unsigned byte order; bounds inclusive; an absent bound is open. An iteration
   *  that outlives a write may or may not see it (never a key twice, never out of order), and may
   *  be left unfinished: it holds no snapshot that keeps storage from reusing freed space. */
  range(from?: Buffer, to?: Buffer): IterableIterator<[Buffer, Buffer]>
  count(): number
  /** Applies all entries atomically; `checkpoint` (next changelog offset to restore from) is stored with them. */
  write(entries: readonly BytesEntry[], checkpoint?: number): Promise<void>
  /** The checkpoint of the last write, or undefined when the backend holds nothing durable. */
  checkpoint(): number | undefined
  /** Removes every entry and the checkpoint (used when a task's state must be rebuilt). */
  clear(): Promise<void>
  close(): Promise<void>
}

/** Where a backend tells what it found when opening a shard (a damaged store it set aside). */
export interface StoreOpenContext {
  /** Default: none (nothing is logged). */
  readonly logger?: Logger
  readonly problems?: StorageProblems
  /** Address space each lmdb store maps up front (see state/lmdb/map-size.ts); default 8 GiB. */
  readonly lmdbMapSizeBytes?: number
}

export interface BackendFactory {
  readonly persistent: boolean
  /** Opens (creating if needed) the shard `storeName` of task `taskId` under `stateDir`. A
   *  persistent backend verifies the shard first; a damaged one is set aside and opened empty (the
   *  caller then restores it from its changelog), reported to `context`. */
  open(
    stateDir: string,
    taskId: string,
    storeName: string,
    context?: StoreOpenContext,
  ): Promise<KeyValueBackend>
}
