/**
 * The times a commit stores with a partition's offset (the offset commit metadata), as Kafka
 * Streams stores partition time there:
 * - `processed`: the largest event time processed from the partition. A task resumed at the
 *   committed offset starts with it as partition time and, the largest of its partitions', as
 *   stream time, so what was late before the restart is late after it and nothing on time is.
 * - `frontier`: the event time of the partition's next record when it was buffered, else
 *   `processed`. Other instances read it to align themselves with this partition (see
 *   RemoteFrontiers); it is where the partition resumes after a crash, so whatever ran ahead of it
 *   did so by at most the allowed drift.
 */
export interface PartitionTimes {
  readonly processed: number
  readonly frontier: number
}

const PATTERN = /^tributary-v1;pt=(-?\d*);ft=(-?\d+)$/

/** The metadata for `times`; undefined when nothing is known yet (no record seen). A partition
 *  with a buffered record but none processed has a frontier and no processed time (`pt=`). */
export function encodePartitionTimes(times: PartitionTimes): string | undefined {
  const processed = Number.isFinite(times.processed) ? String(Math.trunc(times.processed)) : ''
  const frontier = Number.isFinite(times.frontier) ? times.frontier : times.processed
  if (!Number.isFinite(frontier)) return undefined
  return `tributary-v1;pt=${processed};ft=${Math.trunc(frontier)}`
}

/** The times in a commit's metadata; undefined for none or metadata written by something else. */
export function decodePartitionTimes(metadata: string | undefined): PartitionTimes | undefined {
  const match = metadata === undefined ? null : PATTERN.exec(metadata)
  if (match === null) return undefined
  return { processed: match[1] === '' ? -Infinity : Number(match[1]), frontier: Number(match[2]) }
}
