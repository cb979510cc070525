import type { Admin, Consumer, Isolation, PartitionOffset } from '../log/log.ts'
import { tpKey, type TopicPartition } from '../record.ts'
import { EventTimeAligner } from './event-time-aligner.ts'
import { InputBackpressure } from './input-backpressure.ts'
import { InputPauses } from './input-pauses.ts'
import type { LagTracker } from './lag-tracker.ts'
import { RemoteFrontiers } from './remote-frontiers.ts'
import { decodePartitionTimes } from './stream-time-metadata.ts'
import type { ResolvedConfig } from './streams-config.ts'
import type { Task } from './task.ts'

/** Commit interval while other instances align to this one's committed frontiers. */
const ALIGNED_COMMIT_INTERVAL_MS = 1000
/** Shortest interval between commits made because other instances wait for them. */
const EAGER_COMMIT_MS = 20
/** Longest poll while tasks wait for other instances' frontiers. */
const WAITING_POLL_MS = 10

/**
 * What a StreamsApp does for event time: runs its tasks in event-time step (EventTimeAligner, with
 * the frontiers of partitions other instances own), pauses inputs whose tasks hold enough, and
 * resumes new tasks at the stream times committed with their offsets.
 */
export class AppAlignment {
  private readonly aligner: EventTimeAligner
  private readonly remote: RemoteFrontiers | undefined
  private readonly pauses: InputPauses
  private movedSinceCommit = false

  constructor(
    private readonly config: ResolvedConfig,
    admin: Admin,
    isolation: Isolation,
    lag: () => LagTracker | undefined,
  ) {
    const { eventTimeAlignment, maxEventTimeDriftMs, idleTimeoutMs } = config
    const settings = eventTimeAlignment ? { maxEventTimeDriftMs, idleTimeoutMs } : undefined
    if (settings !== undefined && config.eventTimeAlignmentAcrossInstances)
      this.remote = new RemoteFrontiers(admin, config.applicationId, isolation, settings)
    this.aligner = new EventTimeAligner(settings, (tp) => !(lag()?.caughtUp(tp) ?? true), this.remote)
    const backpressure = new InputBackpressure(config.maxPollRecords)
    this.pauses = new InputPauses(settings === undefined ? [backpressure] : [backpressure, this.aligner])
  }

  /** Processes the tasks' buffered records as far as alignment allows; pauses the inputs whose
   *  tasks hold enough of them, or records past what alignment lets them process. */
  process(tasks: readonly Task[], consumer: Consumer): void {
    const n = this.aligner.process(tasks, this.config.clock())
    if (n > 0) this.movedSinceCommit = true
    this.pauses.update(consumer, tasks)
  }

  /** How long a poll may wait for records now: briefly while tasks wait for other instances'
   *  frontiers, so they are read again soon. */
  get pollMs(): number {
    return this.aligner.waitingForOthers()
      ? Math.min(this.config.pollMs, WAITING_POLL_MS)
      : this.config.pollMs
  }

  /**
   * Whether a commit is due `elapsed` ms after the last: every `commitIntervalMs`, at most every
   * second while other instances own input partitions (they align to our commits), and at once
   * (after EAGER_COMMIT_MS) when our tasks moved on but now wait for the others: the instances
   * are then in lockstep on a backlog, each waiting for the others' next commit, and how fast
   * they go is the drift per round trip of commit and read.
   */
  commitDue(elapsed: number): boolean {
    if (elapsed >= this.config.commitIntervalMs) return true
    if (!this.remote?.active) return false
    if (elapsed >= ALIGNED_COMMIT_INTERVAL_MS) return true
    return this.movedSinceCommit && this.aligner.waitingForOthers() && elapsed >= EAGER_COMMIT_MS
  }

  /** Called after each successful commit. */
  committed(): void {
    this.movedSinceCommit = false
  }

  /** Re-reads other instances' frontiers when due. `inputs`: every input partition's sub-topology. */
  async refresh(
    subOfTopic: ReadonlyMap<string, number>,
    partitionCount: (topic: string) => number,
    consumer: Consumer,
  ): Promise<void> {
    const now = Date.now()
    const waiting = this.aligner.waitingForOthers()
    if (this.remote === undefined || !this.remote.due(now, waiting)) return
    const inputs = new Map<string, readonly [TopicPartition, number]>()
    for (const [topic, sub] of subOfTopic)
      for (let partition = 0; partition < partitionCount(topic); partition++)
        inputs.set(tpKey({ topic, partition }), [{ topic, partition }, sub])
    const local = new Set(consumer.assignment().map(tpKey))
    await this.remote.refresh(now, inputs, local, waiting)
  }

  /** Called when this instance's partitions change (rebalance, recovery): what others' commits
   *  said was read for the old assignment, so tasks wait for a fresh read. */
  assignmentChanged(): void {
    this.remote?.invalidate()
    this.pauses.reset()
  }

  /** Gives `tasks` the stream times committed with the offsets of `partitions`. */
  async restoreTimes(
    tasks: readonly Task[],
    consumer: Consumer,
    partitions: readonly TopicPartition[],
    committed?: readonly PartitionOffset[],
  ): Promise<void> {
    if (partitions.length === 0) return
    const times = new Map<string, number>()
    for (const o of committed ?? (await consumer.committed(partitions))) {
      const decoded = decodePartitionTimes(o.metadata)
      if (decoded !== undefined && decoded.processed > -Infinity) times.set(tpKey(o), decoded.processed)
    }
    if (times.size > 0) for (const task of tasks) task.restoreTimes(times)
  }
}
