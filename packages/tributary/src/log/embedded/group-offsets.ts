import { tpKey, type TopicPartition } from '../../record.ts'
import type { PartitionOffset } from '../log.ts'
import type { Journal } from './journal.ts'
import type { MetadataEntry, OffsetTuple } from './metadata-entry.ts'

/**
 * Committed offsets per (group, topic, partition): the next offset the group will read. Durable
 * through the metadata journal. Callers validate topics before committing.
 */
export class GroupOffsets {
  private readonly groups = new Map<string, Map<string, PartitionOffset>>()

  constructor(private readonly journal: Journal) {}

  /** Records the commit in the journal (synced when `sync`), then applies it. */
  commit(group: string, offsets: readonly PartitionOffset[], sync: boolean): void {
    this.journal.append({ t: 'offsets', group, offsets: toTuples(offsets) }, sync)
    this.apply(group, toTuples(offsets))
  }

  /** Applies offsets without journaling (replay, or part of a journaled transaction decision). */
  apply(group: string, offsets: readonly OffsetTuple[]): void {
    let committed = this.groups.get(group)
    if (committed === undefined) this.groups.set(group, (committed = new Map()))
    for (const [topic, partition, offset, metadata] of offsets) {
      committed.set(
        tpKey({ topic, partition }),
        metadata === undefined ? { topic, partition, offset } : { topic, partition, offset, metadata },
      )
    }
  }

  get(group: string, partitions: readonly TopicPartition[]): PartitionOffset[] {
    const committed = this.groups.get(group)
    if (committed === undefined) return []
    const found: PartitionOffset[] = []
    for (const tp of partitions) {
      const offset = committed.get(tpKey(tp))
      if (offset !== undefined) found.push(offset)
    }
    return found
  }

  offsetOf(group: string, tp: TopicPartition): number | undefined {
    return this.groups.get(group)?.get(tpKey(tp))?.offset
  }

  /** Forgets every group's offsets for a deleted topic. */
  dropTopic(topic: string): void {
    for (const committed of this.groups.values()) {
      for (const [key, offset] of committed) if (offset.topic === topic) committed.delete(key)
    }
  }

  snapshot(): MetadataEntry[] {
    const entries: MetadataEntry[] = []
    for (const [group, committed] of this.groups) {
      if (committed.size > 0)
        entries.push({ t: 'offsets', group, offsets: toTuples([...committed.values()]) })
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
