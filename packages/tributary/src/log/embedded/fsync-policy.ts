import { allDurable } from './file-sync.ts'
import type { Journal } from './journal.ts'
import type { PartitionLog } from './partition-log.ts'

export type FsyncMode = 'always' | 'interval' | 'never'

/**
 * When appended bytes reach the disk. 'always': before `send`/`commit` resolves. 'interval':
 * every `intervalMs` (a crash of the machine loses at most that window; a crash of the process
 * loses nothing, the bytes are in the OS). 'never': left to the OS. Transaction decisions are
 * synced (data first, then decision) in every mode but 'never', since they make data visible.
 * The syncs of a commit and of the interval flush run off the main thread, the partitions' in
 * parallel (see FileSync); the event loop goes on meanwhile.
 */
export class FsyncPolicy {
  private readonly dirty = new Set<PartitionLog>()
  private readonly timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> | null = null

  constructor(
    readonly mode: FsyncMode,
    intervalMs: number,
    private readonly journal: Journal,
    durable: boolean,
    /** Gets a failed timed flush (the owner stops the log; the error is reported there). */
    private readonly onFailure: (err: unknown) => void,
  ) {
    if (durable && mode === 'interval') {
      this.timer = setInterval(() => void this.flushInBackground(), intervalMs)
      this.timer.unref()
    }
  }

  /** Called after each append to a partition that has a file. */
  appended(partition: PartitionLog): void {
    if (partition.file === null) return
    if (this.mode === 'always') partition.file.sync()
    else if (this.mode === 'interval') this.dirty.add(partition)
  }

  /** As `appended` for several partitions, but 'always' syncs them off the main thread, in
   *  parallel, and resolves when they are on disk. */
  appendedAll(partitions: readonly PartitionLog[]): Promise<void> {
    if (this.mode !== 'always') {
      for (const p of partitions) this.appended(p)
      return Promise.resolve()
    }
    return syncAll(partitions)
  }

  /** Whether journal entries must be synced as they are written (offset commits). */
  get syncEachEntry(): boolean {
    return this.mode === 'always'
  }

  /** Whether transaction decisions (and the data they cover) are synced before taking effect. */
  get syncDecisions(): boolean {
    return this.mode !== 'never'
  }

  /** Makes a transaction's data durable before its decision is recorded (off the main thread,
   *  every partition at once). */
  beforeDecision(partitions: readonly PartitionLog[]): Promise<void> {
    if (!this.syncDecisions) return Promise.resolve()
    for (const p of partitions) this.dirty.delete(p)
    return syncAll(partitions)
  }

  /** Makes the journal entries written so far (a decision) durable, off the main thread. */
  decided(): Promise<void> {
    return this.syncDecisions ? this.journal.durable() : Promise.resolve()
  }

  /** Syncs every partition appended to since the last flush, then the journal (main thread). */
  flush(): void {
    for (const p of this.dirty) {
      p.file?.sync()
      this.dirty.delete(p)
    }
    this.journal.sync()
  }

  /** The timed flush: as `flush`, off the main thread; skipped while the previous one runs. */
  private async flushInBackground(): Promise<void> {
    if (this.flushing !== null) return
    const partitions = [...this.dirty]
    this.dirty.clear()
    this.flushing = syncAll(partitions).then(() => this.journal.durable())
    try {
      await this.flushing
    } catch (err) {
      this.close()
      try {
        this.onFailure(err)
      } catch {
        // onFailure rethrows after recording; a timer has no caller to tell
      }
    } finally {
      this.flushing = null
    }
  }

  forget(partition: PartitionLog): void {
    this.dirty.delete(partition)
  }

  /** Stops the timed flush; resolves when a flush still running has ended (it never fails). */
  close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.dirty.clear()
    return (this.flushing ?? Promise.resolve()).catch(() => undefined)
  }
}

/** Syncs the partitions' active files off the main thread, in parallel; a partition whose topic
 *  is deleted meanwhile counts as synced (its files are closed unsynced and removed). */
function syncAll(partitions: readonly PartitionLog[]): Promise<void> {
  return allDurable(
    partitions.flatMap((p) =>
      p.file === null
        ? []
        : [
            p.file.durable().catch((err: unknown) => {
              if (!p.deleted) throw err
            }),
          ],
    ),
  )
}
