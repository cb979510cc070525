import { randomUUID } from 'node:crypto'
import { Consumer as KafkaConsumerClient, type fetchV17 } from '@platformatic/kafka'
import { TributaryError } from '../../errors.ts'
import { sameTopicPartition, tpKey, type TopicPartition } from '../../record.ts'
import { kafkaResetHint, OffsetBeyondEnd } from '../offset-beyond-end.ts'
import { rangeAssignor } from '../embedded/range-assignor.ts'
import type {
  Consumer,
  ConsumerOptions,
  ConsumerRecord,
  GroupMetadata,
  Isolation,
  PartitionOffset,
  RebalanceListener,
  SubscribeOptions,
} from '../log.ts'
import { clientOptions, type ClientSettings } from './client-settings.ts'
import { groupByTopic, type KafkaAdmin } from './kafka-admin.ts'
import { FetchChannel } from './fetch-channel.ts'
import { throwIfFetchDenied } from './kafka-access-errors.ts'
import { hasProtocolError, mapErrors, toTributaryError } from './kafka-errors.ts'
import { GroupMembership } from './group-membership.ts'
import { decodePartition } from './record-batches.ts'
import { TopicMetadata } from './topic-metadata.ts'
import { GroupCoordinator } from './wire.ts'

export const DEFAULT_MAX_RECORDS = 1000
export const DEFAULT_POLL_TIMEOUT_MS = 1000
/** Longest single fetch wait, so a poll notices rebalances and `close` in good time. */
const MAX_FETCH_WAIT_MS = 500
const PARTITION_MAX_BYTES = 1 << 20

interface Buffered {
  records: ConsumerRecord[]
  next: number
}

/**
 * A consumer of a KafkaLog. Fetches run on their own connections (a waiting fetch never delays a
 * heartbeat or commit) and each waits at most 500 ms, so `poll` returns within its timeout. Group
 * membership follows Kafka's classic protocol (see GroupMembership): `poll` settles rebalances
 * first, revoking every owned partition through the listener before rejoining (eager), then
 * assigning; positions of newly owned partitions start at the committed offset (stable, i.e. after
 * pending transactional commits), else at `autoOffsetReset` (under read_committed, `latest` is the
 * last stable offset). Records fetched beyond `maxRecords` are kept for the next poll.
 */
export class KafkaConsumer implements Consumer {
  private readonly localId = `consumer-${randomUUID().slice(0, 8)}`
  private readonly groupId: string
  private readonly isolation: Isolation
  private readonly reset: 'earliest' | 'latest'
  private readonly client: KafkaConsumerClient
  private readonly fetcher: FetchChannel
  private readonly metadata: TopicMetadata
  private readonly coordinator: GroupCoordinator
  private mode: 'none' | 'assign' | 'subscribe' = 'none'
  private manual: TopicPartition[] = []
  private owned: TopicPartition[] = []
  private membership: GroupMembership | undefined
  private listener: RebalanceListener | undefined
  private readonly positions = new Map<string, number>()
  private readonly paused = new Set<string>()
  private readonly buffered = new Map<string, Buffered>()
  private closed = false

  constructor(
    private readonly settings: ClientSettings,
    private readonly admin: KafkaAdmin,
    options: ConsumerOptions,
    private readonly onClose: () => void,
  ) {
    if (typeof options.groupId !== 'string' || options.groupId.length === 0) {
      throw new TributaryError('CONFIG', 'groupId must be a non-empty string')
    }
    this.groupId = options.groupId
    this.isolation = options.isolation ?? 'read_uncommitted'
    this.reset = options.autoOffsetReset ?? 'earliest'
    const base = clientOptions(settings, 'consumer')
    this.client = new KafkaConsumerClient({ ...base, groupId: this.groupId })
    this.fetcher = new FetchChannel(this.client, base, this.isolation, MAX_FETCH_WAIT_MS)
    this.metadata = new TopicMetadata(this.client)
    this.coordinator = new GroupCoordinator(this.client, this.groupId)
  }

  get memberId(): string {
    return this.membership?.memberId || this.localId
  }

