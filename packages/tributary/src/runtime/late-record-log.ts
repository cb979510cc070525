import type { Logger } from '../logger.ts'
import type { LateRecordDetails } from '../topology/processor.ts'
import type { TimeWindow } from '../windowed.ts'

/** How many (processor, window) pairs a task remembers (warned about, and counted per window). */
const WINDOWS_CAP = 1024

/** Late records of one processor in one window (`window` absent: the processor gave none). */
export interface LateWindow {
  readonly task: string
  readonly processor: string
  readonly window?: TimeWindow
  /** Late records dropped from this window so far. */
  readonly records: number
  /** The largest stream time minus record time among them. */
  readonly maxLatenessMs: number
  /** Stream time when the last of them came. */
  readonly lastStreamTime: number
}

/**
 * The late records of one task: counted per processor and per (processor, window), and a warning
 * with the window, the record's time and how far behind stream time it was, at most once per
 * processor and window (a backlog dropped as late must never be silent, nor flood the log). The
 * per-window counts keep the WINDOWS_CAP most recent windows.
 */
export class LateRecordLog {
  /** Late records per processor name. */
  readonly byProcessor = new Map<string, number>()
  private readonly byWindow = new Map<string, LateWindow>()

  constructor(
    private readonly taskId: string,
    private readonly logger: Logger,
  ) {}

  /** Counts a late record of `processor`; logs it (with `origin`: its correlation fields) once per window. */
  record(
    processor: string,
    streamTime: number,
    details: LateRecordDetails | undefined,
    origin: Record<string, unknown> = { task: this.taskId },
  ): void {
    this.byProcessor.set(processor, (this.byProcessor.get(processor) ?? 0) + 1)
    const key = `${processor}@${details?.window?.start ?? ''}`
    const lateness = details === undefined ? 0 : streamTime - details.timestamp
    const known = this.byWindow.get(key)
    if (known !== undefined) {
      this.byWindow.set(key, {
        ...known,
        records: known.records + 1,
        maxLatenessMs: Math.max(known.maxLatenessMs, lateness),
        lastStreamTime: streamTime,
      })
      return
    }
    if (this.byWindow.size >= WINDOWS_CAP) this.byWindow.delete(this.byWindow.keys().next().value!)
    this.byWindow.set(key, {
      task: this.taskId,
      processor,
      ...(details?.window === undefined ? {} : { window: details.window }),
      records: 1,
      maxLatenessMs: lateness,
      lastStreamTime: streamTime,
    })
    const timestamp = details?.timestamp
    this.logger.warn(
      {
        ...origin,
        processor,
        ...(details?.window === undefined ? {} : { window: details.window }),
        ...(timestamp === undefined ? {} : { timestamp, lateByMs: lateness }),
        streamTime,
      },
      'late record dropped: its window had closed (logged once per window; see the lateRecords metric)',
    )
  }

  /** The windows late records were dropped from, as far as remembered. */
  windows(): LateWindow[] {
    return [...this.byWindow.values()]
  }
}
