import type { TopicPartition } from '../../record.ts'
import type { Assignor, GroupMember } from '../log.ts'
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from './consumer-protocol.ts'
import { hasProtocolError } from './kafka-errors.ts'
import type { TopicMetadata } from './topic-metadata.ts'
import type { GroupCoordinator } from './wire.ts'

export interface MembershipConfig {
  readonly topics: readonly string[]
  readonly assignor: Assignor
  readonly userData: (() => Buffer) | undefined
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  readonly heartbeatIntervalMs: number
}

interface JoinGroupResponse {
  generationId: number
  protocolName: string | null
  leader: string
  memberId: string | null
  members: { memberId: string; metadata: Buffer | null }[]
}

/** Errors after which a member has to join again (the group moved on without it). */
const REJOIN = ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'MEMBER_ID_REQUIRED']

/**
 * One consumer's membership in a group, under Kafka's classic (eager) group protocol, driven by
 * the consumer's `poll` as in Kafka's Java consumer: when a heartbeat says the group is
 * rebalancing, `rejoinNeeded` turns true; `poll` then revokes all owned partitions (awaiting the
 * listener) and calls `startJoin`; the JoinGroup/SyncGroup round runs in the background (it may
 * wait for the other members) and `poll` picks up the new assignment from `takeAssignment`. The
 * leader computes the assignment with the given Assignor, which sees every member's topics and
 * userData. Heartbeats run on a timer between rounds.
 */
export class GroupMembership {
  memberId = ''
  generationId = -1
  private needsRejoin = true
  private joining: Promise<void> | null = null
  private result: { assignment: TopicPartition[] } | { error: unknown } | null = null
  private heartbeat: NodeJS.Timeout | undefined
  private closed = false

  constructor(
    private readonly coordinator: GroupCoordinator,
    private readonly metadata: TopicMetadata,
    private readonly config: MembershipConfig,
  ) {}

  get groupId(): string {
    return this.coordinator.groupId
  }

  /** The member must revoke what it owns and call `startJoin`. */
  get rejoinNeeded(): boolean {
    return this.needsRejoin && this.joining === null && !this.closed
  }

  get isJoining(): boolean {
    return this.joining !== null
  }

  startJoin(): void {
    if (this.joining !== null) return
    this.needsRejoin = false
    this.stopHeartbeat()
    this.result = null
    this.joining = this.joinAndSync().then(
      (assignment) => {
        this.result = { assignment }
      },
      (error: unknown) => {
        this.result = { error }
      },
    )
  }

