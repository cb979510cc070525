import { EmbeddedLog, TributaryError, shutdownOnSignals, storageErrorOf } from 'tributary-streams'
import type { AppContext } from '../context.ts'
import type { Closeable } from './commands.ts'
import { errorLine } from './run-command-line.ts'
import { appLogger } from '../observe/app-observability.ts'
import { startTracingSdk } from '../observe/tracing-sdk.ts'

/** Ends the process with `code` after closing the jobs; the first call's code wins. */
export type Stop = (code: number) => Promise<never>

type Start = (ctx: AppContext) => Promise<Closeable> | Closeable

/** Waits before restarting the jobs after a storage failure: 1 s, doubling to 60 s while the
 *  restarted jobs keep failing within a minute. */
const FIRST_WAIT_MS = 1_000
const MAX_WAIT_MS = 60_000

/**
 * Starts the tracing SDK when configured (tracing-sdk.ts), then jobs on one context, in order, and keeps them running until SIGINT/SIGTERM, a job that
 * fails by itself, or `stop`; then closes them in reverse order and the log, and exits. A signal
 * drains (exit 0, or 1 after SHUTDOWN_TIMEOUT_MS, default 30000); a second one exits at once. A job
 * that fails to start closes those already started and the log, and rejects with its error.
 *
 * A job that fails with a storage error (ENOSPC, EDQUOT, EIO, EROFS: the commit it was making
 * failed whole) stops the process too, unless `ctx.storageErrors` is 'retry'
 * (TRIBUTARY_STORAGE_ERRORS=retry): then the process stays up (the dashboard and /health keep
 * answering, the failure listed as a storage problem) and the pipeline jobs (those with a `done`:
 * streams, sink, producer) are closed and, after a wait, started again in order on the reopened
 * log, as a restart would, until they run, without limit; then the other jobs (the dashboard)
 * start again too.
 */
export async function serve(ctx: AppContext, start: Start[]): Promise<Stop> {
  const running: Array<{ start: Start; job: Closeable }> = []
  const stopTracing = startTracingSdk()
  const closeAll = async (): Promise<void> => {
    for (const { job } of running.reverse())
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
  shutdownOnSignals(drain, { timeoutMs: shutdownTimeoutMs(), logger: appLogger() })

  // Jobs of an older generation were closed by a storage restart: their failures are expected.
  let generation = 0
  const failed = async (err: unknown, of: number): Promise<void> => {
    if (of !== generation) return
    if (ctx.storageErrors === 'retry' && storageErrorOf(err) !== undefined) return restart(err)
    // One line, as for a job that fails to start (runCommandLine); TRIBUTARY_DEBUG=1: the stack.
    console.error(`job failed: ${errorLine(err)}`)
    if (process.env['TRIBUTARY_DEBUG']) console.error((err as Error).stack)
    await stop(1)
  }
  const watch = (job: Closeable): void => {
    const of = generation
    job.done?.catch((err: unknown) => failed(err, of))
  }

  let restarting: Promise<void> | undefined
  let waitMs = FIRST_WAIT_MS
  let restartedAt = 0
  const restart = (err: unknown): Promise<void> =>
    (restarting ??= (async () => {
      generation++
      waitMs = Date.now() - restartedAt < MAX_WAIT_MS ? Math.min(waitMs * 2, MAX_WAIT_MS) : FIRST_WAIT_MS
      console.error(
        `storage failure: ${errorLine(err)}; the commit failed whole, nothing of it is acknowledged; restarting the pipeline jobs once the disk takes writes (TRIBUTARY_STORAGE_ERRORS=retry)`,
      )
      const logStopped = ctx.log instanceof EmbeddedLog && ctx.log.failure !== null
      // The embedded log reports its own failures; a state store's is reported here.
      if (!logStopped)
        ctx.storageProblems?.report('commit-failed', storageErrorOf(err)?.path ?? ctx.dataDir, errorLine(err))
      const pipeline = running.filter((r) => r.job.done !== undefined)
      for (const r of [...pipeline].reverse()) await r.job.close().catch(() => {})
      for (;;) {
        await sleepUnless(waitMs, () => closing !== undefined)
        if (closing !== undefined) return
        try {
          if (ctx.log instanceof EmbeddedLog && ctx.log.failure !== null) await ctx.log.reopen()
          for (const r of pipeline) {
            r.job = await r.start(ctx)
            watch(r.job)
          }
          // The others (the dashboard) answered through the wait; their log clients were closed
          // by the reopen, so they start again too, on the new jobs.
          for (const r of running.filter((o) => o.job.done === undefined)) {
            await r.job.close().catch(() => {})
            r.job = await r.start(ctx)
          }
          restartedAt = Date.now()
          console.error('storage takes writes again: the pipeline jobs are running')
          return
        } catch (again) {
          if (storageErrorOf(again) === undefined) return failed(again, generation)
          generation++
          for (const r of [...pipeline].reverse()) await r.job.close().catch(() => {})
          waitMs = Math.min(waitMs * 2, MAX_WAIT_MS)
          console.error(`storage still failing: ${errorLine(again)}; retrying in ${waitMs} ms`)
        }
      }
    })().finally(() => (restarting = undefined)))

  try {
    for (const start1 of start) {
      const job = await start1(ctx)
      running.push({ start: start1, job })
      watch(job)
    }
  } catch (err) {
    await closeAll()
    throw err
  }
  return stop
}

/** Resolves after `ms`, or sooner once `stop()` says so (checked every 100 ms). */
async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const until = Date.now() + ms
  while (!stop() && Date.now() < until)
    await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())))
}

function shutdownTimeoutMs(): number {
  const value = Number(process.env['SHUTDOWN_TIMEOUT_MS'] ?? 30_000)
  if (Number.isInteger(value) && value > 0) return value
  throw new TributaryError(
    'CONFIG',
    'SHUTDOWN_TIMEOUT_MS must be a positive number of milliseconds, e.g. 30000',
  )
}
