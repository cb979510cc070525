import {
  Admin as KafkaAdminClient,
  ConfigResourceTypes,
  FetchIsolationLevels,
  ListOffsetTimestamps,
} from '@platformatic/kafka'
import { TributaryError } from '../../errors.ts'
import { tpKey, type TopicPartition } from '../../record.ts'
import type {
  Admin,
  CleanupPolicy,
  Isolation,
  PartitionOffset,
  TopicConfig,
  TopicDescription,
} from '../log.ts'
import { hasProtocolError, mapErrors } from './kafka-errors.ts'
import { TopicMetadata } from './topic-metadata.ts'
import { retryCoordinator, sleep } from './coordinator-retry.ts'

/** How long createTopics/deleteTopics wait for the change to show in the cluster metadata. */
const PROPAGATION_TIMEOUT_MS = 15_000

/** The `Admin` of a KafkaLog, over @platformatic/kafka's Admin client. */
export class KafkaAdmin implements Admin {
  readonly metadata: TopicMetadata

  constructor(readonly client: KafkaAdminClient) {
    this.metadata = new TopicMetadata(client)
  }

  /** Creates each missing topic (replication factor: the broker default) and waits until the
   *  cluster metadata lists it with a leader for every partition, so it can be used at once. */
  async createTopics(topics: readonly TopicConfig[]): Promise<void> {
    for (const topic of topics) {
      if (!(Number.isInteger(topic.partitions) && topic.partitions > 0)) {
        throw new TributaryError('CONFIG', `topic ${topic.name}: partitions must be a positive integer`)
      }
      await mapErrors(`create topic ${topic.name}`, async () => {
        try {
          await this.client.createTopics({
            topics: [topic.name],
            partitions: topic.partitions,
            replicas: -1,
            configs: topicConfigs(topic),
          })
        } catch (err) {
          if (hasProtocolError(err, 'TOPIC_ALREADY_EXISTS')) return
          // A principal without Create (least privilege) is refused even for a topic that exists.
          if (hasProtocolError(err, 'TOPIC_AUTHORIZATION_FAILED') && (await this.exists(topic.name))) return
          throw err
        }
      })
    }
    await this.waitFor(
      topics.map((t) => t.name),
      true,
    )
  }

