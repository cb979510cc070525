import type { Admin, Isolation } from '../log/log.ts'
import { tpKey, type TopicPartition } from '../record.ts'
import type { AlignmentSettings, RemoteFrontier } from './event-time-aligner.ts'
import { decodePartitionTimes } from './stream-time-metadata.ts'

/**
 * Where the input partitions owned by other instances of the application stand, read from the
 * group's committed offsets: each commit stores a partition's frontier in its metadata
 * (stream-time-metadata.ts), so no extra topic is needed and what others align to is what a
 * crashed owner resumes from. Refreshed at most every `refreshMs`, only while some input
 * partition is not this instance's. A partition with records to process and no frontier yet
 * (its owner has not committed it since it was assigned) holds everything back until its owner
 * does, which it does as soon as it has fetched the partition (OffsetsToCommit). One whose
 * committed offset has reached its end for `idleTimeoutMs` is idle and ignored.
 */
export class RemoteFrontiers implements RemoteFrontier {
  private bySub = new Map<number, number>()
  private remoteCount = 0
  private readonly caughtUpSince = new Map<string, number>()
  private lastRefresh = 0
  /** True until the first refresh after this instance's assignment changed: the frontiers then
   *  describe the old assignment (a partition just given away has none), so everything waits. */
  private stale = true

  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly isolation: Isolation,
    private readonly settings: AlignmentSettings,
    private readonly refreshMs = 200,
    private readonly waitingRefreshMs = 20,
  ) {}

  frontier(subTopology: number): number | undefined {
    return this.stale ? -Infinity : this.bySub.get(subTopology)
  }

  /** Called when this instance's partitions change: holds every task until the next refresh,
   *  which is due at once. */
  invalidate(): void {
    this.stale = true
    this.lastRefresh = 0
  }

  /** True when the last refresh found input partitions owned elsewhere. */
  get active(): boolean {
    return this.remoteCount > 0
  }

  /** Whether `refresh` would read the frontiers again now (so callers build its input only then). */
  due(now: number, waiting = false): boolean {
    return now - this.lastRefresh >= (waiting ? this.waitingRefreshMs : this.refreshMs)
  }

  /**
   * @param inputs every input partition of the application with its sub-topology
   * @param local the keys (tpKey) of the partitions this instance owns
   * @param waiting whether tasks wait for these frontiers: then they are read again sooner
   */
  async refresh(
    now: number,
    inputs: ReadonlyMap<string, readonly [TopicPartition, number]>,
    local: ReadonlySet<string>,
    waiting = false,
  ): Promise<void> {
    if (!this.due(now, waiting)) return
    this.lastRefresh = now
    const remote = [...inputs.values()].filter(([tp]) => !local.has(tpKey(tp))).map(([tp]) => tp)
    this.remoteCount = remote.length
    const bySub = new Map<number, number>()
    if (remote.length === 0) {
      this.bySub = bySub
      this.stale = false
      return
    }
    const [committed, ends] = await Promise.all([
      this.admin.committedOffsets(this.groupId, remote),
      this.admin.endOffsets(remote, this.isolation),
    ])
    const byKey = new Map(committed.map((c) => [tpKey(c), c]))
    const uncommitted = remote.filter((tp) => !byKey.has(tpKey(tp)))
    const beginnings = uncommitted.length > 0 ? await this.admin.beginningOffsets(uncommitted) : []
    const beginning = new Map(beginnings.map((b) => [tpKey(b), b.offset]))
    for (const e of ends) {
      const key = tpKey(e)
      const c = byKey.get(key)
      const position = c?.offset ?? beginning.get(key) ?? 0
      const times = decodePartitionTimes(c?.metadata)
      if (times === undefined) {
        if (position < e.offset) bySub.set(inputs.get(key)![1], -Infinity)
        continue
      }
      if (position >= e.offset) {
        const since = this.caughtUpSince.get(key) ?? now
        this.caughtUpSince.set(key, since)
        if (now - since >= this.settings.idleTimeoutMs) continue
      } else this.caughtUpSince.delete(key)
      const sub = inputs.get(key)![1]
      bySub.set(sub, Math.min(bySub.get(sub) ?? Infinity, times.frontier))
    }
    this.bySub = bySub
    this.stale = false
  }
}