  /**
   * Waits up to `ms` for a running join round. Resolves with the new assignment once (then the
   * member is stable), or null while still joining. A failed round throws (and will be retried by
   * the next `startJoin`).
   */
  async takeAssignment(ms: number): Promise<TopicPartition[] | null> {
    if (this.joining === null) return null
    if (this.result === null && ms > 0) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([this.joining, new Promise<void>((r) => (timer = setTimeout(r, ms)))])
      clearTimeout(timer)
    }
    const result = this.result
    if (result === null) return null
    this.joining = null
    this.result = null
    if ('error' in result) {
      this.needsRejoin = true
      throw result.error
    }
    this.scheduleHeartbeat()
    return result.assignment
  }

  /** Called when a commit or heartbeat learns that the group moved on. */
  markStale(err: unknown): void {
    if (hasProtocolError(err, 'UNKNOWN_MEMBER_ID')) this.memberId = ''
    this.needsRejoin = true
    this.stopHeartbeat()
  }

  /** Leaves the group so the others rebalance at once (not after the session timeout). */
  async leave(): Promise<void> {
    this.closed = true
    this.stopHeartbeat()
    await this.joining?.catch(() => undefined)
    if (this.memberId === '') return
    const memberId = this.memberId
    this.memberId = ''
    await this.coordinator
      .call('LeaveGroup', this.groupId, [{ memberId, groupInstanceId: null, reason: 'consumer closed' }])
      .catch(() => undefined)
  }

  private async joinAndSync(): Promise<TopicPartition[]> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) return []
      let joined: JoinGroupResponse
      try {
        joined = await this.coordinator.call<JoinGroupResponse>(
          'JoinGroup',
          this.groupId,
          this.config.sessionTimeoutMs,
          this.config.rebalanceTimeoutMs,
          this.memberId,
          null,
          'consumer',
          [
            {
              name: this.config.assignor.name,
              metadata: encodeSubscription({
                topics: [...this.config.topics],
                ...(this.config.userData ? { userData: this.config.userData() } : {}),
              }),
            },
          ],
          null,
        )
      } catch (err) {
        if (!this.retryable(err, attempt)) throw err
        const assigned = (err as { response?: { memberId?: string | null } }).response?.memberId
        if (hasProtocolError(err, 'MEMBER_ID_REQUIRED') && assigned) this.memberId = assigned
        if (hasProtocolError(err, 'UNKNOWN_MEMBER_ID')) this.memberId = ''
        continue
      }
      this.memberId = joined.memberId ?? this.memberId
      this.generationId = joined.generationId
      const assignments = joined.leader === this.memberId ? await this.assign(joined.members) : []
      try {
        const synced = await this.coordinator.call<{ assignment: Buffer }>(
          'SyncGroup',
          this.groupId,
          this.generationId,
          this.memberId,
          null,
          'consumer',
          joined.protocolName,
          assignments,
        )
        return decodeAssignment(synced.assignment)
      } catch (err) {
        if (!this.retryable(err, attempt)) throw err
        if (hasProtocolError(err, 'UNKNOWN_MEMBER_ID')) this.memberId = ''
      }
    }
  }

  private retryable(err: unknown, attempt: number): boolean {
    return hasProtocolError(err, ...REJOIN) && attempt < 50 && !this.closed
  }

  /** The leader's step: decode every member's subscription, run the assignor, encode. */
  private async assign(
    members: JoinGroupResponse['members'],
  ): Promise<{ memberId: string; assignment: Buffer }[]> {
    const groupMembers: GroupMember[] = members.map((m) => {
      const subscription = decodeSubscription(m.metadata)
      return subscription.userData === undefined
        ? { memberId: m.memberId, topics: subscription.topics }
        : { memberId: m.memberId, topics: subscription.topics, userData: subscription.userData }
    })
    const topics = [...new Set(groupMembers.flatMap((m) => m.topics))].sort()
    const partitionsPerTopic = new Map<string, number>()
    for (const topic of topics) {
      // A topic that does not exist (yet) gets no partitions rather than failing the group.
      const count = await this.metadata.partitionCount(topic, true).catch(() => 0)
      if (count > 0) partitionsPerTopic.set(topic, count)
    }
    const result = this.config.assignor.assign(groupMembers, partitionsPerTopic)
    return groupMembers.map((m) => ({
      memberId: m.memberId,
      assignment: encodeAssignment(result.get(m.memberId) ?? []),
    }))
  }

  private scheduleHeartbeat(): void {
    this.stopHeartbeat()
    if (this.closed) return
    this.heartbeat = setTimeout(() => void this.beat(), this.config.heartbeatIntervalMs)
    this.heartbeat.unref()
  }

  private async beat(): Promise<void> {
    if (this.closed || this.needsRejoin || this.joining !== null) return
    try {
      await this.coordinator.call('Heartbeat', this.groupId, this.generationId, this.memberId, null)
    } catch (err) {
      if (hasProtocolError(err, ...REJOIN, 'FENCED_INSTANCE_ID')) {
        this.markStale(err)
        return
      }
      // Anything else (a broker restart, a timeout): keep beating; the session timeout decides.
    }
    if (!this.needsRejoin && this.joining === null) this.scheduleHeartbeat()
  }

  private stopHeartbeat(): void {
    clearTimeout(this.heartbeat)
    this.heartbeat = undefined
  }
}
