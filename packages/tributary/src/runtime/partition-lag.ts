import type { Admin, Consumer, Isolation } from '../log/log.ts'
import { tpKey } from '../record.ts'

export interface PartitionLag {
  readonly topic: string
  readonly partition: number
  /** Records in the log after the consumer's position (as the app's isolation sees the end). */
  readonly lag: number
  /** Records between the log start and the position (Kafka's records-lead). */
  readonly lead: number
}

/** Lag and lead of every partition assigned to `consumer`; partitions without a position are left out. */
export async function partitionLag(
  consumer: Consumer,
  admin: Admin,
  isolation: Isolation,
): Promise<PartitionLag[]> {
  const assigned = consumer.assignment()
  if (assigned.length === 0) return []
  const [ends, starts] = await Promise.all([
    admin.endOffsets(assigned, isolation),
    admin.beginningOffsets(assigned),
  ])
  const start = new Map(starts.map((s) => [tpKey(s), s.offset]))
  return ends.flatMap((end) => {
    let position: number
    try {
      position = consumer.position(end)
    } catch {
      return []
    }
    const lag = Math.max(0, end.offset - position)
    return [
      { topic: end.topic, partition: end.partition, lag, lead: position - (start.get(tpKey(end)) ?? 0) },
    ]
  })
}
