import type { Admin, Consumer, Isolation } from '../log/log.ts'
import { tpKey, type TopicPartition } from '../record.ts'

/** True when `consumer` has read each of its assigned partitions to the end (as `isolation` sees it). */
export async function readToEnd(consumer: Consumer, admin: Admin, isolation: Isolation): Promise<boolean> {
  const ends = await admin.endOffsets(consumer.assignment(), isolation)
  return ends.every((e) => consumer.position(e) >= e.offset)
}

/** A partition's end offset and the number of the look at the log that read it. */
interface KnownEnd {
  readonly offset: number
  readonly look: number
}

/**
 * Tells whether input partitions have data in the log that the consumer has not fetched yet, from
 * end offsets refreshed (at most every `refreshMs`) for the partitions asked about since the last
 * refresh. A partition with no known end yet counts as lagging until the next refresh.
 */
export class LagTracker {
  private readonly ends = new Map<string, KnownEnd>()
  private readonly wanted = new Map<string, TopicPartition>()
  private lastRefresh = 0
  private lookCount = 0

  constructor(
    private readonly admin: Admin,
    private readonly isolation: Isolation,
    private readonly position: (partition: TopicPartition) => number,
    private readonly refreshMs = 100,
  ) {}

  /** How many looks at the log's end offsets have started: a mark to give `lagging` later. */
  looks(): number {
    return this.lookCount
  }

  /**
   * True when any of `partitions` has data past the consumer's position, or when its end is known
   * only from a look at the log started before mark `afterLook` was taken (an end read before a
   * partition went empty says nothing about records written since: the caller waits for the next
   * look).
   */
  lagging(partitions: readonly TopicPartition[], afterLook = 0): boolean {
    let lagging = false
    for (const tp of partitions) {
      const key = tpKey(tp)
      this.wanted.set(key, tp)
      const end = this.ends.get(key)
      if (end === undefined || end.look <= afterLook || this.positionOf(tp) < end.offset) lagging = true
    }
    return lagging
  }

  /**
   * True only when the partition's position is known and has reached its last known end. Unlike
   * `lagging`, a partition with no position yet (just assigned) does not count as caught up:
   * event-time alignment must wait for it rather than ignore it.
   */
  caughtUp(tp: TopicPartition): boolean {
    const key = tpKey(tp)
    this.wanted.set(key, tp)
    const end = this.ends.get(key)
    if (end === undefined) return false
    try {
      return this.position(tp) >= end.offset
    } catch {
      return false
    }
  }

  /** Fetches end offsets of the partitions asked about since the last refresh. */
  async refresh(now: number): Promise<void> {
    if (this.wanted.size === 0 || now - this.lastRefresh < this.refreshMs) return
    this.lastRefresh = now
    const look = ++this.lookCount
    const partitions = [...this.wanted.values()]
    this.wanted.clear()
    for (const e of await this.admin.endOffsets(partitions, this.isolation))
      this.ends.set(tpKey(e), { offset: e.offset, look })
  }

  private positionOf(tp: TopicPartition): number {
    try {
      return this.position(tp)
    } catch {
      return Number.MAX_SAFE_INTEGER // no position yet: fall back to time-based idling
    }
  }
}
