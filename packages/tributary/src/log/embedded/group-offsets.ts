import { tpKey, type TopicPartition } from '../../record.ts'
import type { PartitionOffset } from '../log.ts'
import type { Journal } from './journal.ts'
import type { MetadataEntry, OffsetTuple } from './metadata-entry.ts'

/** An offset and the tick of the commit record that set it (see GroupOffsets). */
interface Committed {
  readonly offset: PartitionOffset
  readonly at: number
}

/**
 * Committed offsets per (group, topic, partition): the next offset the group will read. Durable
 * through the metadata journal. Callers validate topics before committing.
 *
 * Plain and transactional commits of one partition are ordered as Kafka's group coordinator
 * orders them, by the position of their commit records: each record takes a tick (a plain commit
 * when it is made, a transaction's offsets when they are sent: Kafka's TxnOffsetCommit), and a
 * partition keeps the offset of the newest tick applied. A transaction's offsets are applied when
 * it commits, so they lose to a commit made after they were sent and win over one made before;
 * of two transactions, the offsets sent last win, whichever commits first.
 *
 * Journal entries carry their ticks, so replaying them gives what memory served, whatever the
 * order of the entries (a decision is journaled when its transaction commits, after commits that
 * are older than its offsets); the clock resumes above the highest tick replayed. An entry written
 * before ticks were journaled (no `ticks`) counts as newer than every entry before it: the order
 * in which those versions applied it. Recovery rewrites the journal as a snapshot with ticks.
 */
export class GroupOffsets {
  private readonly groups = new Map<string, Map<string, Committed>>()
  private clock = 0

  constructor(private readonly journal: Journal) {}

  /** A new tick: every commit after this call is newer than it. */
  tick(): number {
    return ++this.clock
  }

  /** Records the commit in the journal (synced when `sync`), then applies it as the newest. */
  commit(group: string, offsets: readonly PartitionOffset[], sync: boolean): void {
    const tuples = toTuples(offsets)
    const at = this.tick()
    const ticks = tuples.map(() => at)
    this.journal.append({ t: 'offsets', group, offsets: tuples, ticks }, sync)
    this.apply(group, tuples, ticks)
  }

  /**
   * Applies `offsets[i]` committed at tick `ticks[i]` where no newer commit set its partition
   * (a transaction's once committed, or journal replay). Without `ticks` (a journal entry written
   * before they were journaled) the offsets are the newest.
   */
  apply(group: string, offsets: readonly OffsetTuple[], ticks?: readonly number[]): void {
    let newest: number | undefined
    offsets.forEach((offset, i) => {
      const at = ticks?.[i] ?? (newest ??= this.tick())
      this.clock = Math.max(this.clock, at)
      const [topic, partition] = offset
      if (at > (this.groups.get(group)?.get(tpKey({ topic, partition }))?.at ?? 0))
        this.set(group, offset, at)
    })
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

  /** Every group's committed offsets. */
  *all(): Generator<{ readonly group: string; readonly offset: PartitionOffset }> {
    for (const [group, committed] of this.groups)
      for (const { offset } of committed.values()) yield { group, offset }
  }

  snapshot(): MetadataEntry[] {
    const entries: MetadataEntry[] = []
    for (const [group, committed] of this.groups) {
      if (committed.size === 0) continue
      const all = [...committed.values()]
      entries.push({
        t: 'offsets',
        group,
        offsets: toTuples(all.map((c) => c.offset)),
        ticks: all.map((c) => c.at),
      })
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
