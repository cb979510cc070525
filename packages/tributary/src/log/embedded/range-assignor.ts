import type { TopicPartition } from '../../record.ts'
import type { Assignor, GroupMember } from '../log.ts'

/**
 * Kafka's RangeAssignor: per topic, members subscribed to it (sorted by id) get consecutive
 * partition ranges; the first `partitions % members` members get one extra. Every member appears
 * in the result, possibly with no partitions.
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  assign(members: readonly GroupMember[], partitionsPerTopic: ReadonlyMap<string, number>) {
    const result = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]))
    for (const topic of [...partitionsPerTopic.keys()].sort()) {
      const count = partitionsPerTopic.get(topic)!
      const subscribers = members
        .filter((m) => m.topics.includes(topic))
        .map((m) => m.memberId)
        .sort()
      if (subscribers.length === 0) continue
      const base = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      let partition = 0
      subscribers.forEach((memberId, i) => {
        const take = base + (i < extra ? 1 : 0)
        for (let n = 0; n < take; n++) result.get(memberId)!.push({ topic, partition: partition++ })
      })
    }
    return result
  },
}
