import { constants } from 'node:fs'
import { TributaryError } from '../../errors.ts'
import type { FileHandles } from './file-handles.ts'
import { FileSync } from './file-sync.ts'
import { read, readFrames } from './frame.ts'
import { cutDamage, type FrameKind } from './cut-damage.ts'
import { FileRewrite } from './file-rewrite.ts'
import { writeFully } from './fs-util.ts'
import { decodeEntry, ENTRY_MIN_BYTES, type DecodedEntry } from './record-codec.ts'
import { refusal, type StorageContext } from './storage-context.ts'
import { attempt } from './storage-failure.ts'

/**
 * The append-only file behind one segment of a durable partition. Appends are whole encoded batches (one
 * syscall per batch); `sync` (on the main thread) and `durable` (off it, see FileSync) are called
 * by the fsync policy. Its descriptor comes from the log's FileHandles (opened on use). Not safe
 * to share between processes: the data directory lock guarantees one owner. Every failed call
 * throws a StorageFailure naming the file.
 */
export class PartitionFile {
  private readonly syncs = new FileSync()
  private closed = false
  private deleted = false

  private constructor(
    private readonly ctx: StorageContext,
    private readonly handles: FileHandles,
    readonly path: string,
    private size: number,
  ) {}

  /**
   * Creates an empty partition file (fails if one exists: it would hold data nobody listed).
   */
  static create(ctx: StorageContext, handles: FileHandles, path: string): PartitionFile {
    const fd = attempt(path, 'create', () =>
      ctx.fs.openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL),
    )
    ctx.fs.closeSync(fd)
    return new PartitionFile(ctx, handles, path, 0)
  }

  /**
   * Opens an existing file and replays its intact entries in order through `accept`, which
   * returns false for an entry that cannot follow the previous ones (treated like a checksum
   * failure). A torn tail (a crash mid-append) is cut off silently; damaged bytes at the end are
   * cut off and reported; damage followed by intact entries refuses to open (CORRUPT), since
   * cutting there would drop acknowledged records. `follows` says whether an entry could come
   * next (used to find intact entries after damage).
   */
  static open(
    ctx: StorageContext,
    handles: FileHandles,
    path: string,
    accept: (entry: DecodedEntry, position: number) => boolean,
    follows: (entry: DecodedEntry) => boolean,
  ): PartitionFile {
    const { fs } = ctx
    fs.rmSync(`${path}.tmp`, { force: true }) // an interrupted compaction leaves the old file intact
    if (!fs.existsSync(path)) throw refusal(ctx, path, 'the partition file is missing')
    const file = new PartitionFile(ctx, handles, path, 0)
    const { validEnd, stop, size } = attempt(path, 'read', () =>
      readFrames(fs, path, (body, position) => {
        const entry = decodeEntry(body)
        return entry !== undefined && accept(entry, position)
      }),
    )
    if (stop !== 'end') {
      try {
        cutDamage(ctx, path, handles.fd(file), { validEnd, stop, size }, segmentFrames(follows))
      } catch (err) {
        handles.close(file, false)
        throw err
      }
    }
    file.size = validEnd
    return file
  }

  /** Bytes in the file (where the next append goes). */
  get length(): number {
    return this.size
  }

  /** Reads bytes [start, end) (used to serve entries no longer cached in memory). */
  read(start: number, end: number): Buffer {
    if (this.closed) throw new TributaryError('CLOSED', `partition file ${this.path} is closed`)
    const fd = this.handles.fd(this)
    return attempt(this.path, 'read', () => read(this.ctx.fs, fd, start, end - start))
  }

  /**
   * Writes a batch at the end. On failure the file is cut back to its previous length (best
   * effort) and the StorageFailure is thrown; the length only grows once the write succeeded.
   */
  append(batch: Buffer): void {
    if (this.closed) throw new TributaryError('CLOSED', `partition file ${this.path} is closed`)
    const fd = this.handles.fd(this)
    try {
      attempt(this.path, 'append', () => writeFully(this.ctx.fs, fd, batch, this.size))
    } catch (err) {
      try {
        this.ctx.fs.ftruncateSync(fd, this.size)
      } catch {
        // recovery cuts the partial batch off as a torn tail
      }
      throw err
    }
    this.size += batch.length
    this.syncs.wrote()
  }

  /** Flushes appended bytes to disk; cheap when nothing was appended since the last call. */
  sync(): void {
    if (!this.syncs.dirty || this.closed) return
    this.syncFd(this.handles.fd(this))
  }

  /**
   * Resolves once the bytes appended so far are on disk, syncing off the main thread (appends
   * may go on meanwhile; they are not covered). A deleted file counts as durable (its data is no
   * longer wanted); one closed without syncing (after a storage failure) fails with CLOSED.
   */
  durable(): Promise<void> {
    return this.syncs.durable(() => {
      if (this.deleted) return Promise.resolve()
      if (this.closed) throw new TributaryError('CLOSED', `partition file ${this.path} is closed`)
      return this.handles.fdatasync(this)
    })
  }

  /** FileHandles calls this before closing the descriptor. */
  beforeClose(fd: number): void {
    if (this.syncs.dirty) this.syncFd(fd)
  }

  private syncFd(fd: number): void {
    this.syncs.check()
    attempt(this.path, 'fsync', () => this.ctx.fs.fdatasyncSync(fd))
    this.syncs.syncedAll()
  }

  /** Starts writing a new content for this file beside it (compaction); see replaceWith. */
  rewrite(): FileRewrite {
    if (this.closed) throw new TributaryError('CLOSED', `partition file ${this.path} is closed`)
    return new FileRewrite(this.ctx.fs, this.path)
  }

  /** Swaps in a finished rewrite crash-safely: the old or the new content survives a crash. */
  replaceWith(rewrite: FileRewrite, modifiedAt: number): void {
    if (this.closed) throw new TributaryError('CLOSED', `partition file ${this.path} is closed`)
    this.sync()
    this.handles.close(this)
    rewrite.install(modifiedAt)
    this.size = rewrite.length
    this.syncs.syncedAll()
  }

  /** Syncs (unless `sync` is false: after a storage failure) and closes. */
  close(sync = true): void {
    if (this.closed) return
    this.closed = true
    this.handles.close(this, sync)
  }

  /** Closes and deletes the file, whose deletion is decided and durable (retention, compaction). */
  delete(): void {
    this.deleted = true
    this.close(false)
    attempt(this.path, 'remove', () => this.ctx.fs.rmSync(this.path, { force: true }))
  }
}

/** A segment's frames (see cutDamage): encoded entries, one that `follows` could come next. */
const segmentFrames = (follows: (entry: DecodedEntry) => boolean): FrameKind => ({
  minBodyBytes: ENTRY_MIN_BYTES,
  probe: (body) => {
    const entry = decodeEntry(body)
    return entry !== undefined && follows(entry)
  },
  holds: 'records',
  lost: 'the records written last there are lost',
})
