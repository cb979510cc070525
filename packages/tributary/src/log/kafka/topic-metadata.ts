import type { Base, ClusterTopicMetadata } from '@platformatic/kafka'
import { TributaryError } from '../../errors.ts'
import type { TopicPartition } from '../../record.ts'
import { hasProtocolError, toTributaryError } from './kafka-errors.ts'

/**
 * Topic layouts (partition count, topic id, leaders) from the cluster metadata of one client,
 * cached by that client and refreshed on a miss. A topic the cluster does not know fails with
 * code LOG naming it; Tributary never auto-creates topics.
 */
export class TopicMetadata {
  constructor(private readonly client: Base) {}

  /** Metadata of each topic, in order (from the client's cache unless `refresh`). */
  async get(topics: readonly string[], refresh = false): Promise<ClusterTopicMetadata[]> {
    const unique = [...new Set(topics)]
    if (unique.length === 0) return []
    const found = await this.fetch(unique, refresh)
    return topics.map((topic) => {
      const metadata = found.get(topic)
      if (metadata === undefined) throw new TributaryError('LOG', `unknown topic ${topic}`)
      return metadata
    })
  }

  async partitionCount(topic: string, refresh = false): Promise<number> {
    return (await this.get([topic], refresh))[0]!.partitionsCount
  }

  /** Fails with code LOG naming the topic when it or the partition does not exist. */
  async check(partitions: readonly TopicPartition[]): Promise<void> {
    const topics = [...new Set(partitions.map((p) => p.topic))]
    const counts = new Map((await this.get(topics)).map((m, i) => [topics[i]!, m.partitionsCount]))
    for (const tp of partitions) {
      let count = counts.get(tp.topic)!
      if (!(tp.partition < count)) count = await this.partitionCount(tp.topic, true)
      if (!Number.isInteger(tp.partition) || tp.partition < 0 || tp.partition >= count) {
        throw new TributaryError(
          'LOG',
          `topic ${tp.topic} has ${count} partitions; partition ${tp.partition} does not exist`,
        )
      }
    }
  }

  private async fetch(topics: string[], forceUpdate: boolean): Promise<Map<string, ClusterTopicMetadata>> {
    try {
      const metadata = await this.client.metadata({ topics, forceUpdate, autocreateTopics: false })
      return metadata.topics
    } catch (err) {
      if (
        !hasProtocolError(err, 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID', 'INVALID_TOPIC_EXCEPTION')
      ) {
        throw toTributaryError(err, `metadata of ${topics.join(', ')}`)
      }
      // One unknown topic fails the whole request: ask per topic to tell which exist.
      if (topics.length === 1) return new Map()
      const found = new Map<string, ClusterTopicMetadata>()
      for (const topic of topics) for (const [k, v] of await this.fetch([topic], forceUpdate)) found.set(k, v)
      return found
    }
  }
}
