import type { Headers, TopicPartition } from '../record.ts'

/**
 * The log Tributary runs on: the embedded log (default) or Apache Kafka. Both implementations pass
 * one contract suite (test/log/log-contract.ts). All offsets are plain numbers (exact to 2^53).
 */
export interface Log {
  readonly admin: Admin
  /** A producer. With `transactionalId`, initialising it fences any older producer with that id
   *  (its later calls fail with code FENCED) and aborts the transaction it left open. */
  producer(options?: ProducerOptions): Promise<Producer>
  consumer(options: ConsumerOptions): Promise<Consumer>
  /** Closes every client made by this log and releases its resources. */
  close(): Promise<void>
}

/** Kafka's cleanup.policy: delete old segments by retention, keep the latest record per key, or both. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete'
export type Isolation = 'read_committed' | 'read_uncommitted'

export interface TopicConfig {
  readonly name: string
  readonly partitions: number
  readonly cleanupPolicy?: CleanupPolicy
  /** How long records are kept by time (Kafka's retention.ms; -1: forever). Default: the log's
   *  (Kafka: the broker's; embedded: 7 days, as Kafka's). */
  readonly retentionMs?: number
  /** Bytes a partition keeps at most before its oldest segments go (retention.bytes; -1: no
   *  limit, the default). */
  readonly retentionBytes?: number
  /** Size at which a partition starts a new segment file (segment.bytes). Default: the log's
   *  (Kafka: 1 GiB; embedded: 16 MiB). */
  readonly segmentBytes?: number
  /** Age at which a partition starts a new segment even if not full (segment.ms; default 7 days). */
  readonly segmentMs?: number
  /** How long a compacted topic keeps a tombstone (a null value) as its key's latest record after
   *  compaction first cleaned it, so consumers reading from the beginning within that time see the
   *  deletion (Kafka's delete.retention.ms; default 1 day). */
  readonly deleteRetentionMs?: number
}

export interface TopicDescription {
  readonly name: string
  readonly partitions: number
  readonly cleanupPolicy: CleanupPolicy
}

/** A position in one partition. For committed offsets, `offset` is the next offset to read. */
export interface PartitionOffset extends TopicPartition {
  readonly offset: number
  /** Given to `commit` or `sendOffsets`: a short string stored with the committed offset (Kafka's
   *  offset commit metadata; Tributary keeps the partition's stream time there). Committed offsets
   *  carry it back; absent when none was given. */
  readonly metadata?: string
}

export interface Admin {
  /** Creates topics; existing topics with the same name are left as they are. */
  createTopics(topics: readonly TopicConfig[]): Promise<void>
  deleteTopics(names: readonly string[]): Promise<void>
  listTopics(): Promise<string[]>
  /** Fails with code LOG naming the first topic that does not exist. */
  describeTopics(names: readonly string[]): Promise<TopicDescription[]>
  /** First readable offset of each partition. */
  beginningOffsets(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]>
  /** High watermark (read_uncommitted) or last stable offset (read_committed) of each partition. */
  endOffsets(partitions: readonly TopicPartition[], isolation?: Isolation): Promise<PartitionOffset[]>
  /** Committed offsets of a group; partitions with none are left out. */
  committedOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<PartitionOffset[]>
  /** Deletes each partition's records before the offset, which becomes its beginning (Kafka's
   *  DeleteRecords). Optional: a log without it keeps everything. */
  deleteRecordsBefore?(offsets: readonly PartitionOffset[]): Promise<void>
}

export interface ProducerRecord {
  readonly topic: string
  /** When absent: murmur2 of the key modulo the partition count (Kafka's default); null key: round robin. */
  readonly partition?: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  /** Defaults to the time of sending. */
  readonly timestamp?: number
  readonly headers?: Headers
}

export interface RecordMetadata extends TopicPartition {
  readonly offset: number
}

export interface ProducerOptions {
  readonly transactionalId?: string
}

/**
 * Sends records. Without a transactional id, records are durable (per the log's sync policy) when
 * `send` resolves. With one, every `send` must lie between `beginTransaction` and
 * `commitTransaction`/`abortTransaction`; the records become visible to read_committed consumers
 * at commit, together with the offsets given to `sendOffsets`, or never.
 */
export interface Producer {
  send(records: readonly ProducerRecord[]): Promise<RecordMetadata[]>
  beginTransaction(): Promise<void>
  /**
   * Adds a group's consumed offsets to the open transaction: committed atomically with it. Given
   * the consumer's `GroupMetadata` (not just the group id), the log refuses the offsets (code LOG)
   * once the group has moved past that generation or member, so an instance that lost its tasks
   * in a rebalance cannot commit their offsets any more (Kafka's KIP-447 fencing).
   */
  sendOffsets(group: string | GroupMetadata, offsets: readonly PartitionOffset[]): Promise<void>
  commitTransaction(): Promise<void>
  abortTransaction(): Promise<void>
  close(): Promise<void>
}

/** Where a subscribed consumer stands in its group: what `sendOffsets` needs for fencing. */
export interface GroupMetadata {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
}

export interface ConsumerRecord extends TopicPartition {
  readonly offset: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: number
  readonly headers: Headers
}

export interface ConsumerOptions {
  readonly groupId: string
  /** Default read_uncommitted, as in Kafka. */
  readonly isolation?: Isolation
  /** Where to start a partition with no committed offset. Default earliest. */
  readonly autoOffsetReset?: 'earliest' | 'latest'
}

/** Decides which member of a group reads which partitions. Called on every membership change. */
export interface Assignor {
  readonly name: string
  assign(
    members: readonly GroupMember[],
    partitionsPerTopic: ReadonlyMap<string, number>,
  ): Map<string, TopicPartition[]>
}

export interface GroupMember {
  readonly memberId: string
  readonly topics: readonly string[]
  /** Opaque bytes a member shares with the assignor (e.g. the tasks it owned before). */
  readonly userData?: Buffer
}

/** Called by `poll` when the group's assignment changes. Revocation runs first and is awaited. */
export interface RebalanceListener {
  onRevoked(partitions: TopicPartition[]): Promise<void>
  onAssigned(partitions: TopicPartition[]): Promise<void>
}

export interface SubscribeOptions {
  readonly listener?: RebalanceListener
  readonly assignor?: Assignor
  readonly userData?: () => Buffer
}

/**
 * Reads records. Either `assign` partitions by hand or `subscribe` to topics and let the group
 * spread partitions over its members. Positions start at the group's committed offset, else at
 * `autoOffsetReset`. Under read_committed, `poll` returns only committed transactional data and
 * skips aborted records (offsets may therefore have gaps).
 */
export interface Consumer {
  readonly memberId: string
  /** The group generation this consumer is in, when subscribed to a group that checks
   *  generations (Kafka); undefined otherwise. */
  groupMetadata?(): GroupMetadata | undefined
  assign(partitions: readonly TopicPartition[]): Promise<void>
  subscribe(topics: readonly string[], options?: SubscribeOptions): Promise<void>
  assignment(): TopicPartition[]
  /** Resolves with up to `maxRecords` records, or an empty list after `timeoutMs`. */
  poll(options?: { maxRecords?: number; timeoutMs?: number }): Promise<ConsumerRecord[]>
  seek(partition: TopicPartition, offset: number): void
  position(partition: TopicPartition): number
  pause(partitions: readonly TopicPartition[]): void
  resume(partitions: readonly TopicPartition[]): void
  commit(offsets: readonly PartitionOffset[]): Promise<void>
  committed(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]>
  close(): Promise<void>
}
