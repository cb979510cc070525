import { TributaryError } from '../../errors.ts'
import { compactRound, shouldCompact, StaleRound } from './compactor.ts'
import { InFlight } from './in-flight.ts'
import type { PartitionLog } from './partition-log.ts'
import type { Topic, TopicRegistry } from './topic-registry.ts'
import { compacts } from './topic-settings.ts'

/**
 * When the partitions of compacted topics are compacted: by themselves, on a later turn, once a
 * partition has `afterEntries` new entries (see shouldCompact; 0 = never), one round at a time
 * (see compactRound) until it is clean, and all at once on request. Each round holds at most
 * about `bufferBytes` of keys and yields to other work between slices. A partition's rounds run
 * one at a time (automatic and requested ones queue behind each other). `run` executes each round
 * as a call that writes to disk (see Broker.guardAsync); `ensureOpen` throws once the log stopped
 * or closed, which stops a round at its next slice. A failed automatic round is a warning; a
 * stale one (see StaleRound) runs again. `saved` is called after each round that moved the
 * partition's checkpoint (its segments installed), to persist it.
 */
export class CompactionScheduler {
  private readonly queue = new Set<PartitionLog>()
  /** The end of the compaction work queued for each partition (never rejects). */
  private readonly running = new Map<PartitionLog, Promise<void>>()
  private closing = false

  constructor(
    private readonly registry: TopicRegistry,
    private readonly afterEntries: number,
    private readonly bufferBytes: number,
    private readonly run: <T>(compaction: () => Promise<T>) => Promise<T>,
    private readonly ensureOpen: () => void,
    private readonly warn: (message: string) => void,
    private readonly saved: (log: PartitionLog) => void = () => undefined,
  ) {}

  /** Called after appends to `log`: schedules its compaction when it is due. */
  appended(log: PartitionLog): void {
    if (this.afterEntries <= 0 || this.closing || this.queue.has(log)) return
    const topic = this.registry.find(log.topic)
    if (topic === undefined || !compacts(topic.description.cleanupPolicy)) return
    if (shouldCompact(log, this.afterEntries)) this.schedule(log, true)
  }

  /** Runs a round of `log`'s compaction on a later turn, and the next ones after it. */
  private schedule(log: PartitionLog, first: boolean): void {
    this.queue.add(log)
    setImmediate(() => {
      const topic = this.registry.find(log.topic)
      if (!this.queue.delete(log) || log.deleted || topic === undefined) return
      this.exclusive(log, () => this.round(log, topic, first)).then(
        ({ more }) => {
          if (more) this.schedule(log, false)
        },
        (err: unknown) => {
          if (err instanceof StaleRound) this.schedule(log, first)
          else if (!this.closing && !log.deleted)
            this.warn(`tributary: compaction of ${log.topic}-${log.partition} failed: ${String(err)}`)
        },
      )
    })
  }

  /** Compacts every partition of compacted topics (or only `topic`), one after the other.
   *  Resolves with the entries removed. */
  async compactNow(topic?: string): Promise<number> {
    const topics = topic === undefined ? [...this.registry.all()] : [this.registry.get(topic)]
    let removed = 0
    for (const t of topics) {
      if (!compacts(t.description.cleanupPolicy)) continue
      for (const p of t.partitions) removed += await this.exclusive(p, () => this.rounds(p, t))
    }
    return removed
  }

  /** Stops scheduling, and resolves true once the round running now (if any) stopped at its next
   *  slice, leaving the log consistent (see compactRound); false after `timeoutMs` without (a
   *  disk that never answers its sync must not hang close). */
  async close(timeoutMs: number): Promise<boolean> {
    this.closing = true
    this.queue.clear()
    return new InFlight().settled(timeoutMs, [...this.running.values()])
  }

  /** Cancels the scheduled compaction of `log` (its topic is deleted; a running round stops at
   *  its next slice). */
  forget(log: PartitionLog): void {
    this.queue.delete(log)
  }

  /** Rounds of `log`'s compaction until it is clean (a stale round runs again; a topic deleted
   *  meanwhile ends them). */
  private async rounds(log: PartitionLog, topic: Topic): Promise<number> {
    let removed = 0
    let first = true
    for (;;) {
      try {
        const round = await this.round(log, topic, first)
        removed += round.removed
        if (!round.more) return removed
        first = false
      } catch (err) {
        if (log.deleted) return removed
        if (!(err instanceof StaleRound)) throw err
      }
    }
  }

  /** Runs one round of `log`'s compaction (see compactRound), then saves its checkpoint. */
  private async round(
    log: PartitionLog,
    topic: Topic,
    first: boolean,
  ): Promise<{ removed: number; more: boolean }> {
    const settings = { bufferBytes: this.bufferBytes, deleteRetentionMs: topic.settings.deleteRetentionMs }
    const cleaned = log.cleaner.firstDirtyOffset
    const check = (): void => {
      if (this.closing || log.deleted)
        throw new TributaryError(
          'CLOSED',
          `compaction of ${log.topic}-${log.partition} stopped: the log or topic closed`,
        )
      this.ensureOpen()
    }
    const round = await this.run(() => compactRound(log, settings, first, check))
    // Saved unless the topic went meanwhile (a new one of that name gets none of this) or the log
    // stopped (it writes nothing more); a closing log still holds its directory. A deletion during
    // the round stops it at its next check; `log.deleted` here is defensive, for one in the
    // microtasks between its last check and here (no test drives that window).
    if (log.deleted || log.cleaner.firstDirtyOffset === cleaned) return round
    this.ensureOpen()
    this.saved(log)
    return round
  }

  /** Runs `work` on `log` after the compaction work queued for it before. */
  private exclusive<T>(log: PartitionLog, work: () => Promise<T>): Promise<T> {
    const result = (this.running.get(log) ?? Promise.resolve()).then(work)
    const done = result.then(
      () => undefined,
      () => undefined,
    )
    this.running.set(log, done)
    void done.then(() => {
      if (this.running.get(log) === done) this.running.delete(log)
    })
    return result
  }
}
