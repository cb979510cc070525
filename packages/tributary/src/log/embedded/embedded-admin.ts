import type { TopicPartition } from '../../record.ts'
import type { Admin, Isolation, PartitionOffset, TopicConfig, TopicDescription } from '../log.ts'
import type { Broker } from './broker.ts'

/** Admin of the embedded log. Unknown topics or partitions fail with code LOG naming the topic. */
export class EmbeddedAdmin implements Admin {
  /** `broker` gives the log's current broker (a new one after EmbeddedLog.reopen). */
  constructor(private readonly current: () => Broker) {}

  private get broker(): Broker {
    return this.current()
  }

  async createTopics(topics: readonly TopicConfig[]): Promise<void> {
    this.broker.createTopics(topics)
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    this.broker.deleteTopics(names)
  }

  async listTopics(): Promise<string[]> {
    this.broker.ensureOpen()
    return this.broker.registry.names()
  }

  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    this.broker.ensureOpen()
    return names.map((name) => {
      const { partitions, cleanupPolicy } = this.broker.registry.get(name).description
      return { name, partitions, cleanupPolicy }
    })
  }

  async deleteRecordsBefore(offsets: readonly PartitionOffset[]): Promise<void> {
    this.broker.deleteRecordsBefore(offsets)
  }

  async beginningOffsets(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]> {
    this.broker.ensureOpen()
    return partitions.map((tp) => ({
      topic: tp.topic,
      partition: tp.partition,
      offset: this.broker.registry.partition(tp).startOffset,
    }))
  }

  async endOffsets(
    partitions: readonly TopicPartition[],
    isolation: Isolation = 'read_uncommitted',
  ): Promise<PartitionOffset[]> {
    this.broker.ensureOpen()
    return partitions.map((tp) => ({
      topic: tp.topic,
      partition: tp.partition,
      offset: this.broker.registry.partition(tp).endOffset(isolation),
    }))
  }

  async committedOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<PartitionOffset[]> {
    this.broker.ensureOpen()
    return this.broker.offsets.get(groupId, partitions)
  }
}
