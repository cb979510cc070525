import { compactPartition, shouldCompact } from './compactor.ts'
import type { PartitionLog } from './partition-log.ts'
import type { TopicRegistry } from './topic-registry.ts'
import { compacts } from './topic-settings.ts'

/**
 * When the partitions of compacted topics are compacted: by themselves, on a later turn, once a
 * partition has `afterEntries` new entries (see shouldCompact; 0 = never), and all at once on
 * request. `run` executes each compaction as a call that writes to disk (see Broker.guard); a
 * failed automatic one is a warning.
 */
export class CompactionScheduler {
  private readonly queue = new Set<PartitionLog>()

  constructor(
    private readonly registry: TopicRegistry,
    private readonly afterEntries: number,
    private readonly run: (compaction: () => number) => number,
    private readonly warn: (message: string) => void,
  ) {}

  /** Called after appends to `log`: schedules its compaction when it is due. */
  appended(log: PartitionLog): void {
    if (this.afterEntries <= 0 || this.queue.has(log)) return
    const topic = this.registry.find(log.topic)
    if (topic === undefined || !compacts(topic.description.cleanupPolicy)) return
    if (!shouldCompact(log, this.afterEntries)) return
    this.queue.add(log)
    setImmediate(() => {
      if (!this.queue.delete(log) || log.deleted) return
      try {
        this.run(() => compactPartition(log))
      } catch (err) {
        this.warn(`tributary: compaction of ${log.topic}-${log.partition} failed: ${String(err)}`)
      }
    })
  }

  /** Compacts every partition of compacted topics (or only `topic`). Returns entries removed. */
  compactNow(topic?: string): number {
    const topics = topic === undefined ? [...this.registry.all()] : [this.registry.get(topic)]
    let removed = 0
    for (const t of topics) {
      if (!compacts(t.description.cleanupPolicy)) continue
      for (const p of t.partitions) removed += this.run(() => compactPartition(p))
    }
    return removed
  }

  /** Cancels the scheduled compaction of `log` (its topic is deleted). */
  forget(log: PartitionLog): void {
    this.queue.delete(log)
  }

  /** Cancels every scheduled compaction (the log closes). */
  close(): void {
    this.queue.clear()
  }
}
