import type { Admin, PartitionOffset } from '../log/log.ts'
import type { Logger } from '../logger.ts'
import type { Topology } from '../topology/topology.ts'
import type { ResolvedConfig } from './streams-config.ts'
import type { TopicNames } from './topic-plan.ts'

/**
 * Deletes what the app has consumed and committed from its repartition topics, at most every
 * `intervalMs` (as Kafka Streams' repartition.purge.interval.ms): those topics keep records
 * forever by time (retention.ms -1, so old event times are never dropped unread) and would
 * otherwise only grow. Only on logs that can delete records (Kafka); a failure is logged and
 * retried at the next purge.
 */
export class RepartitionPurge {
  /** The first purge comes one interval after the start. */
  private last = Date.now()

  constructor(
    private readonly admin: Admin,
    private readonly repartitionTopics: ReadonlySet<string>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** The purge of `topology`'s repartition topics (physical names) with the app's settings. */
  static of(
    topology: Topology,
    names: TopicNames,
    admin: Admin,
    config: Pick<ResolvedConfig, 'repartitionPurgeIntervalMs'>,
    logger: Logger,
  ): RepartitionPurge {
    const topics = [...topology.internalTopics.values()]
      .filter((t) => t.kind === 'repartition')
      .map((t) => names.resolve(t.name))
    return new RepartitionPurge(admin, new Set(topics), config.repartitionPurgeIntervalMs, logger)
  }

  /** Called after a commit with the input offsets it committed. */
  async afterCommit(committed: readonly PartitionOffset[], now: number): Promise<void> {
    if (this.admin.deleteRecordsBefore === undefined || now - this.last < this.intervalMs) return
    const offsets = committed.filter((o) => this.repartitionTopics.has(o.topic))
    if (offsets.length === 0) return
    this.last = now
    await this.admin
      .deleteRecordsBefore(offsets)
      .catch((err: unknown) => this.logger.warn({ err: String(err) }, 'purging repartition topics failed'))
  }
}
