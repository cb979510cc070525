import { hasProtocolError } from './kafka-errors.ts'

/**
 * Protocol errors that mean "ask the coordinator again": it moved (NOT_COORDINATOR), is loading
 * its partition of `__consumer_offsets` / `__transaction_state` (COORDINATOR_LOAD_IN_PROGRESS), or
 * has none yet (COORDINATOR_NOT_AVAILABLE: those internal topics are created on first use, so a
 * freshly formatted broker answers so for seconds). Kafka's Java clients retry all three.
 */
export const COORDINATOR_ERRORS = [
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
] as const

/** Errors no retry can fix, even when an earlier attempt in the same chain hit a coordinator error. */
const FINAL = [
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_TXN_STATE',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]

export const isCoordinatorError = (err: unknown): boolean =>
  hasProtocolError(err, ...COORDINATOR_ERRORS) && !hasProtocolError(err, ...FINAL)

/** As Kafka's `retry.backoff.ms` / `retry.backoff.max.ms` / `default.api.timeout.ms`. */
export interface Backoff {
  readonly initialMs: number
  readonly maxMs: number
  /** No new attempt starts after this long; the last error is thrown. */
  readonly timeoutMs: number
}

export const COORDINATOR_BACKOFF: Backoff = { initialMs: 100, maxMs: 1_000, timeoutMs: 30_000 }

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `attempt` until it succeeds or fails with an error `retriable` rejects (default: a
 * coordinator error), pausing between attempts with exponential backoff and 20% jitter.
 * `beforeRetry` undoes what a failed attempt left behind (a cached coordinator, a half-begun
 * transaction). Only for requests that are safe to repeat: each caller says why its is.
 */
export async function retryCoordinator<T>(
  attempt: () => Promise<T>,
  options: {
    readonly retriable?: (err: unknown) => boolean
    readonly beforeRetry?: (err: unknown) => void | Promise<void>
    readonly backoff?: Backoff
  } = {},
): Promise<T> {
  const { retriable = isCoordinatorError, beforeRetry, backoff = COORDINATOR_BACKOFF } = options
  const deadline = Date.now() + backoff.timeoutMs
  for (let pause = backoff.initialMs; ; pause = Math.min(pause * 2, backoff.maxMs)) {
    try {
      return await attempt()
    } catch (err) {
      const wait = pause * (0.8 + Math.random() * 0.4)
      if (!retriable(err) || Date.now() + wait > deadline) throw err
      await beforeRetry?.(err)
      await sleep(wait)
    }
  }
}
