import { TributaryError } from '../../errors.ts'
import type { TopicPartition } from '../../record.ts'
import type { TopicConfig } from '../log.ts'
import type { PartitionLog } from './partition-log.ts'
import { topicSpec, type TopicSettings, type TopicSpec } from './topic-settings.ts'

export interface Topic {
  readonly description: TopicSpec
  readonly settings: TopicSettings
  readonly partitions: readonly PartitionLog[]
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]{1,249}$/

/** Fails with code CONFIG unless the topic config is one Kafka would accept. */
export function validateTopicConfig(config: TopicConfig): TopicSpec {
  const { name, partitions } = config
  if (!LEGAL_NAME.test(name) || name === '.' || name === '..') {
    throw new TributaryError('CONFIG', `topic name "${name}" is invalid: use 1-249 of [a-zA-Z0-9._-]`)
  }
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new TributaryError(
      'CONFIG',
      `topic ${name}: partitions must be a positive integer, got ${partitions}`,
    )
  }
  return topicSpec(config)
}

/** The topics that exist and their partitions. Lookups fail with code LOG naming the topic. */
export class TopicRegistry {
  private readonly topics = new Map<string, Topic>()

  add(topic: Topic): void {
    this.topics.set(topic.description.name, topic)
  }

  remove(name: string): Topic | undefined {
    const topic = this.topics.get(name)
    this.topics.delete(name)
    return topic
  }

  find(name: string): Topic | undefined {
    return this.topics.get(name)
  }

  get(name: string): Topic {
    const topic = this.topics.get(name)
    if (topic === undefined) throw new TributaryError('LOG', `unknown topic ${name}`)
    return topic
  }

  partition(tp: TopicPartition): PartitionLog {
    const partitions = this.get(tp.topic).partitions
    const log = partitions[tp.partition]
    if (log === undefined) {
      throw new TributaryError(
        'LOG',
        `topic ${tp.topic} has no partition ${tp.partition} (it has ${partitions.length})`,
      )
    }
    return log
  }

  names(): string[] {
    return [...this.topics.keys()].sort()
  }

  all(): IterableIterator<Topic> {
    return this.topics.values()
  }
}
