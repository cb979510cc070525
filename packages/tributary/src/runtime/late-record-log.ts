import type { Logger } from '../logger.ts'
import type { LateRecordDetails } from '../topology/processor.ts'

/** How many (processor, window) pairs a task remembers having warned about. */
const WARNED_CAP = 1024

/**
 * The late records of one task: counted per processor, and a warning with the window, the
 * record's time and how far behind stream time it was, at most once per processor and window (a
 * backlog dropped as late must never be silent, nor flood the log).
 */
export class LateRecordLog {
  /** Late records per processor name. */
  readonly byProcessor = new Map<string, number>()
  private readonly warned = new Set<string>()

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
    if (this.warned.has(key)) return
    if (this.warned.size >= WARNED_CAP) this.warned.clear()
    this.warned.add(key)
    const timestamp = details?.timestamp
    this.logger.warn(
      {
        ...origin,
        processor,
        ...(details?.window === undefined ? {} : { window: details.window }),
        ...(timestamp === undefined ? {} : { timestamp, lateByMs: streamTime - timestamp }),
        streamTime,
      },
      'late record dropped: its window had closed (logged once per window; see the lateRecords metric)',
    )
  }
}