  async deleteRecordsBefore(offsets: readonly PartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, PartitionOffset[]>()
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o])
    const topics = [...byTopic].map(([name, parts]) => ({
      name,
      partitions: parts.map((p) => ({ partition: p.partition, offset: BigInt(p.offset) })),
    }))
    await mapErrors(`delete records of ${[...byTopic.keys()].join(', ')}`, () =>
      this.client.deleteRecords({ topics }),
    )
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    for (const name of names) {
      await mapErrors(`delete topic ${name}`, async () => {
        try {
          await this.client.deleteTopics({ topics: [name] })
        } catch (err) {
          if (!hasProtocolError(err, 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID')) throw err
        }
      })
    }
    this.client.clearMetadata()
  }

  async listTopics(): Promise<string[]> {
    return mapErrors('list topics', () => this.client.listTopics({ includeInternals: false }))
  }

  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    const layouts = await this.metadata.get(names, true)
    const configs = await mapErrors(`describe topics ${names.join(', ')}`, () =>
      this.client.describeConfigs({
        resources: names.map((name) => ({
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: name,
          configurationKeys: ['cleanup.policy'],
        })),
      }),
    )
    return names.map((name, i) => {
      const policy = configs
        .find((c) => c.resourceName === name)
        ?.configs.find((c) => c.name === 'cleanup.policy')?.value
      const policies = new Set(policy?.split(',').map((p) => p.trim()))
      const cleanupPolicy: CleanupPolicy = !policies.has('compact')
        ? 'delete'
        : policies.has('delete')
          ? 'compact,delete'
          : 'compact'
      return { name, partitions: layouts[i]!.partitionsCount, cleanupPolicy }
    })
  }

  async beginningOffsets(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]> {
    return this.listOffsets(partitions, ListOffsetTimestamps.EARLIEST, 'read_uncommitted')
  }

  async endOffsets(
    partitions: readonly TopicPartition[],
    isolation: Isolation = 'read_uncommitted',
  ): Promise<PartitionOffset[]> {
    return this.listOffsets(partitions, ListOffsetTimestamps.LATEST, isolation)
  }

  /**
   * Committed offsets; offsets of open transactions are not yet committed and not shown. With
   * `requireStable` (what a read_committed consumer starting a partition needs), waits until no
   * transaction holds pending offsets for these partitions, up to `stableTimeoutMs`.
   */
  async committedOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
    requireStable = false,
    stableTimeoutMs = 60_000,
  ): Promise<PartitionOffset[]> {
    if (partitions.length === 0) return []
    const byTopic = groupByTopic(partitions)
    const request = {
      groups: [
        { groupId, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) },
      ],
      requireStable,
    }
    const deadline = Date.now() + stableTimeoutMs
    // OffsetFetch only reads, so repeating it on a coordinator error (retryCoordinator) is safe.
    const groups = await mapErrors(`committed offsets of group ${groupId}`, () =>
      retryCoordinator(async () => {
        while (true) {
          try {
            return await this.client.listConsumerGroupOffsets(request)
          } catch (err) {
            if (!hasProtocolError(err, 'UNSTABLE_OFFSET_COMMIT') || Date.now() > deadline) throw err
            await sleep(100)
          }
        }
      }),
    )
    const found = new Map<string, PartitionOffset>()
    for (const topic of groups[0]?.topics ?? [])
      for (const p of topic.partitions) {
        if (p.committedOffset < 0n) continue
        const offset = { topic: topic.name, partition: p.partitionIndex, offset: Number(p.committedOffset) }
        found.set(tpKey(offset), p.metadata ? { ...offset, metadata: p.metadata } : offset)
      }
    return partitions.flatMap((tp) => found.get(tpKey(tp)) ?? [])
  }

  private async listOffsets(
    partitions: readonly TopicPartition[],
    timestamp: bigint,
    isolation: Isolation,
  ): Promise<PartitionOffset[]> {
    if (partitions.length === 0) return []
    await this.metadata.check(partitions)
    const byTopic = groupByTopic(partitions)
    const topics = await mapErrors(`list offsets of ${[...byTopic.keys()].join(', ')}`, () =>
      this.client.listOffsets({
        topics: [...byTopic].map(([name, indexes]) => ({
          name,
          partitions: indexes.map((partitionIndex) => ({ partitionIndex, timestamp })),
        })),
        isolationLevel:
          isolation === 'read_committed'
            ? FetchIsolationLevels.READ_COMMITTED
            : FetchIsolationLevels.READ_UNCOMMITTED,
      }),
    )
    const found = new Map<string, number>()
    for (const t of topics)
      for (const p of t.partitions) found.set(`${t.name}:${p.partitionIndex}`, Number(p.offset))
    return partitions.map((tp) => ({
      topic: tp.topic,
      partition: tp.partition,
      offset: found.get(`${tp.topic}:${tp.partition}`) ?? 0,
    }))
  }

  /** True when the topic exists and this principal may describe it. */
  private async exists(name: string): Promise<boolean> {
    return this.metadata.get([name], true).then(
      () => true,
      () => false,
    )
  }

  private async waitFor(names: readonly string[], present: boolean): Promise<void> {
    const deadline = Date.now() + PROPAGATION_TIMEOUT_MS
    for (const name of names) {
      while (true) {
        const ready = await this.metadata.get([name], true).then(
          ([m]) => m!.partitions.length === m!.partitionsCount && m!.partitions.every((p) => p.leader >= 0),
          () => false,
        )
        if (ready === present) break
        if (Date.now() > deadline)
          throw new TributaryError('LOG', `topic ${name} did not become ready in time`)
        await sleep(50)
      }
    }
  }
}

/** Kafka's name of every TopicConfig setting: a setting added to TopicConfig must be named here
 *  (the compiler checks), so createTopics never drops one. */
const KAFKA_CONFIG_NAMES: { readonly [K in Exclude<keyof TopicConfig, 'name' | 'partitions'>]-?: string } = {
  cleanupPolicy: 'cleanup.policy',
  retentionMs: 'retention.ms',
  retentionBytes: 'retention.bytes',
  segmentBytes: 'segment.bytes',
  segmentMs: 'segment.ms',
  deleteRetentionMs: 'delete.retention.ms',
}

/** The broker configs of a topic: cleanup.policy always (default delete), each other setting when
 *  given (absent: the broker's default). */
export function topicConfigs(topic: TopicConfig): { name: string; value: string }[] {
  const configs: { name: string; value: string }[] = [
    { name: 'cleanup.policy', value: topic.cleanupPolicy ?? 'delete' },
  ]
  for (const [key, name] of Object.entries(KAFKA_CONFIG_NAMES)) {
    const value = topic[key as keyof typeof KAFKA_CONFIG_NAMES]
    if (key !== 'cleanupPolicy' && value !== undefined) configs.push({ name, value: String(value) })
  }
  return configs
}

export function groupByTopic(partitions: readonly TopicPartition[]): Map<string, number[]> {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions) {
    const list = byTopic.get(tp.topic) ?? []
    if (!list.includes(tp.partition)) list.push(tp.partition)
    byTopic.set(tp.topic, list)
  }
  return byTopic
}
