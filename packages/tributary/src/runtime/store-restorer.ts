import type { Consumer, Log } from '../log/log.ts'
import type { Logger } from '../logger.ts'
import type { TopicPartition } from '../record.ts'
import type { BytesEntry } from '../state/backend.ts'
import type { BufferedKeyValueStore } from '../state/buffered-store.ts'

/** A restore under way: the changelog position reached and the offset it runs to. */
export interface RestoreProgress extends TopicPartition {
  readonly store: string
  readonly endOffset: number
  position: number
}

/**
 * Rebuilds store shards from their changelog partitions before their task processes anything:
 * reads (read_committed) from the shard's checkpoint, or the start when it has none, to the end
 * offset taken when restoring begins, applying each batch with the offset reached as checkpoint.
 */
export class StoreRestorer {
  private consumer: Consumer | undefined
  restoredRecords = 0
  /** The shard being restored now (restores run one at a time), for metrics. */
  current: RestoreProgress | undefined
  /** How often a long restore logs its progress. */
  progressIntervalMs = 5_000

  constructor(
    private readonly log: Log,
    private readonly groupId: string,
    private readonly logger: Logger,
  ) {}

  async restore(store: BufferedKeyValueStore, changelog: TopicPartition): Promise<void> {
    const [end] = await this.log.admin.endOffsets([changelog], 'read_committed')
    const [start] = await this.log.admin.beginningOffsets([changelog])
    const endOffset = end?.offset ?? 0
    let from = store.backend.checkpoint() ?? start?.offset ?? 0
    if (from > endOffset) {
      this.logger.warn(
        { store: store.name, ...changelog, checkpoint: from, endOffset },
        'checkpoint is past the changelog end; rebuilding the store from scratch',
      )
      await store.backend.clear()
      from = start?.offset ?? 0
    }
    if (from >= endOffset) return
    const startedAt = Date.now()
    const where = { store: store.name, ...changelog, from, endOffset }
    this.logger.info(where, 'restoring store from its changelog')
    const consumer = await this.restoreConsumer()
    await consumer.assign([changelog])
    consumer.seek(changelog, from)
    let restored = 0
    let loggedAt = startedAt
    const progress = { store: store.name, ...changelog, endOffset, position: from }
    this.current = progress
    try {
      while (consumer.position(changelog) < endOffset) {
        const records = await consumer.poll({ maxRecords: 10_000, timeoutMs: 1000 })
        const entries: BytesEntry[] = []
        for (const r of records) if (r.offset < endOffset && r.key !== null) entries.push([r.key, r.value])
        const reached = Math.min(consumer.position(changelog), endOffset)
        await store.restore(entries, reached)
        restored += entries.length
        this.restoredRecords += entries.length
        progress.position = reached
        if (Date.now() - loggedAt >= this.progressIntervalMs) {
          loggedAt = Date.now()
          this.logger.info({ ...where, position: reached, restored }, 'restoring store: in progress')
        }
      }
    } finally {
      this.current = undefined
    }
    this.logger.info(
      { store: store.name, ...changelog, from, endOffset, restored, ms: Date.now() - startedAt },
      'store restored',
    )
  }

  async close(): Promise<void> {
    await this.consumer?.close()
    this.consumer = undefined
  }

  private async restoreConsumer(): Promise<Consumer> {
    this.consumer ??= await this.log.consumer({ groupId: this.groupId, isolation: 'read_committed' })
    return this.consumer
  }
}
