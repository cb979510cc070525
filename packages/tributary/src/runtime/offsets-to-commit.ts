import { TributaryError } from '../errors.ts'
import type { Consumer, GroupMetadata, PartitionOffset } from '../log/log.ts'
import { tpKey, type TopicPartition } from '../record.ts'
import { encodePartitionTimes } from './stream-time-metadata.ts'
import type { Task } from './task.ts'

/**
 * The input offsets a commit carries: each task's "last processed record + 1", and, for a partition
 * with nothing buffered in its task, the consumer's position when it has moved past that or past
 * the last commit. The position runs ahead of the records only over transaction markers and
 * aborted records (it never passes a record not handed out), so committing it is exact, and an
 * idle app ends at the partition's end instead of one short of it (the last commit marker).
 * Each offset carries the partition's times (stream-time-metadata.ts); a partition whose times
 * changed is committed again even when its offset did not move, so other instances see where it is.
 */
export class OffsetsToCommit {
  private readonly committed = new Map<string, PartitionOffset>()

  collect(tasks: readonly Task[], consumer: Consumer): PartitionOffset[] {
    const offsets = new Map<string, PartitionOffset>()
    for (const task of tasks) {
      for (const o of task.consumedOffsets()) offsets.set(tpKey(o), o)
      for (const tp of task.inputs.partitions()) {
        const key = tpKey(tp)
        const last = this.committed.get(key)
        // A partition not consumed from yet is committed at its first buffered record, so other
        // instances learn its frontier before its task may process anything.
        let offset = offsets.get(key)?.offset ?? last?.offset ?? task.inputs.headOffset(tp)
        if (task.inputs.bufferedIn(tp) === 0) {
          // Also a partition never consumed from whose position passed only aborted records and
          // markers: committed there, others see it has nothing to come (else they wait for it).
          const position = positionOf(consumer, tp)
          if (position !== undefined) offset = Math.max(offset ?? position, position)
        }
        if (offset === undefined) continue
        const metadata = encodePartitionTimes(task.partitionTimes(tp))
        if (!offsets.has(key) && last?.offset === offset && last.metadata === metadata) continue
        offsets.set(key, metadata === undefined ? { ...tp, offset } : { ...tp, offset, metadata })
      }
    }
    return [...offsets.values()]
  }

  /** Records what a successful commit carried. */
  done(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets) this.committed.set(tpKey(o), o)
  }
}

/** What the offsets of a transaction are committed as: the consumer's generation where the log
 *  checks it (Kafka), so a rebalance that moved our tasks makes the commit fail (then abort). */
export function committedAs(consumer: Consumer, applicationId: string): string | GroupMetadata {
  if (consumer.groupMetadata === undefined) return applicationId
  const member = consumer.groupMetadata()
  if (member === undefined)
    throw new TributaryError('LOG', 'this instance is no longer a member of its group; its tasks have moved')
  return member
}

function positionOf(consumer: Consumer, tp: TopicPartition): number | undefined {
  try {
    return consumer.position(tp)
  } catch {
    return undefined // no position: the partition is being given up or not fetched yet
  }
}
