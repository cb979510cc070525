import { tpKey, type TopicPartition } from '../../record.ts'
import type { Assignor, GroupMember } from '../log.ts'
import type { Signal } from './signal.ts'
import type { TopicRegistry } from './topic-registry.ts'

interface Member {
  readonly memberId: string
  readonly topics: readonly string[]
  readonly assignor: Assignor
  readonly userData: (() => Buffer) | undefined
  /** What the last rebalance gave this member. */
  target: Map<string, TopicPartition>
  /** What it owns now: it gives up partitions (after its listener ran) before others take them. */
  readonly owned: Map<string, TopicPartition>
}

interface Group {
  readonly members: Map<string, Member>
  /** tpKey -> memberId currently owning the partition */
  readonly owners: Map<string, string>
}

export const groupWakeKey = (groupId: string): string => `group:${groupId}`

/**
 * In-process group membership for subscribed consumers of one EmbeddedLog. Every join, leave or
 * change of a subscribed topic rebalances the group with the first member's assignor. Moving a
 * partition is two-phase, like Kafka's cooperative protocol: the old owner releases it (from its
 * `poll`, after onRevoked) before the new owner can acquire it, so no partition ever has two
 * owners. A member that stops polling keeps its partitions until it closes.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>()

  constructor(
    private readonly registry: TopicRegistry,
    private readonly signal: Signal,
  ) {}

  join(
    groupId: string,
    memberId: string,
    topics: readonly string[],
    assignor: Assignor,
    userData: (() => Buffer) | undefined,
  ): void {
    let group = this.groups.get(groupId)
    if (group === undefined) this.groups.set(groupId, (group = { members: new Map(), owners: new Map() }))
    const owned = group.members.get(memberId)?.owned ?? new Map<string, TopicPartition>()
    group.members.set(memberId, {
      memberId,
      topics: [...topics],
      assignor,
      userData,
      target: new Map(),
      owned,
    })
    this.rebalance(groupId, group)
  }

  /** Removes the member, frees what it owned and rebalances the rest. */
  leave(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId)
    const member = group?.members.get(memberId)
    if (group === undefined || member === undefined) return
    for (const key of member.owned.keys()) group.owners.delete(key)
    group.members.delete(memberId)
    if (group.members.size === 0) this.groups.delete(groupId)
    else this.rebalance(groupId, group)
  }

  /** Rebalances every group with a member subscribed to one of `topics` (created or deleted). */
  topicsChanged(topics: readonly string[]): void {
    for (const [groupId, group] of this.groups) {
      const affected = [...group.members.values()].some((m) => m.topics.some((t) => topics.includes(t)))
      if (affected) this.rebalance(groupId, group)
    }
  }

  /** Partitions the member owns but the last rebalance took away: revoke them, then `release`. */
  revocations(groupId: string, memberId: string): TopicPartition[] {
    const member = this.groups.get(groupId)?.members.get(memberId)
    if (member === undefined) return []
    return [...member.owned].filter(([key]) => !member.target.has(key)).map(([, tp]) => tp)
  }

  release(groupId: string, memberId: string, partitions: readonly TopicPartition[]): void {
    const group = this.groups.get(groupId)
    const member = group?.members.get(memberId)
    if (group === undefined || member === undefined) return
    for (const tp of partitions) {
      const key = tpKey(tp)
      member.owned.delete(key)
      if (group.owners.get(key) === memberId) group.owners.delete(key)
    }
    this.signal.notify(groupWakeKey(groupId))
  }

  /** Takes every targeted partition nobody owns any more; returns the newly owned ones. */
  acquire(groupId: string, memberId: string): TopicPartition[] {
    const group = this.groups.get(groupId)
    const member = group?.members.get(memberId)
    if (group === undefined || member === undefined) return []
    const gained: TopicPartition[] = []
    for (const [key, tp] of member.target) {
      if (member.owned.has(key) || group.owners.has(key)) continue
      group.owners.set(key, memberId)
      member.owned.set(key, tp)
      gained.push(tp)
    }
    return gained
  }

  owned(groupId: string, memberId: string): TopicPartition[] {
    return [...(this.groups.get(groupId)?.members.get(memberId)?.owned.values() ?? [])]
  }

  private rebalance(groupId: string, group: Group): void {
    const members = [...group.members.values()]
    const partitionsPerTopic = new Map<string, number>()
    for (const m of members) {
      for (const topic of m.topics) {
        const found = this.registry.find(topic)
        if (found !== undefined) partitionsPerTopic.set(topic, found.description.partitions)
      }
    }
    const groupMembers: GroupMember[] = members.map((m) => {
      const userData = m.userData?.()
      return userData === undefined
        ? { memberId: m.memberId, topics: m.topics }
        : { memberId: m.memberId, topics: m.topics, userData }
    })
    const assignment = members[0]!.assignor.assign(groupMembers, partitionsPerTopic)
    const taken = new Set<string>()
    for (const m of members) {
      m.target = new Map()
      for (const tp of assignment.get(m.memberId) ?? []) {
        const key = tpKey(tp)
        const count = partitionsPerTopic.get(tp.topic)
        if (taken.has(key) || count === undefined || tp.partition < 0 || tp.partition >= count) continue
        taken.add(key)
        m.target.set(key, { topic: tp.topic, partition: tp.partition })
      }
    }
    this.signal.notify(groupWakeKey(groupId))
  }
}
