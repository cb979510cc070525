// One system's process under measurement. Progress is read from outside, the same way for every
// system: the group's committed offsets on its source topics (a committed offset means the
// records before it are processed and their outputs durable, under either guarantee).
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import type { Log } from 'tributary-streams'
import { committedRecords, repartitionBacklog } from './broker.ts'
import { cpuSeconds, peakRssMb } from './process-meter.ts'

const POLL_MS = 100
/** A run fails when its committed offsets do not move for this long. */
const STALL_MS = 120_000

export interface Launch {
  readonly command: string
  readonly args: readonly string[]
  readonly cwd: string
  readonly env: Record<string, string>
  readonly logFile: string
}

/** From the first commit observed to the target: the processing part of a run. */
export interface Processing {
  readonly startupS: number
  readonly seconds: number
  readonly records: number
  readonly cpuS: number
  readonly peakRssMb: number
}

export class MeasuredProcess {
  private readonly child: ChildProcess
  private readonly started = performance.now()
  private exit: { code: number | null; signal: string | null } | undefined
  private readonly exited: Promise<void>

  constructor(
    launch: Launch,
    private readonly log: Log,
    private readonly group: string,
    private readonly sources: readonly string[],
    /** Whether a commit marker may end each repartition partition (exactly-once). */
    private readonly markers: boolean,
  ) {
    const out = createWriteStream(launch.logFile, { flags: 'a' })
    this.child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child.stdout!.pipe(out)
    this.child.stderr!.pipe(out)
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal }
        resolve()
      }),
    )
  }

  /**
   * Waits until the group has committed `target` records of the sources and all of its
   * repartition topics. Start-up ends at the first commit seen above `from` (the committed count
   * when this process started).
   */
  async processUntil(target: number, from: number, logFile: string): Promise<Processing> {
    const pid = this.child.pid!
    let first: { at: number; committed: number; cpu: number } | undefined
    let last = { at: performance.now(), committed: from }
    while (true) {
      await new Promise((r) => setTimeout(r, POLL_MS))
      if (this.exit !== undefined)
        throw new Error(`the process exited early (${JSON.stringify(this.exit)}); see ${logFile}`)
      const committed = await committedRecords(this.log, this.group, this.sources)
      const now = performance.now()
      if (committed > last.committed) last = { at: now, committed }
      else if (now - last.at > STALL_MS)
        throw new Error(`no progress for ${STALL_MS / 1000}s at ${committed}/${target}; see ${logFile}`)
      if (first === undefined && committed > from) first = { at: now, committed, cpu: cpuSeconds(pid) ?? 0 }
      const drained = () => repartitionBacklog(this.log, this.group, this.markers).then((n) => n === 0)
      if (first !== undefined && committed >= target && (await drained())) {
        return {
          startupS: (first.at - this.started) / 1000,
          seconds: (now - first.at) / 1000,
          records: committed - first.committed,
          cpuS: (cpuSeconds(pid) ?? 0) - first.cpu,
          peakRssMb: peakRssMb(pid) ?? 0,
        }
      }
    }
  }

  /** SIGTERM, then the seconds until the process has closed (its final commit) and exited. */
  async stop(timeoutMs = 120_000): Promise<number> {
    const t0 = performance.now()
    if (this.exit === undefined) this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    await this.exited
    clearTimeout(timer)
    return (performance.now() - t0) / 1000
  }
}
