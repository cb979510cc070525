import { TributaryError } from '../../errors.ts'
import type { PartitionOffset } from '../log.ts'
import type { DataDir } from './data-dir.ts'
import type { Journal } from './journal.ts'
import type { MetadataEntry } from './metadata-entry.ts'
import type { PartitionLog } from './partition-log.ts'
import { retentionStart } from './retention.ts'
import type { TopicRegistry } from './topic-registry.ts'
import { deletes } from './topic-settings.ts'

/**
 * Moves partitions' log start offsets: by retention and by deleteRecordsBefore. A log start is
 * acknowledged data (records below it are deleted for good), so each move is durable in two places
 * before any segment below it is deleted: a journal entry (synced), then a mark in the partition's
 * directory (an empty file named after the offset, see DataDir.markLogStart: there is nothing in
 * it to damage). Recovery takes the highest of the two (see recoverPartition), so the log start
 * comes back exactly when either survives (the journal's damaged tail cut off, or a mark lost):
 * it never goes backwards (deleted records never come back) and never points before the data
 * that is there. With both lost, a first segment after the recovered start refuses to open
 * naming it. Storage failures are thrown (the broker's guard stops the log); a move that failed
 * may have taken effect.
 */
export class LogStarts {
  constructor(
    private readonly journal: Journal,
    private readonly registry: TopicRegistry,
    private readonly dataDir: DataDir | null,
  ) {}

  /** Deletes what retention says is due (see retentionStart) in every partition of topics whose
   *  cleanup policy deletes. */
  enforceRetention(now: number): void {
    for (const topic of this.registry.all()) {
      if (!deletes(topic.description.cleanupPolicy)) continue
      for (const log of topic.partitions) {
        const due = retentionStart(log, topic.settings, now)
        if (due === undefined) continue
        if (due.rollFirst) log.rollSegment(now)
        this.move(log, due.start)
      }
    }
  }

  /**
   * Kafka's DeleteRecords: each partition's log start offset moves up to the offset (never down;
   * at most its high watermark, else code LOG naming it, before anything moved), and its segments
   * wholly below it are deleted. Consumers below the new start continue from it (EmbeddedConsumer).
   */
  deleteRecordsBefore(offsets: readonly PartitionOffset[]): void {
    const moves = offsets.map((o) => {
      const log = this.registry.partition(o)
      if (!Number.isSafeInteger(o.offset) || o.offset < 0 || o.offset > log.nextOffset) {
        throw new TributaryError(
          'LOG',
          `deleteRecordsBefore ${o.topic}-${o.partition}: offset ${o.offset} is not between 0 and the high watermark ${log.nextOffset}`,
        )
      }
      return { log, offset: o.offset }
    })
    for (const { log, offset } of moves) if (offset > log.startOffset) this.move(log, offset)
  }

  /** The journal entries of every partition whose log start is not 0 (journal snapshot). */
  snapshot(): MetadataEntry[] {
    const entries: MetadataEntry[] = []
    for (const t of this.registry.all())
      for (const p of t.partitions)
        if (p.startOffset > 0)
          entries.push({ t: 'log-start', topic: p.topic, partition: p.partition, offset: p.startOffset })
    return entries
  }

  private move(log: PartitionLog, start: number): void {
    this.journal.append({ t: 'log-start', topic: log.topic, partition: log.partition, offset: start }, true)
    this.dataDir?.markLogStart(log.topic, log.partition, start, log.startOffset)
    const below = log.advanceStart(start)
    log.store?.remove(below)
  }
}
