import { RetryWindow } from '../retry-window.ts'
import { storageErrorOf, type StorageError } from '../storage-error.ts'

/** The storage error a StreamsApp with `storageErrors: 'retry'` is waiting out. */
export interface StorageFailureState extends StorageError {
  /** The error's one-line message (it names the path and the errno). */
  readonly message: string
  /** Epoch milliseconds of the first failure of this run of failures. */
  readonly since: number
  /** Failed attempts so far (the commit, then each try to start again). */
  readonly attempts: number
}

/**
 * Bookkeeping of storageErrors 'retry': the failure being waited out and the backoff (from
 * `firstWaitMs`, doubling up to 60 s). `failed` is false once failures have gone on for longer
 * than `timeoutMs` (then the app stops as with 'stop'); a successful commit ends the run.
 */
export class StorageRetry {
  private readonly window: RetryWindow
  private state: StorageFailureState | undefined

  constructor(firstWaitMs: number, timeoutMs: number) {
    this.window = new RetryWindow(timeoutMs, firstWaitMs, 60_000)
  }

  get failure(): StorageFailureState | undefined {
    return this.state
  }

  get nextWaitMs(): number {
    return this.window.nextWaitMs
  }

  /** Records a failure (a storage error, see storageErrorOf); false: give up. */
  failed(err: unknown, now = Date.now()): boolean {
    const storage = storageErrorOf(err) ?? { errno: 'EIO', path: undefined }
    this.state = {
      ...storage,
      message: err instanceof Error ? err.message : String(err),
      since: this.state?.since ?? now,
      attempts: (this.state?.attempts ?? 0) + 1,
    }
    return this.window.failed(now)
  }

  /** Waits out the backoff, or until `stop` says to. */
  wait(stop: () => boolean): Promise<void> {
    return this.window.wait(stop)
  }

  succeeded(): void {
    this.state = undefined
    this.window.succeeded()
  }
}
