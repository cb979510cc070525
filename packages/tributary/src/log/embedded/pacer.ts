import { setImmediate as nextTurn } from 'node:timers/promises'
import { TributaryError } from '../../errors.ts'
import type { ConsumerRecord } from '../log.ts'
import type { PartitionLog } from './partition-log.ts'

/** How long compaction works before it lets the event loop run other work. */
const SLICE_MS = 10

/**
 * Splits long work (a compaction round) into slices of about `sliceMs`, so appends, reads and
 * commits interleave with it instead of waiting seconds for it. Between slices it yields one turn
 * of the event loop (setImmediate: timers and I/O callbacks run first), then calls `check`, which
 * throws when what the work relies on changed meanwhile (the log closed, ...): the work stops
 * there.
 */
export class Pacer {
  private sliceStart = performance.now()
  private calls = 0

  constructor(
    private readonly check: () => void,
    private readonly sliceMs = SLICE_MS,
  ) {}

  /** Whether the current slice is used up (looks at the clock every 64 calls). */
  due(): boolean {
    if ((++this.calls & 63) !== 0) return false
    return performance.now() - this.sliceStart >= this.sliceMs
  }

  /** Lets other work run, then checks (throws) that the work may go on. */
  async pause(): Promise<void> {
    await nextTurn()
    this.check()
    this.sliceStart = performance.now()
  }

  /** Whether `check` says the work stopped because the log is closing or closed (code CLOSED). */
  closed(): boolean {
    try {
      this.check()
      return false
    } catch (err) {
      return err instanceof TributaryError && err.code === 'CLOSED'
    }
  }
}

/** Receives an entry of a paced scan; returns false to stop. */
export type PacedVisitor = (
  offset: number,
  kind: number,
  txn: number,
  record: ConsumerRecord | undefined,
) => boolean

/**
 * PartitionLog.scan over `[from, to)` in slices (see Pacer): where a slice is used up, the scan
 * stops, pauses, and goes on from the next entry. Resolves false when `visit` stopped it.
 */
export async function scanPaced(
  log: PartitionLog,
  from: number,
  to: number,
  visit: PacedVisitor,
  pacer: Pacer,
): Promise<boolean> {
  for (;;) {
    let next = -1
    let stopped = false
    log.scan(from, to, (offset, kind, txn, record) => {
      if (pacer.due()) {
        next = offset
        return false
      }
      stopped = !visit(offset, kind, txn, record)
      return !stopped
    })
    if (next < 0) return !stopped
    await pacer.pause()
    from = next
  }
}
