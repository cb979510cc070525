import type { TopicPartition } from '../../record.ts'
import type { ConsumerRecord, Isolation, RecordMetadata, ProducerRecord, TopicConfig } from '../log.ts'
import type { Broker } from './broker.ts'
import { Partitioner } from './partitioner.ts'

/**
 * INTERNAL: synchronous access to an embedded log for the TopologyTestDriver, which pipes records
 * through a topology without awaiting. Non-transactional data only; not part of the public API.
 * Errors are the same as the async API's (LOG for unknown topics, CLOSED after close).
 */
export class SyncFacet {
  private readonly partitioner = new Partitioner()

  /** `broker` gives the log's current broker (a new one after EmbeddedLog.reopen). */
  constructor(private readonly current: () => Broker) {}

  private get broker(): Broker {
    return this.current()
  }

  /** Creates the topic unless it exists. */
  createTopic(config: TopicConfig): void {
    this.broker.createTopics([config])
  }

  partitions(topic: string): number {
    this.broker.ensureOpen()
    return this.broker.registry.get(topic).description.partitions
  }

  hasTopic(topic: string): boolean {
    return this.broker.registry.find(topic) !== undefined
  }

  append(records: readonly ProducerRecord[]): RecordMetadata[] {
    return this.broker.append(records, this.partitioner, null)
  }

  /** Up to `maxRecords` records at or after `fromOffset` (next read: last offset + 1). */
  read(
    tp: TopicPartition,
    fromOffset: number,
    maxRecords: number,
    isolation: Isolation = 'read_uncommitted',
  ): ConsumerRecord[] {
    this.broker.ensureOpen()
    const out: ConsumerRecord[] = []
    this.broker.registry.partition(tp).read(fromOffset, maxRecords, isolation, out)
    return out
  }

  endOffset(tp: TopicPartition, isolation: Isolation = 'read_uncommitted'): number {
    this.broker.ensureOpen()
    return this.broker.registry.partition(tp).endOffset(isolation)
  }
}
