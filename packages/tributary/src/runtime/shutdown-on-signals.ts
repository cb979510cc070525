import { silentLogger, type Logger } from '../logger.ts'

export interface ShutdownOptions {
  /** Longest the drain may take before the process exits with code 1 anyway. Default 30000. */
  readonly timeoutMs?: number
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[]
  readonly logger?: Logger
  /** How the process ends (tests replace it). Default `process.exit`. */
  readonly exit?: (code: number) => void
}

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 }

/**
 * Graceful shutdown for a process running StreamsApps, sinks and the like. The first signal calls
 * `drain` (typically `app.close()`: stop polling, commit, flush stores, leave the group) and exits 0
 * when it resolves, 1 when it fails or takes longer than `timeoutMs`. A second signal exits at once
 * (128 + signal number) without draining: nothing committed is lost, uncommitted work is redone
 * from the last commit by the next run (exactly-once: never applied twice). Returns a function that
 * removes the handlers.
 */
export function shutdownOnSignals(drain: () => Promise<void>, options: ShutdownOptions = {}): () => void {
  const logger = options.logger ?? silentLogger
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  const timeoutMs = options.timeoutMs ?? 30_000
  let draining = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (draining) {
      logger.error({ signal }, `second ${signal}: exiting at once without draining`)
      exit(EXIT_CODES[signal] ?? 1)
      return
    }
    draining = true
    logger.info({ signal, timeoutMs }, `${signal}: draining (commit, close); send it again to exit at once`)
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, `drain took longer than ${timeoutMs} ms; exiting without finishing it`)
      exit(1)
    }, timeoutMs)
    timer.unref()
    drain().then(
      () => {
        clearTimeout(timer)
        exit(0)
      },
      (err: unknown) => {
        clearTimeout(timer)
        logger.error({ err: String(err) }, 'drain failed')
        exit(1)
      },
    )
  }
  for (const signal of signals) process.on(signal, onSignal)
  return () => {
    for (const signal of signals) process.off(signal, onSignal)
  }
}
