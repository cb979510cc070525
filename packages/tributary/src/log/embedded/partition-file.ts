import { closeSync, constants, fdatasyncSync, ftruncateSync, openSync, readSync, rmSync } from 'node:fs'
import { TributaryError } from '../../errors.ts'
import { readFrames } from './frame.ts'
import { decodeEntry, type DecodedEntry } from './record-codec.ts'
import { replaceFileAtomically, writeFully } from './fs-util.ts'

/**
 * The append-only file behind one durable partition. Appends are whole encoded batches (one
 * syscall per batch); `sync` is called by the fsync policy. Not safe to share between processes:
 * the data directory lock guarantees one owner.
 */
export class PartitionFile {
  private dirty = false
  private closed = false

  private constructor(
    readonly path: string,
    private fd: number,
    private size: number,
  ) {}

  /**
   * Opens or creates the file and replays its valid entries in order. `accept` returns false for
   * an entry that cannot follow the previous ones (treated like a checksum failure). A torn tail
   * is truncated silently; a corrupt entry is truncated with everything after it and reported
   * through `warn`, so a bad record is never served.
   */
  static open(
    path: string,
    accept: (entry: DecodedEntry, position: number) => boolean,
    warn: (message: string) => void,
  ): PartitionFile {
    rmSync(`${path}.tmp`, { force: true }) // an interrupted compaction leaves the old file intact
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT)
    try {
      const { validEnd, stop } = readFrames(path, (body, position) => {
        const entry = decodeEntry(body)
        return entry !== undefined && accept(entry, position)
      })
      if (stop !== 'end') {
        ftruncateSync(fd, validEnd)
        fdatasyncSync(fd)
        if (stop === 'corrupt') {
          warn(
            `tributary: ${path} has a corrupt record at byte ${validEnd} (checksum mismatch); truncated the partition there`,
          )
        }
      }
      return new PartitionFile(path, fd, validEnd)
    } catch (err) {
      closeSync(fd)
      throw err
    }
  }

  /** Bytes in the file (where the next append goes). */
  get length(): number {
    return this.size
  }

  /** Reads bytes [start, end) (used to serve entries no longer cached in memory). */
  read(start: number, end: number): Buffer {
    if (this.closed) throw new TributaryError('CLOSED', `partition file ${this.path} is closed`)
    const buf = Buffer.allocUnsafe(end - start)
    let done = 0
    while (done < buf.length) {
      const got = readSync(this.fd, buf, done, buf.length - done, start + done)
      if (got === 0)
        throw new TributaryError('CORRUPT', `${this.path} ended at ${start + done}, expected ${end}`)
      done += got
    }
    return buf
  }

  append(batch: Buffer): void {
    if (this.closed) throw new TributaryError('CLOSED', `partition file ${this.path} is closed`)
    writeFully(this.fd, batch, this.size)
    this.size += batch.length
    this.dirty = true
  }

  /** Flushes appended bytes to disk; cheap when nothing was appended since the last call. */
  sync(): void {
    if (!this.dirty || this.closed) return
    fdatasyncSync(this.fd)
    this.dirty = false
  }

  /** Swaps the whole content crash-safely (compaction): the old or the new file survives a crash. */
  replace(contents: Buffer): void {
    this.sync()
    closeSync(this.fd)
    try {
      replaceFileAtomically(this.path, contents)
      this.size = contents.length
    } finally {
      this.fd = openSync(this.path, constants.O_RDWR)
    }
  }

  close(): void {
    if (this.closed) return
    this.sync()
    this.closed = true
    closeSync(this.fd)
  }

  /** Closes and deletes the file (topic deletion). */
  remove(): void {
    if (!this.closed) {
      this.closed = true
      closeSync(this.fd)
    }
    rmSync(this.path, { force: true })
  }
}
