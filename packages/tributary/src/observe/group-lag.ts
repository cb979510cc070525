import type { Admin, Isolation } from '../log/log.ts'
import { tpKey } from '../record.ts'

export interface GroupPartitionLag {
  readonly topic: string
  readonly partition: number
  /** End offset (last stable offset under read_committed). */
  readonly end: number
  /** The group's committed offset, or the partition's beginning if it has none. */
  readonly committed: number
  readonly lag: number
}

/**
 * Lag of a consumer group on some topics, from the log's committed offsets: what a group that
 * commits to the log (a StreamsApp, a plain consumer) has still to read. Topics that do not exist
 * are left out.
 */
export async function groupLag(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  isolation: Isolation = 'read_committed',
): Promise<GroupPartitionLag[]> {
  const existing = new Set(await admin.listTopics())
  const present = topics.filter((t) => existing.has(t))
  if (present.length === 0) return []
  const described = await admin.describeTopics(present)
  const partitions = described.flatMap((t) =>
    Array.from({ length: t.partitions }, (_, partition) => ({ topic: t.name, partition })),
  )
  const [ends, begins, committed] = await Promise.all([
    admin.endOffsets(partitions, isolation),
    admin.beginningOffsets(partitions),
    admin.committedOffsets(groupId, partitions),
  ])
  const at = (list: readonly { topic: string; partition: number; offset: number }[]) =>
    new Map(list.map((o) => [tpKey(o), o.offset]))
  const endOf = at(ends)
  const beginOf = at(begins)
  const committedOf = at(committed)
  return partitions.map((tp) => {
    const end = endOf.get(tpKey(tp)) ?? 0
    const from = committedOf.get(tpKey(tp)) ?? beginOf.get(tpKey(tp)) ?? 0
    return { ...tp, end, committed: from, lag: Math.max(0, end - from) }
  })
}
