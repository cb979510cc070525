/**
 * Which writes of one file are durable, and its syncs off the main thread. Writes are counted;
 * `durable` resolves once every write made before the call is on disk. At most one background
 * sync runs per file: callers that come while one runs wait for it when it covers their writes,
 * else share the one sync that follows it (group commit: several transactions committing on one
 * partition pay for one fdatasync). A failed sync is final: every later `durable` (and
 * `check`) fails with the same error, since after a failed fdatasync the kernel may have dropped
 * the unwritten pages and a later sync that "succeeds" would prove nothing.
 */
export class FileSync {
  private written = 0
  private synced = 0
  private running: { readonly upTo: number; readonly done: Promise<void> } | null = null
  private next: Promise<void> | null = null
  private failure: unknown = null

  /** Counts a write (call after each successful one). */
  wrote(): void {
    this.written++
  }

  /** Whether some write is not known to be on disk. */
  get dirty(): boolean {
    return this.synced < this.written
  }

  /** Throws the failure of an earlier background sync, if one failed. */
  check(): void {
    if (this.failure !== null) throw this.failure
  }

  /** Records that every write so far is on disk (a synchronous sync, or an atomic rewrite). */
  syncedAll(): void {
    this.synced = this.written
  }

  /**
   * Resolves once the writes made so far are durable; `sync` runs one fdatasync off the main
   * thread (see FdPins.fdatasync).
   */
  durable(sync: () => Promise<void>): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const upTo = this.written
    if (this.synced >= upTo) return Promise.resolve()
    const running = this.running
    if (running === null) return this.start(sync)
    if (running.upTo >= upTo) return running.done
    this.next ??= running.done
      .catch(() => undefined)
      .then(() => {
        this.next = null
        return this.durable(sync)
      })
    return this.next
  }

  private start(sync: () => Promise<void>): Promise<void> {
    const upTo = this.written
    let started: Promise<void>
    try {
      started = sync()
    } catch (err) {
      started = Promise.reject(err)
    }
    const done = started.then(
      () => {
        this.running = null
        if (upTo > this.synced) this.synced = upTo
      },
      (err: unknown) => {
        this.running = null
        this.failure ??= err
        throw this.failure
      },
    )
    this.running = { upTo, done }
    return done
  }
}

/**
 * Waits for every sync (run in parallel), then fails with the first failure, if any: a commit
 * fails as a whole, and never while one of its syncs is still running.
 */
export async function allDurable(waits: readonly Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(waits)
  for (const r of results) if (r.status === 'rejected') throw r.reason
}
