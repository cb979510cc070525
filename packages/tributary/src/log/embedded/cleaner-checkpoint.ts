/** Runs of first-clean times a checkpoint keeps at most (older ones merge: see advance). */
export const MAX_CLEAN_RUNS = 32

/**
 * What compaction has cleaned in one partition (Kafka's cleaner checkpoint, plus the delete
 * horizon KIP-534 stores in each rewritten batch): the first dirty offset, below which every
 * entry has been cleaned, and when each offset below it was first cleaned, as runs of offsets
 * ending at `ends[i]` (exclusive, increasing) first cleaned at `times[i]`. A tombstone may go once
 * delete.retention.ms has passed since its first clean (see CleanRange).
 *
 * Times are only ever made later than they were, never earlier: merging runs keeps the later
 * time, and a checkpoint that is lost (a missing or damaged file: see cleaner-checkpoint-file.ts)
 * makes everything dirty again, so the next compaction cleans it anew at its own time. Either
 * keeps a tombstone longer, never shorter.
 */
export class CleanerCheckpoint {
  private ends: number[] = []
  private times: number[] = []
  /** The earliest first-clean time of a tombstone the last completed round kept below the first
   *  dirty offset (Infinity: none); -Infinity when not known (restored from a file). */
  private keptSince = Infinity

  /** Offsets below it have been cleaned at least once. */
  get firstDirtyOffset(): number {
    return this.ends.at(-1) ?? 0
  }

  /** Runs as [end, time] pairs, oldest first (what a checkpoint file holds). */
  get runs(): [number, number][] {
    return this.ends.map((end, i) => [end, this.times[i]!])
  }

  /** When `offset` was first cleaned; undefined at or above the first dirty offset. */
  cleanedAt(offset: number): number | undefined {
    let lo = 0
    let hi = this.ends.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.ends[mid]! > offset) hi = mid
      else lo = mid + 1
    }
    return this.times[lo]
  }

  /** Whether a tombstone below the first dirty offset may have been first cleaned at or before
   *  `time` (a round may remove it), so a partition with nothing dirty is read only then. */
  tombstonesDue(time: number): boolean {
    return this.keptSince <= time && this.times.some((t) => t <= time)
  }

  /** A round that completed kept tombstones below the first dirty offset first cleaned at
   *  `since` at the earliest (Infinity: none). */
  keptTombstones(since: number): void {
    this.keptSince = since
  }

  /**
   * A compaction round at `now` cleaned every offset below `end` (at or after the first dirty
   * offset: no change below it). Runs below `start` (the log start) are dropped; runs whose
   * tombstones may all go by now (`deleteRetentionMs` ago) merge into one, and beyond
   * MAX_CLEAN_RUNS the two closest in time merge, so a checkpoint stays small.
   */
  advance(end: number, now: number, start: number, deleteRetentionMs: number): void {
    if (end <= this.firstDirtyOffset) return
    const last = this.ends.length - 1
    if (last >= 0 && this.times[last] === now) this.ends[last] = end
    else {
      this.ends.push(end)
      this.times.push(now)
    }
    while (this.ends.length > 1 && this.ends[0]! <= start) this.drop(0)
    while (this.ends.length > 1 && this.times[1]! <= now - deleteRetentionMs) this.drop(0)
    while (this.ends.length > MAX_CLEAN_RUNS) this.drop(this.closestInTime())
  }

  /** Takes the runs of a checkpoint file that readCheckpoint accepted. */
  restore(runs: readonly (readonly [number, number])[]): void {
    this.ends = runs.map(([end]) => end)
    this.times = runs.map(([, time]) => time)
    this.keptSince = -Infinity
  }

  /** Merges run `i` into the next one, which keeps its end and the later of both times. */
  private drop(i: number): void {
    this.times[i + 1] = Math.max(this.times[i]!, this.times[i + 1]!)
    this.ends.splice(i, 1)
    this.times.splice(i, 1)
  }

  /** The run whose time is closest to the next one's. */
  private closestInTime(): number {
    let best = 0
    for (let i = 1; i < this.times.length - 1; i++)
      if (this.times[i + 1]! - this.times[i]! < this.times[best + 1]! - this.times[best]!) best = i
    return best
  }
}