  groupMetadata(): GroupMetadata | undefined {
    const member = this.membership
    if (member === undefined || member.generationId < 0 || member.memberId === '') return undefined
    return { groupId: this.groupId, generationId: member.generationId, memberId: member.memberId }
  }

  assignment(): TopicPartition[] {
    return this.mode === 'subscribe' ? [...this.owned] : [...this.manual]
  }

  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.check()
    if (this.mode === 'subscribe')
      throw new TributaryError('LOG', 'assign after subscribe: use one or the other')
    await this.metadata.check(partitions)
    const unique = new Map(partitions.map((tp) => [tpKey(tp), { topic: tp.topic, partition: tp.partition }]))
    for (const tp of this.manual) if (!unique.has(tpKey(tp))) this.forget(tp)
    const added = [...unique.values()].filter((tp) => !this.positions.has(tpKey(tp)))
    this.manual = [...unique.values()]
    this.mode = 'assign'
    await this.initPositions(added)
  }

  async subscribe(topics: readonly string[], options: SubscribeOptions = {}): Promise<void> {
    this.check()
    if (this.mode === 'assign')
      throw new TributaryError('LOG', 'subscribe after assign: use one or the other')
    if (this.mode === 'subscribe') throw new TributaryError('LOG', 'subscribe called twice on one consumer')
    this.mode = 'subscribe'
    this.listener = options.listener
    this.membership = new GroupMembership(this.coordinator, this.metadata, {
      topics: [...topics],
      assignor: options.assignor ?? rangeAssignor,
      userData: options.userData,
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      rebalanceTimeoutMs: this.settings.rebalanceTimeoutMs,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
    })
    this.membership.startJoin()
  }

  async poll(options: { maxRecords?: number; timeoutMs?: number } = {}): Promise<ConsumerRecord[]> {
    this.check()
    if (this.mode === 'none') throw new TributaryError('LOG', 'poll before assign or subscribe')
    const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_POLL_TIMEOUT_MS)
    while (true) {
      if (this.mode === 'subscribe') await this.settleGroup(deadline)
      if (this.closed) return []
      const ready = this.drain(maxRecords)
      if (ready.length > 0) return ready
      const partitions = this.assignment().filter((tp) => !this.paused.has(tpKey(tp)))
      const remaining = deadline - Date.now()
      if (partitions.length === 0) {
        if (remaining <= 0) return []
        await new Promise((resolve) => setTimeout(resolve, Math.min(remaining, 50)))
        continue
      }
      const advanced = await this.fetch(partitions, Math.max(0, Math.min(remaining, MAX_FETCH_WAIT_MS)))
      const records = this.drain(maxRecords)
      // Skipping only markers or aborted records also returns at once, so callers waiting for a
      // position (e.g. restoring to an end offset) need not wait out the timeout.
      if (records.length > 0 || advanced || Date.now() >= deadline || this.closed) return records
    }
  }

  seek(partition: TopicPartition, offset: number): void {
    this.requireAssigned(partition)
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new TributaryError('LOG', `invalid offset ${offset}`)
    this.buffered.delete(tpKey(partition))
    this.positions.set(tpKey(partition), offset)
  }

  position(partition: TopicPartition): number {
    this.requireAssigned(partition)
    const position = this.positions.get(tpKey(partition))
    if (position === undefined) throw new TributaryError('LOG', `no position for ${tpKey(partition)} yet`)
    return position
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.add(tpKey(tp))
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(tpKey(tp))
  }

  /** Commits with the member's generation when subscribed (a member the group has moved past is
   *  refused, fails with LOG and rejoins at its next poll), else as a standalone consumer. */
  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    this.check()
    if (offsets.length === 0) return
    await this.metadata.check(offsets)
    const member = this.mode === 'subscribe' ? this.membership : undefined
    const topics = [...groupByTopic(offsets)].map(([name]) => ({
      name,
      partitions: offsets
        .filter((o) => o.topic === name)
        .map((o) => ({
          partitionIndex: o.partition,
          committedOffset: BigInt(o.offset),
          committedLeaderEpoch: -1,
          committedMetadata: o.metadata ?? null,
        })),
    }))
    try {
      await this.coordinator.call(
        'OffsetCommit',
        this.groupId,
        member?.generationId ?? -1,
        member?.memberId ?? '',
        null,
        topics,
      )
    } catch (err) {
      if (
        member !== undefined &&
        hasProtocolError(err, 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID')
      ) {
        member.markStale(err)
      }
      throw toTributaryError(err, `commit offsets of group ${this.groupId}`)
    }
  }

  async committed(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]> {
    this.check()
    return this.admin.committedOffsets(this.groupId, partitions, this.isolation === 'read_committed')
  }

  /** Revokes owned partitions through the listener, leaves the group and ends a pending poll. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      if (this.membership !== undefined) {
        const owned = this.owned
        this.owned = []
        try {
          if (owned.length > 0) await this.listener?.onRevoked(owned)
        } finally {
          await this.membership.leave()
        }
      }
    } finally {
      await Promise.allSettled([this.client.close(true), this.fetcher.close()])
      this.onClose()
    }
  }

  /** Runs the listener for a rebalance; partitions are released even if onRevoked throws. */
  private async settleGroup(deadline: number): Promise<void> {
    const membership = this.membership!
    if (membership.rejoinNeeded) {
      const revoked = this.owned
      this.owned = []
      try {
        if (revoked.length > 0) await this.listener?.onRevoked(revoked)
      } finally {
        for (const tp of revoked) this.forget(tp)
        if (!this.closed) membership.startJoin()
      }
    }
    if (this.closed || !membership.isJoining) return
    const assigned = await mapErrors(`joining group ${this.groupId}`, () =>
      membership.takeAssignment(Math.max(0, deadline - Date.now())),
    )
    if (assigned === null || this.closed) return
    for (const tp of assigned) this.forget(tp)
    await this.initPositions(assigned)
    this.owned = assigned
    if (assigned.length > 0) await this.listener?.onAssigned([...assigned])
  }

  /**
   * Positions of newly owned partitions: the committed offset, else `autoOffsetReset`. A committed
   * offset beyond the partition's end fails with OffsetBeyondEnd (as auto.offset.reset=none).
   */
  private async initPositions(partitions: readonly TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return
    const committed = await this.admin.committedOffsets(
      this.groupId,
      partitions,
      this.isolation === 'read_committed',
    )
    await this.checkNotBeyondEnd(committed)
    for (const c of committed) this.positions.set(tpKey(c), c.offset)
    const missing = partitions.filter((tp) => !this.positions.has(tpKey(tp)))
    if (missing.length === 0) return
    const start =
      this.reset === 'earliest'
        ? await this.admin.beginningOffsets(missing)
        : await this.admin.endOffsets(missing, this.isolation)
    for (const s of start) this.positions.set(tpKey(s), s.offset)
  }

  /** One fetch round per partition leader, in parallel. Resolves whether any position moved. */
  private async fetch(partitions: readonly TopicPartition[], waitMs: number): Promise<boolean> {
    const byTopic = groupByTopic(partitions)
    const topics = [...byTopic.keys()]
    const layouts = await this.metadata.get(topics)
    const names = new Map(layouts.map((m, i) => [m.id, topics[i]!]))
    const requests = new Map<number, fetchV17.FetchRequestTopic[]>()
    const requested = new Map<string, number>()
    topics.forEach((topic, i) => {
      for (const partition of byTopic.get(topic)!) {
        const key = tpKey({ topic, partition })
        const fetchOffset = this.positions.get(key)
        if (fetchOffset === undefined || this.buffered.has(key)) continue
        requested.set(key, fetchOffset)
        const leader = layouts[i]!.partitions[partition]?.leader ?? -1
        const list = requests.get(leader) ?? []
        list.push({
          topicId: layouts[i]!.id,
          partitions: [
            {
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: BigInt(fetchOffset),
              lastFetchedEpoch: -1,
              partitionMaxBytes: PARTITION_MAX_BYTES,
            },
          ],
        })
        requests.set(leader, list)
      }
    })
    let advanced = false
    await Promise.all(
      [...requests].map(async ([node, request]) => {
        const response = await this.fetcher.fetch(node, request, waitMs)
        for (const topicResponse of response?.responses ?? []) {
          const topic = names.get(topicResponse.topicId)
          if (topic === undefined) continue
          for (const p of topicResponse.partitions) {
            const key = tpKey({ topic, partition: p.partitionIndex })
            const from = requested.get(key)
            // Skip partitions given up or sought during the fetch.
            if (from === undefined || this.positions.get(key) !== from) continue
            if (p.errorCode !== 0) {
              throwIfFetchDenied(topic, p.errorCode)
              advanced ||= await this.recover({ topic, partition: p.partitionIndex }, p.errorCode)
              continue
            }
            const decoded = decodePartition(topic, p.partitionIndex, p, from, this.isolation)
            if (decoded.next !== from) advanced = true
            if (decoded.records.length > 0) this.buffered.set(key, decoded)
            else this.positions.set(key, decoded.next)
          }
        }
      }),
    )
    return advanced
  }

  /** Fails with OffsetBeyondEnd if an offset is past its partition's end (high watermark). */
  private async checkNotBeyondEnd(offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return
    const ends = await this.admin.endOffsets(offsets, 'read_uncommitted')
    for (const o of offsets) {
      const end = ends.find((e) => sameTopicPartition(e, o))?.offset
      if (end !== undefined && o.offset > end)
        throw new OffsetBeyondEnd(
          `group ${this.groupId}`,
          'committed offset',
          o,
          o.offset,
          end,
          kafkaResetHint(this.groupId, o, end),
        )
    }
  }

  /**
   * Handles a partition's fetch error; true when its position moved. Out of range: a position
   * beyond the end fails (OffsetBeyondEnd: the log lost records); one before the start (records
   * deleted by retention) starts over from the committed offset or `autoOffsetReset`, as Kafka.
   */
  private async recover(tp: TopicPartition, errorCode: number): Promise<boolean> {
    const OFFSET_OUT_OF_RANGE = 1
    if (errorCode === OFFSET_OUT_OF_RANGE) {
      const at = this.positions.get(tpKey(tp))
      this.positions.delete(tpKey(tp))
      try {
        if (at !== undefined) await this.checkNotBeyondEnd([{ ...tp, offset: at }])
        await this.initPositions([tp])
      } catch (err) {
        if (err instanceof OffsetBeyondEnd) throw err
        // the broker could not tell: the next fetch meets the same error and tries again
        if (at !== undefined && !this.positions.has(tpKey(tp))) this.positions.set(tpKey(tp), at)
      }
      return true
    }
    this.client.clearMetadata()
    return false
  }

  /**
   * Up to `max` buffered records of assigned, unpaused partitions; moves their positions. Hands
   * them out fairly: each ready partition first gets an equal share of `max`,
   * then what is left fills in order. A partition with a backlog thus never holds back records
   * already fetched for the others (a task waiting on those would otherwise stop waiting and
   * process out of event-time order).
   */
  private drain(max: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = []
    const assigned = new Set(this.assignment().map(tpKey))
    for (const key of this.buffered.keys()) if (!assigned.has(key)) this.buffered.delete(key)
    const ready = [...this.buffered.keys()].filter((key) => !this.paused.has(key))
    if (ready.length === 0) return out
    const share = Math.max(1, Math.ceil(max / ready.length))
    for (const limit of [share, max]) {
      for (const key of ready) {
        const entry = this.buffered.get(key)
        if (entry === undefined || out.length >= max) continue
        const taken = entry.records.splice(0, Math.min(limit, max - out.length))
        out.push(...taken)
        if (entry.records.length === 0) {
          this.buffered.delete(key)
          this.positions.set(key, entry.next)
        } else if (taken.length > 0) this.positions.set(key, taken[taken.length - 1]!.offset + 1)
      }
    }
    return out
  }

  private forget(tp: TopicPartition): void {
    const key = tpKey(tp)
    this.positions.delete(key)
    this.paused.delete(key)
    this.buffered.delete(key)
  }

  private requireAssigned(tp: TopicPartition): void {
    // Called per position(), which the runtime asks often: no key strings unless it fails.
    if (!this.assignment().some((a) => sameTopicPartition(a, tp))) {
      throw new TributaryError('LOG', `partition ${tpKey(tp)} is not assigned to this consumer`)
    }
  }

  private check(): void {
    if (this.closed) throw new TributaryError('CLOSED', 'the consumer is closed')
  }
}
