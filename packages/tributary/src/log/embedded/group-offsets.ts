import { tpKey, type TopicPartition } from '../../record.ts'
import type { PartitionOffset } from '../log.ts'
import type { Journal } from './journal.ts'
import type { MetadataEntry, OffsetTuple } from './metadata-entry.ts'

/** An offset and the tick of the commit that set it (see GroupOffsets). */
interface Committed {
  readonly offset: PartitionOffset
  readonly at: number
}

/**
 * Committed offsets per (group, topic, partition): the next offset the group will read. Durable
 * through the metadata journal. Callers validate topics before committing.
 *
 * Plain and transactional commits of one partition are ordered as Kafka's group coordinator
 * orders them (by the position of their commit records): every commit takes a tick, and each
 * offset keeps the tick of the commit that set it. A transaction's offsets tick when they are sent
 * (Kafka's TxnOffsetCommit) and take effect with its commit; any commit after that tick wins over
 * them. The coordinator journals a decision with only the offsets nothing newer replaced (see
 * `newerThan`), and applies them after the decision is durable with `applyDecided`, which skips
 * those replaced meanwhile: what memory serves is what replaying the journal in order gives.
 */
export class GroupOffsets {
  private readonly groups = new Map<string, Map<string, Committed>>()
  private clock = 0

  constructor(private readonly journal: Journal) {}

  /** A new tick: every commit after this call is newer than it. */
  tick(): number {
    return ++this.clock
  }

  /** Records the commit in the journal (synced when `sync`), then applies it. */
  commit(group: string, offsets: readonly PartitionOffset[], sync: boolean): void {
    this.journal.append({ t: 'offsets', group, offsets: toTuples(offsets) }, sync)
    this.apply(group, toTuples(offsets))
  }

  /** Applies offsets without journaling, as the newest commit (journal replay). */
  apply(group: string, offsets: readonly OffsetTuple[]): void {
    const at = this.tick()
    for (const offset of offsets) this.set(group, offset, at)
  }

  /** Applies a transaction's offsets decided at tick `decidedAt`, but none that a commit after
   *  it replaced (those come after the decision in the journal too). */
  applyDecided(group: string, offsets: readonly OffsetTuple[], decidedAt: number): void {
    for (const offset of this.notReplaced(group, offsets, decidedAt)) this.set(group, offset, decidedAt)
  }

  /** The offsets of a decision taken at tick `decidedAt` that no later commit replaced. */
  notReplaced(group: string, offsets: readonly OffsetTuple[], decidedAt: number): OffsetTuple[] {
    return offsets.filter(([topic, partition]) => !this.newerThan(group, { topic, partition }, decidedAt))
  }

  /** Whether the offset of `tp` was committed after tick `at`. */
  newerThan(group: string, tp: TopicPartition, at: number): boolean {
    return (this.groups.get(group)?.get(tpKey(tp))?.at ?? 0) > at
  }

  private set(group: string, [topic, partition, offset, metadata]: OffsetTuple, at: number): void {
    let committed = this.groups.get(group)
    if (committed === undefined) this.groups.set(group, (committed = new Map()))
    committed.set(tpKey({ topic, partition }), {
      offset: metadata === undefined ? { topic, partition, offset } : { topic, partition, offset, metadata },
      at,
    })
  }

  get(group: string, partitions: readonly TopicPartition[]): PartitionOffset[] {
    const committed = this.groups.get(group)
    if (committed === undefined) return []
    const found: PartitionOffset[] = []
    for (const tp of partitions) {
      const c = committed.get(tpKey(tp))
      if (c !== undefined) found.push(c.offset)
    }
    return found
  }

  offsetOf(group: string, tp: TopicPartition): number | undefined {
    return this.groups.get(group)?.get(tpKey(tp))?.offset.offset
  }

  /** Forgets every group's offsets for a deleted topic. */
  dropTopic(topic: string): void {
    for (const committed of this.groups.values()) {
      for (const [key, { offset }] of committed) if (offset.topic === topic) committed.delete(key)
    }
  }

  snapshot(): MetadataEntry[] {
    const entries: MetadataEntry[] = []
    for (const [group, committed] of this.groups) {
      if (committed.size > 0)
        entries.push({ t: 'offsets', group, offsets: toTuples([...committed.values()].map((c) => c.offset)) })
    }
    return entries
  }
}

export const toTuples = (offsets: readonly PartitionOffset[]): OffsetTuple[] =>
  offsets.map((o) =>
    o.metadata === undefined
      ? [o.topic, o.partition, o.offset]
      : [o.topic, o.partition, o.offset, o.metadata],
  )
