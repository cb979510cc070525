import { constants } from 'node:fs'
import { FdPins } from './fd-pins.ts'
import type { StorageFs } from './storage-fs.ts'
import { attempt } from './storage-failure.ts'

/** A file that FileHandles may close when it has too many open (it syncs first when dirty). */
export interface PooledFile {
  readonly path: string
  /** Called before the pool closes this file's descriptor. */
  beforeClose(fd: number): void
}

/**
 * Open descriptors of the partition files of one log, at most `max` at a time (least recently
 * used closed first), so a log with tens of thousands of partitions never runs out of file
 * descriptors (EMFILE). A file is synced before its descriptor closes, so no write error can go
 * unreported. A descriptor lent to an fdatasync on the thread pool is closed when that returns.
 */
export class FileHandles {
  private readonly open = new Map<PooledFile, number>()
  private readonly pins: FdPins

  constructor(
    readonly fs: StorageFs,
    private readonly max = 1000,
  ) {
    this.pins = new FdPins(fs)
  }

  /** The descriptor of `file`, opening it (read-write) if needed. */
  fd(file: PooledFile): number {
    const fd = this.open.get(file)
    if (fd !== undefined) {
      this.open.delete(file)
      this.open.set(file, fd)
      return fd
    }
    while (this.open.size >= this.max) this.close(this.open.keys().next().value!)
    const opened = attempt(file.path, 'open', () => this.fs.openSync(file.path, constants.O_RDWR))
    this.open.set(file, opened)
    return opened
  }

  /** Syncs `file` off the main thread (see FdPins.fdatasync), opening it if needed. */
  fdatasync(file: PooledFile): Promise<void> {
    return this.pins.fdatasync(this.fd(file), file.path)
  }

  isOpen(file: PooledFile): boolean {
    return this.open.has(file)
  }

  /** Closes the file's descriptor if it is open (after `beforeClose`, unless `sync` is false). */
  close(file: PooledFile, sync = true): void {
    const fd = this.open.get(file)
    if (fd === undefined) return
    this.open.delete(file)
    try {
      if (sync) file.beforeClose(fd)
    } finally {
      this.pins.close(fd)
    }
  }
}
