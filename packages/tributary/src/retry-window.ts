/**
 * A run of consecutive failures of a retried loop: how long it has lasted and how long to wait
 * before the next try (100 ms, doubling to 2 s). A success ends the run.
 */
export class RetryWindow {
  private since: number | undefined
  private backoffMs = 100

  constructor(private readonly timeoutMs: number) {}

  /** True while a run of failures is going on. */
  get failing(): boolean {
    return this.since !== undefined
  }

  /** The wait before the next try. */
  get nextWaitMs(): number {
    return this.backoffMs
  }

  succeeded(): void {
    this.since = undefined
    this.backoffMs = 100
  }

  /** Records a failure; false once the run has lasted longer than the timeout (give up). */
  failed(now = Date.now()): boolean {
    this.since ??= now
    return now - this.since <= this.timeoutMs
  }

  /** Waits out the backoff, then doubles it. */
  async wait(): Promise<void> {
    await new Promise((r) => setTimeout(r, this.backoffMs))
    this.backoffMs = Math.min(this.backoffMs * 2, 2_000)
  }
}
