import { constants } from 'node:fs'
import { dirname } from 'node:path'
import { fsyncDir, writeFully } from './fs-util.ts'
import type { StorageFs } from './storage-fs.ts'
import { attempt, StorageFailure } from './storage-failure.ts'

/**
 * A new content for `path` written piece by piece beside it (`<path>.tmp`), so a file larger than
 * memory can be rewritten: `install` syncs it and renames it over `path`, then syncs the
 * directory, so a crash at any point leaves the old file or the new one (recovery removes a
 * leftover `.tmp`); `abandon` removes it. Failures throw a StorageFailure naming the path.
 */
export class FileRewrite {
  private readonly tmp: string
  private fd: number | null
  private size = 0

  constructor(
    private readonly fs: StorageFs,
    readonly path: string,
  ) {
    this.tmp = `${path}.tmp`
    this.fd = attempt(this.tmp, 'create', () =>
      fs.openSync(this.tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC),
    )
  }

  /** Bytes written so far. */
  get length(): number {
    return this.size
  }

  append(bytes: Buffer): void {
    attempt(this.tmp, 'write', () => writeFully(this.fs, this.fd!, bytes, this.size))
    this.size += bytes.length
  }

  /** Syncs what was appended on the thread pool, so `install` has nothing left to sync on the
   *  event loop. Fails with a StorageFailure naming the file. */
  sync(): Promise<void> {
    const fd = this.fd!
    return new Promise((resolve, reject) =>
      this.fs.fdatasync(fd, (err) =>
        err === null ? resolve() : reject(new StorageFailure(this.tmp, 'sync', err)),
      ),
    )
  }

  /** Replaces `path` with what was appended; `modifiedAt` (ms) becomes its modification time. */
  install(modifiedAt: number): void {
    const fd = this.fd!
    attempt(this.tmp, 'rewrite', () => {
      if (modifiedAt >= 0) this.fs.futimesSync(fd, modifiedAt, modifiedAt)
      this.fs.fsyncSync(fd)
    })
    this.close()
    attempt(this.path, 'rewrite', () => this.fs.renameSync(this.tmp, this.path))
    fsyncDir(this.fs, dirname(this.path))
  }

  /** Removes what was written (best effort: the next open removes a leftover), or with `remove`
   *  false only closes it (the directory may no longer be this writer's: its topic was deleted,
   *  and a new one of the same name may write its own `<path>.tmp` there, or the log closed
   *  without waiting for it and released the data directory). */
  abandon(remove = true): void {
    try {
      this.close()
      if (remove) this.fs.rmSync(this.tmp, { force: true })
    } catch {
      // PartitionFile.open removes `<path>.tmp`
    }
  }

  private close(): void {
    if (this.fd === null) return
    const fd = this.fd
    this.fd = null
    attempt(this.tmp, 'close', () => this.fs.closeSync(fd))
  }
}
