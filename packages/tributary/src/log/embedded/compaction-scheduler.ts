import { compactRound, shouldCompact } from './compactor.ts'
import type { PartitionLog } from './partition-log.ts'
import type { Topic, TopicRegistry } from './topic-registry.ts'
import { compacts } from './topic-settings.ts'

/**
 * When the partitions of compacted topics are compacted: by themselves, on a later turn, once a
 * partition has `afterEntries` new entries (see shouldCompact; 0 = never), one round per turn
 * (see compactRound) until it is clean, and all at once on request. Each round holds at most
 * about `bufferBytes` of keys. `run` executes each compaction as a call that writes to disk (see
 * Broker.guard); a failed automatic one is a warning. `saved` is called after each round that
 * moved the partition's checkpoint (its segments installed), to persist it.
 */
export class CompactionScheduler {
  private readonly queue = new Set<PartitionLog>()

  constructor(
    private readonly registry: TopicRegistry,
    private readonly afterEntries: number,
    private readonly bufferBytes: number,
    private readonly run: <T>(compaction: () => T) => T,
    private readonly warn: (message: string) => void,
    private readonly saved: (log: PartitionLog) => void = () => undefined,
  ) {}

  /** Called after appends to `log`: schedules its compaction when it is due. */
  appended(log: PartitionLog): void {
    if (this.afterEntries <= 0 || this.queue.has(log)) return
    const topic = this.registry.find(log.topic)
    if (topic === undefined || !compacts(topic.description.cleanupPolicy)) return
    if (shouldCompact(log, this.afterEntries)) this.schedule(log, true)
  }

  /** Runs a round of `log`'s compaction on a later turn, and the next ones on the turns after. */
  private schedule(log: PartitionLog, first: boolean): void {
    this.queue.add(log)
    setImmediate(() => {
      const topic = this.registry.find(log.topic)
      if (!this.queue.delete(log) || log.deleted || topic === undefined) return
      try {
        const { more } = this.round(log, topic, first)
        if (more) this.schedule(log, false)
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
      for (const p of t.partitions) {
        let round = this.round(p, t, true)
        removed += round.removed
        while (round.more) {
          round = this.round(p, t, false)
          removed += round.removed
        }
      }
    }
    return removed
  }

  /** Runs one round of `log`'s compaction (see compactRound), then saves its checkpoint. */
  private round(log: PartitionLog, topic: Topic, first: boolean): { removed: number; more: boolean } {
    const settings = { bufferBytes: this.bufferBytes, deleteRetentionMs: topic.settings.deleteRetentionMs }
    const cleaned = log.cleaner.firstDirtyOffset
    const round = this.run(() => compactRound(log, settings, first))
    if (log.cleaner.firstDirtyOffset !== cleaned) this.saved(log)
    return round
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
