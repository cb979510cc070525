/**
 * Operations still running in the background (commits waiting for their syncs), so closing the
 * log can wait for them instead of closing files under them. The wait is bounded: a disk that
 * never answers must not hang close forever.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>()

  /** Tracks `operation` until it settles; returns it unchanged. */
  track<T>(operation: Promise<T>): Promise<T> {
    const settled: Promise<boolean> = operation.then(
      () => this.running.delete(settled),
      () => this.running.delete(settled),
    )
    this.running.add(settled)
    return operation
  }

  get size(): number {
    return this.running.size
  }

  /** Resolves true once every tracked operation (and `others`) settled, or false after
   *  `timeoutMs` with some still running. Never rejects. */
  async settled(timeoutMs: number, others: readonly Promise<unknown>[] = []): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))
    const all = Promise.allSettled([...this.running, ...others]).then(() => true)
    try {
      return await Promise.race([all, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}
