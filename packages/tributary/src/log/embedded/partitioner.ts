import { TributaryError } from '../../errors.ts'
import type { ProducerRecord } from '../log.ts'
import { partitionForKey } from '../murmur2.ts'

/**
 * Picks a record's partition: the explicit one (validated), murmur2 of the key (Kafka's default),
 * or round robin per topic for null keys. One instance per producer.
 */
export class Partitioner {
  private readonly next = new Map<string, number>()

  partition(record: ProducerRecord, partitions: number): number {
    const explicit = record.partition
    if (explicit !== undefined) {
      if (!Number.isInteger(explicit) || explicit < 0 || explicit >= partitions) {
        throw new TributaryError(
          'LOG',
          `topic ${record.topic} has no partition ${explicit} (it has ${partitions})`,
        )
      }
      return explicit
    }
    if (record.key !== null) return partitionForKey(record.key, partitions)
    const n = this.next.get(record.topic) ?? 0
    this.next.set(record.topic, n + 1)
    return n % partitions
  }
}
