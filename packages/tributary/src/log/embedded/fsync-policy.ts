import type { Journal } from './journal.ts'
import type { PartitionLog } from './partition-log.ts'

export type FsyncMode = 'always' | 'interval' | 'never'

/**
 * When appended bytes reach the disk. 'always': before `send`/`commit` resolves. 'interval':
 * every `intervalMs` (a crash of the machine loses at most that window; a crash of the process
 * loses nothing, the bytes are in the OS). 'never': left to the OS. Transaction decisions are
 * synced (data first, then decision) in every mode but 'never', since they make data visible.
 */
export class FsyncPolicy {
  private readonly dirty = new Set<PartitionLog>()
  private readonly timer: NodeJS.Timeout | undefined

  constructor(
    readonly mode: FsyncMode,
    intervalMs: number,
    private readonly journal: Journal,
    durable: boolean,
    /** Gets a failed timed flush (the owner stops the log; the error is reported there). */
    onFailure: (err: unknown) => void,
  ) {
    if (durable && mode === 'interval') {
      this.timer = setInterval(() => {
        try {
          this.flush()
        } catch (err) {
          this.close()
          try {
            onFailure(err)
          } catch {
            // onFailure rethrows after recording; a timer has no caller to tell
          }
        }
      }, intervalMs)
      this.timer.unref()
    }
  }

  /** Called after each append to a partition that has a file. */
  appended(partition: PartitionLog): void {
    if (partition.file === null) return
    if (this.mode === 'always') partition.file.sync()
    else if (this.mode === 'interval') this.dirty.add(partition)
  }

  /** Whether journal entries must be synced as they are written (offset commits). */
  get syncEachEntry(): boolean {
    return this.mode === 'always'
  }

  /** Whether transaction decisions (and the data they cover) are synced before taking effect. */
  get syncDecisions(): boolean {
    return this.mode !== 'never'
  }

  /** Makes a transaction's data durable before its decision is recorded. */
  beforeDecision(partitions: Iterable<PartitionLog>): void {
    if (!this.syncDecisions) return
    for (const p of partitions) {
      p.file?.sync()
      this.dirty.delete(p)
    }
  }

  /** Syncs every partition appended to since the last flush, then the journal. */
  flush(): void {
    for (const p of this.dirty) {
      p.file?.sync()
      this.dirty.delete(p)
    }
    this.journal.sync()
  }

  forget(partition: PartitionLog): void {
    this.dirty.delete(partition)
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.dirty.clear()
  }
}
