import type { StorageFs } from './storage-fs.ts'
import { StorageFailure } from './storage-failure.ts'

/**
 * Descriptors lent to calls that run on the libuv thread pool (fdatasync). Closing a lent
 * descriptor is deferred until its last call returns: closed at once, its number could be reused
 * by another file while the call is still queued, which would then sync (or fail on) the wrong
 * file. Owners close through `close` only.
 */
export class FdPins {
  private readonly lent = new Map<number, number>()
  private readonly closing = new Set<number>()

  constructor(private readonly fs: StorageFs) {}

  /**
   * Runs fdatasync of `fd` off the main thread. Resolves once the bytes written to it before the
   * call are on disk; a failure rejects with a StorageFailure naming `path`.
   */
  fdatasync(fd: number, path: string): Promise<void> {
    this.lent.set(fd, (this.lent.get(fd) ?? 0) + 1)
    return new Promise((resolve, reject) => {
      const done = (err: unknown): void => {
        this.giveBack(fd)
        if (err === null || err === undefined) resolve()
        else reject(err instanceof StorageFailure ? err : new StorageFailure(path, 'fsync', err))
      }
      try {
        this.fs.fdatasync(fd, done)
      } catch (err) {
        done(err)
      }
    })
  }

  /** Closes `fd` now, or when its last lent call returns. */
  close(fd: number): void {
    if (this.lent.has(fd)) this.closing.add(fd)
    else this.fs.closeSync(fd)
  }

  private giveBack(fd: number): void {
    const left = this.lent.get(fd)! - 1
    if (left > 0) {
      this.lent.set(fd, left)
      return
    }
    this.lent.delete(fd)
    if (!this.closing.delete(fd)) return
    try {
      this.fs.closeSync(fd)
    } catch {
      // the sync's outcome is what counts; a failing close after it reports nothing more
    }
  }
}
