import { constants } from 'node:fs'
import { TributaryError } from '../../errors.ts'
import { frame, readFrames } from './frame.ts'
import { cutDamage, type FrameKind } from './cut-damage.ts'
import { FdPins } from './fd-pins.ts'
import { FileSync } from './file-sync.ts'
import { replaceFileAtomically, writeFully } from './fs-util.ts'
import type { MetadataEntry } from './metadata-entry.ts'
import type { StorageContext } from './storage-context.ts'
import { attempt } from './storage-failure.ts'

/**
 * The metadata journal: an append-only file of framed (length, crc32) JSON entries (see
 * MetadataEntry). `append` writes before returning (and fsyncs when asked), so an entry appended
 * before a partition write is on disk first; `durable` syncs off the main thread instead.
 * `rewrite` replaces the journal with a snapshot, crash-safely. Without a path (memory mode)
 * every method is a no-op. A failed write throws a StorageFailure; the owner stops using the
 * journal then.
 */
export class Journal {
  private fd: number | null = null
  private size = 0
  private readonly syncs = new FileSync()
  private readonly pins: FdPins | null
  /** Bytes appended since the last snapshot; the owner rewrites when this grows large. */
  appendedBytes = 0
  /** Whether the file existed (with content) when opened: a missing journal is noticed by recovery. */
  existed = false

  private constructor(
    /** The file (null in memory mode). */
    readonly path: string | null,
    private readonly ctx: StorageContext | null,
  ) {
    this.pins = ctx === null ? null : new FdPins(ctx.fs)
  }

  static memory(): Journal {
    return new Journal(null, null)
  }

  /**
   * Replays every intact entry through `apply`. A torn tail (a crash mid-append) is cut off
   * silently; damaged bytes at the end are cut off and reported; damage followed by intact
   * entries refuses to open (CORRUPT, naming the file and the repair command).
   */
  static open(ctx: StorageContext, path: string, apply: (entry: MetadataEntry) => void): Journal {
    const journal = new Journal(path, ctx)
    const { fs } = ctx
    const fd = attempt(path, 'open', () => fs.openSync(path, constants.O_RDWR | constants.O_CREAT))
    try {
      const { validEnd, stop, size } = attempt(path, 'read', () =>
        readFrames(fs, path, (body) => {
          const entry = parseEntry(body)
          if (entry !== undefined) apply(entry)
          return entry !== undefined
        }),
      )
      if (stop !== 'end') cutDamage(ctx, path, fd, { validEnd, stop, size }, JOURNAL_FRAMES)
      journal.existed = size > 0
      journal.fd = fd
      journal.size = validEnd
      return journal
    } catch (err) {
      fs.closeSync(fd)
      throw err
    }
  }

  append(entry: MetadataEntry, sync: boolean): void {
    if (this.fd === null || this.ctx === null) return
    const { fs } = this.ctx
    const fd = this.fd
    const bytes = frame(Buffer.from(JSON.stringify(entry)))
    attempt(this.path!, 'append', () => writeFully(fs, fd, bytes, this.size))
    this.size += bytes.length
    this.appendedBytes += bytes.length
    this.syncs.wrote()
    if (sync) this.sync()
  }

  sync(): void {
    if (this.fd === null || this.ctx === null) return
    const { fs } = this.ctx
    const fd = this.fd
    this.syncs.check()
    attempt(this.path!, 'fsync', () => fs.fdatasyncSync(fd))
    this.syncs.syncedAll()
  }

  /** Resolves once the entries appended so far are on disk, syncing off the main thread (see
   *  FileSync). Fails with CLOSED when the journal was closed without syncing them. */
  durable(): Promise<void> {
    if (this.ctx === null) return Promise.resolve()
    return this.syncs.durable(() => {
      if (this.fd === null) throw new TributaryError('CLOSED', `the journal ${this.path} is closed`)
      return this.pins!.fdatasync(this.fd, this.path!)
    })
  }

  /** Replaces the journal by `entries` (a snapshot of the current state). */
  rewrite(entries: readonly MetadataEntry[]): void {
    if (this.fd === null || this.path === null || this.ctx === null) return
    const { fs } = this.ctx
    const path = this.path
    const contents = Buffer.concat(entries.map((e) => frame(Buffer.from(JSON.stringify(e)))))
    this.pins!.close(this.fd)
    this.fd = null
    attempt(path, 'rewrite', () => replaceFileAtomically(fs, path, contents))
    this.size = contents.length
    this.appendedBytes = 0
    this.syncs.syncedAll()
    this.fd = attempt(path, 'open', () => fs.openSync(path, constants.O_RDWR))
  }

  /** Syncs (unless `sync` is false: after a storage failure) and closes. */
  close(sync = true): void {
    if (this.fd === null || this.ctx === null) return
    const fd = this.fd
    this.fd = null
    try {
      if (sync) {
        this.syncs.check()
        attempt(this.path!, 'fsync', () => this.ctx!.fs.fdatasyncSync(fd))
        this.syncs.syncedAll()
      }
    } finally {
      this.pins!.close(fd)
    }
  }
}

/** The journal's frames (see cutDamage): JSON entries, never shorter than `{}`. */
const JOURNAL_FRAMES: FrameKind = {
  minBodyBytes: 2,
  probe: (body) => parseEntry(body) !== undefined,
  holds: 'entries',
  lost: 'the metadata written last (offset commits, a topic, a transaction decision) may be lost',
}

/** A journal entry from a checksummed body, or undefined when it is not one. */
export function parseEntry(body: Buffer): MetadataEntry | undefined {
  try {
    const entry = JSON.parse(body.toString('utf8')) as MetadataEntry
    return typeof entry === 'object' && entry !== null && typeof entry.t === 'string' ? entry : undefined
  } catch {
    return undefined
  }
}
