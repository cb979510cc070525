/**
 * Storage problems an operator must see: what the log or a state store recovered from, set aside or
 * failed to write. A component reports each problem once, when it happens; health endpoints list
 * them (and report not-ok) until an operator acknowledges them. Reporting never throws.
 */
export type StorageProblemKind =
  | 'recovered-with-loss' // recovery dropped bytes that were not a torn tail (names what was lost)
  | 'segment-quarantined' // a damaged file was moved aside (names the file and where it went)
  | 'commit-failed' // a write of a commit failed (ENOSPC, EIO, EROFS); names the path
  | 'store-rebuilt' // a damaged state store was set aside and rebuilt from its changelog
  | 'offset-out-of-range' // a stored offset is beyond the log end

export interface StorageProblem {
  readonly kind: StorageProblemKind
  /** The file or directory concerned. */
  readonly path: string
  /** One line for an operator: what happened and what to do. */
  readonly message: string
  /** Epoch milliseconds when it was reported. */
  readonly at: number
}

/** A list of unacknowledged problems, shared by the components of one process or app. */
export class StorageProblems {
  private problems: StorageProblem[] = []
  private readonly listeners = new Set<(problem: StorageProblem) => void>()
  private readonly totals = new Map<StorageProblemKind, number>()

  report(kind: StorageProblemKind, path: string, message: string): void {
    const problem = { kind, path, message, at: Date.now() }
    this.problems.push(problem)
    this.totals.set(kind, (this.totals.get(kind) ?? 0) + 1)
    for (const listener of this.listeners) {
      try {
        listener(problem)
      } catch {
        // a listener's failure must not turn a reported problem into a crash
      }
    }
  }

  list(): readonly StorageProblem[] {
    return this.problems
  }

  /** Problems reported so far by kind, acknowledged or not (a counter for metrics). */
  counts(): ReadonlyMap<StorageProblemKind, number> {
    return this.totals
  }

  /** Clears the list (an operator has seen it); returns what was cleared. */
  acknowledge(): readonly StorageProblem[] {
    const cleared = this.problems
    this.problems = []
    return cleared
  }

  /** Calls `listener` for every later report; returns the unsubscribe function. */
  onReport(listener: (problem: StorageProblem) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
