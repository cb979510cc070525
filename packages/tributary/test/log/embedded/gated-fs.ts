import { nodeFs } from '../../../src/log/embedded/storage-fs.ts'
import { PassThroughFs } from './pass-through-fs.ts'

/** An fdatasync held by GatedFs until the test lets it finish. */
export interface HeldSync {
  readonly path: string
  /** Runs the real fdatasync and reports its outcome, or reports `fault` instead. */
  finish(fault?: string): void
}

/**
 * node:fs whose background fdatasync calls wait until the test finishes them, so a test can look
 * at the log while a commit's syncs are on the disk (synchronous calls pass straight through).
 */
export class GatedFs extends PassThroughFs {
  readonly held: HeldSync[] = []
  /** Paths of every background fdatasync started, in order. */
  readonly started: string[] = []
  /** Syncs whose descriptor was closed before they finished (must never happen: see FdPins). */
  readonly closedUnder: string[] = []
  private readonly paths = new Map<number, string>()

  override openSync(path: string, flags: number | string): number {
    const fd = nodeFs.openSync(path, flags)
    this.paths.set(fd, path)
    return fd
  }

  override closeSync(fd: number): void {
    this.paths.delete(fd)
    nodeFs.closeSync(fd)
  }

  override fdatasync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void {
    const path = this.paths.get(fd) ?? `fd ${fd}`
    this.started.push(path)
    this.held.push({
      path,
      finish: (fault) => {
        if (this.paths.get(fd) !== path) this.closedUnder.push(path)
        if (fault === undefined) nodeFs.fdatasync(fd, done)
        else setImmediate(() => done(Object.assign(new Error(`${fault}: injected`), { code: fault })))
      },
    })
  }

  /** Finishes every held sync (optionally failing those whose path matches `failing`). */
  finishAll(fault?: string, failing: RegExp = /./): void {
    for (const sync of this.held.splice(0)) sync.finish(failing.test(sync.path) ? fault : undefined)
  }

  /** Finishes every sync started until `operation` settles, then gives its outcome. */
  async finishUntilSettled<T>(operation: Promise<T>): Promise<T> {
    while ((await settledState(operation)) === 'pending') this.finishAll()
    return operation
  }

  /** Waits (turning the event loop) until `count` syncs are held; the syncs finished before may
   *  take a while on a busy disk. */
  async untilHeld(count: number): Promise<void> {
    const deadline = Date.now() + 60_000
    while (this.held.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.held.length} of ${count} syncs started`)
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
}

/** Closes a log on a GatedFs, finishing every held sync until the close settles. */
export async function closeGated(log: { close(): Promise<void> }, fs: GatedFs): Promise<void> {
  const closing = log.close()
  while (fs.held.length > 0 || (await settledState(closing)) === 'pending') fs.finishAll()
  await closing
}

/** How `p` stands after one more turn of the event loop. */
export async function settledState(p: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  return Promise.race([
    p.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending'))),
  ])
}
