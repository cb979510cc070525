import { TributaryError, shutdownOnSignals } from 'tributary-streams'
import type { AppContext } from '../context.ts'
import type { Closeable } from './commands.ts'
import { errorLine } from './run-command-line.ts'
import { startTracingSdk } from '../observe/tracing-sdk.ts'

/** Ends the process with `code` after closing the jobs; the first call's code wins. */
export type Stop = (code: number) => Promise<never>

/**
 * Starts the tracing SDK when configured (tracing-sdk.ts), then jobs on one context, in order, and keeps them running until SIGINT/SIGTERM, a job that
 * fails by itself, or `stop`; then closes them in reverse order and the log, and exits. A signal
 * drains (exit 0, or 1 after SHUTDOWN_TIMEOUT_MS, default 30000); a second one exits at once. A job
 * that fails to start closes those already started and the log, and rejects with its error.
 */
export async function serve(
  ctx: AppContext,
  start: Array<(ctx: AppContext) => Promise<Closeable> | Closeable>,
): Promise<Stop> {
  const running: Closeable[] = []
  const stopTracing = startTracingSdk()
  const closeAll = async (): Promise<void> => {
    for (const job of running.reverse())
      await job.close().catch((err: unknown) => console.error(`closing: ${errorLine(err)}`))
    await ctx.log.close()
    await stopTracing?.().catch((err) => console.error(err))
  }
  let closing: Promise<void> | undefined
  const drain = (): Promise<void> => (closing ??= closeAll())
  let stopping: Promise<never> | undefined
  const stop: Stop = (code) =>
    (stopping ??= (async () => {
      await drain()
      process.exit(code)
    })())
  shutdownOnSignals(drain, { timeoutMs: shutdownTimeoutMs() })
  try {
    for (const start1 of start) {
      const job = await start1(ctx)
      running.push(job)
      job.done?.catch(async (err: unknown) => {
        // One line, as for a job that fails to start (runCommandLine); TRIBUTARY_DEBUG=1: the stack.
        console.error(`job failed: ${errorLine(err)}`)
        if (process.env['TRIBUTARY_DEBUG']) console.error((err as Error).stack)
        await stop(1)
      })
    }
  } catch (err) {
    await closeAll()
    throw err
  }
  ctx.streams?.done.catch(async (err) => {
    console.error(`streams failed: ${String(err)}`)
    await stop(1)
  })
  return stop
}

function shutdownTimeoutMs(): number {
  const value = Number(process.env['SHUTDOWN_TIMEOUT_MS'] ?? 30_000)
  if (Number.isInteger(value) && value > 0) return value
  throw new TributaryError(
    'CONFIG',
    'SHUTDOWN_TIMEOUT_MS must be a positive number of milliseconds, e.g. 30000',
  )
}
