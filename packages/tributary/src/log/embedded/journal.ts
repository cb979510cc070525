import { closeSync, constants, fdatasyncSync, ftruncateSync, openSync } from 'node:fs'
import { frame, readFrames } from './frame.ts'
import { replaceFileAtomically, writeFully } from './fs-util.ts'
import type { MetadataEntry } from './metadata-entry.ts'

/**
 * The metadata journal: an append-only file of framed JSON entries (see MetadataEntry). `append`
 * writes before returning (and fsyncs when asked), so an entry appended before a partition write
 * is on disk first. `rewrite` replaces the journal with a snapshot, crash-safely. Without a path
 * (memory mode) every method is a no-op.
 */
export class Journal {
  private fd: number | null = null
  private size = 0
  /** Bytes appended since the last snapshot; the owner rewrites when this grows large. */
  appendedBytes = 0

  private constructor(private readonly path: string | null) {}

  static memory(): Journal {
    return new Journal(null)
  }

  /** Replays every valid entry through `apply`; truncates a torn or corrupt tail (warning for corrupt). */
  static open(path: string, apply: (entry: MetadataEntry) => void, warn: (message: string) => void): Journal {
    const journal = new Journal(path)
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT)
    const { validEnd, stop } = readFrames(path, (body) => {
      let entry: MetadataEntry
      try {
        entry = JSON.parse(body.toString('utf8')) as MetadataEntry
      } catch {
        return false
      }
      apply(entry)
      return true
    })
    if (stop !== 'end') {
      ftruncateSync(fd, validEnd)
      if (stop === 'corrupt')
        warn(`tributary: ${path} has a corrupt entry at byte ${validEnd}; truncated there`)
    }
    journal.fd = fd
    journal.size = validEnd
    return journal
  }

  append(entry: MetadataEntry, sync: boolean): void {
    if (this.fd === null) return
    const bytes = frame(Buffer.from(JSON.stringify(entry)))
    writeFully(this.fd, bytes, this.size)
    this.size += bytes.length
    this.appendedBytes += bytes.length
    if (sync) fdatasyncSync(this.fd)
  }

  sync(): void {
    if (this.fd !== null) fdatasyncSync(this.fd)
  }

  /** Replaces the journal by `entries` (a snapshot of the current state). */
  rewrite(entries: readonly MetadataEntry[]): void {
    if (this.fd === null || this.path === null) return
    const contents = Buffer.concat(entries.map((e) => frame(Buffer.from(JSON.stringify(e)))))
    closeSync(this.fd)
    try {
      replaceFileAtomically(this.path, contents)
      this.size = contents.length
      this.appendedBytes = 0
    } finally {
      this.fd = openSync(this.path, constants.O_RDWR)
    }
  }

  close(): void {
    if (this.fd === null) return
    fdatasyncSync(this.fd)
    closeSync(this.fd)
    this.fd = null
  }
}
