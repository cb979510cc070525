/**
 * A run of consecutive failures of a retried loop: how long it has lasted and how long to wait
 * before the next try (by default 100 ms, doubling to 2 s). A success ends the run.
 */
export class RetryWindow {
  private since: number | undefined
  private backoffMs: number

  /** Waits start at `firstMs` and double up to `maxMs`. */
  constructor(
    private readonly timeoutMs: number,
    private readonly firstMs = 100,
    private readonly maxMs = 2_000,
  ) {
    this.backoffMs = firstMs
  }

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
    this.backoffMs = this.firstMs
  }

  /** Records a failure; false once the run has lasted longer than the timeout (give up). */
  failed(now = Date.now()): boolean {
    this.since ??= now
    return now - this.since <= this.timeoutMs
  }

  /** Waits out the backoff (or until `stop` says to, checked every 100 ms), then doubles it. */
  async wait(stop: () => boolean = () => false): Promise<void> {
    const until = Date.now() + this.backoffMs
    while (!stop() && Date.now() < until)
      await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())))
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxMs)
  }
}
