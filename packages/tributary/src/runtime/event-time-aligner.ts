import type { TopicPartition } from '../record.ts'
import type { PauseRule } from './input-pauses.ts'
import type { Task } from './task.ts'

export interface AlignmentSettings {
  /** How far (event time) a task may run ahead of the slowest active input of its sub-topology. */
  readonly maxEventTimeDriftMs: number
  /** How long an input that has nothing buffered and nothing left to fetch still holds the others
   *  back at its last event time; after that it is idle and ignored until it has data again. */
  readonly idleTimeoutMs: number
}

/** Where the inputs of a sub-topology that other instances own stand (see RemoteFrontiers). */
export interface RemoteFrontier {
  frontier(subTopology: number): number | undefined
}

/**
 * Runs the buffered records of an instance's tasks in event-time step. Tasks of one sub-topology
 * write into the same repartition and output topics, so a task that drains its backlog ahead of
 * the others would fill those topics out of event-time order, and the windows downstream would
 * drop the others' records as late. So each sub-topology has a frontier: the smallest event time
 * still to come from its active inputs (a buffered head; for an input with nothing buffered, its
 * last event time while it lags or until it has been idle for `idleTimeoutMs`; for inputs other
 * instances own, their committed frontier), and its tasks only take records up to frontier +
 * `maxEventTimeDriftMs`. Rounds repeat while any record is taken: each moves the frontier past the
 * previous bound, so the cost per record is one comparison and a round per drift of event time.
 *
 * As a PauseRule it stops fetching inputs that already hold records past their sub-topology's
 * bound (fetching more of them would only add records to hold), so the consumer's polls fill
 * from the inputs that hold the frontier back, as Flink pauses the sources that run ahead. An
 * input with nothing buffered is never paused: the frontier waits on such inputs only.
 */
export class EventTimeAligner implements PauseRule {
  /** Since when each caught-up input with nothing buffered has been so (keyed by the task's own
   *  partition objects, so no key is built per check; a closed task's entries go with it). */
  private readonly idleSince = new WeakMap<TopicPartition, number>()
  /** Answers of `lagging` during one `process` call: neither the consumer's positions nor the
   *  known end offsets change within one, and the rounds ask again for every empty input. */
  private readonly lagThisCall = new Map<TopicPartition, boolean>()
  private waiting = false
  /** Each sub-topology's bound (frontier + drift) after the last `process`. */
  private readonly bounds = new Map<number, number>()

  constructor(
    private readonly settings: AlignmentSettings | undefined,
    /** Whether the partition may have data in the log the consumer has not fetched yet (true
     *  while that is unknown, e.g. before its first fetch). */
    private readonly lagging: (partition: TopicPartition) => boolean,
    private readonly remote?: RemoteFrontier,
  ) {}

  /** Processes what alignment allows now; returns the number of records taken. */
  process(tasks: readonly Task[], now: number): number {
    this.waiting = false
    if (this.settings === undefined) return tasks.reduce((n, task) => n + task.process(Infinity, now), 0)
    const drift = this.settings.maxEventTimeDriftMs
    const groups = bySubTopology(tasks)
    this.lagThisCall.clear()
    let total = 0
    for (;;) {
      let taken = 0
      let waiting = false
      for (const [sub, group] of groups) {
        const remote = this.remote?.frontier(sub) ?? Infinity
        const local = this.localFrontier(group, now)
        const until = Math.min(remote, local) + drift
        this.bounds.set(sub, until)
        for (const task of group) {
          taken += task.process(Infinity, now, until)
          if (remote <= local && task.inputs.size() > 0) waiting = true
        }
      }
      total += taken
      if (taken === 0) {
        this.waiting = waiting
        return total
      }
    }
  }

  /** True when, after the last `process`, some task holds records only because of a frontier of
   *  partitions other instances own (so fresher frontiers would let it go on). */
  waitingForOthers(): boolean {
    return this.waiting
  }

  paused(task: Task, tp: TopicPartition): boolean {
    const bound = this.bounds.get(task.subTopology.id)
    return bound !== undefined && task.inputs.bufferedIn(tp) > 0 && task.inputs.partitionTime(tp) > bound
  }

  /** The smallest event time still to come from the sub-topology's inputs in this instance. */
  private localFrontier(tasks: readonly Task[], now: number): number {
    let min = Infinity
    for (const task of tasks)
      for (const tp of task.inputs.partitions()) {
        const time = this.partitionFrontier(task, tp, now)
        if (time !== undefined && time < min) min = time
      }
    return min
  }

  private partitionFrontier(task: Task, tp: TopicPartition, now: number): number | undefined {
    const head = task.inputs.headTime(tp)
    if (head !== undefined) {
      this.idleSince.delete(tp)
      return head
    }
    const last = task.inputs.processedTime(tp)
    let lagging = this.lagThisCall.get(tp)
    if (lagging === undefined) this.lagThisCall.set(tp, (lagging = this.lagging(tp)))
    if (lagging) {
      this.idleSince.delete(tp)
      return last // -Infinity when nothing is known yet: wait for its first records
    }
    if (last === -Infinity) return undefined // no data so far and none to fetch
    let since = this.idleSince.get(tp)
    if (since === undefined) this.idleSince.set(tp, (since = now))
    return now - since < this.settings!.idleTimeoutMs ? last : undefined
  }
}

function bySubTopology(tasks: readonly Task[]): Map<number, Task[]> {
  const groups = new Map<number, Task[]>()
  for (const task of tasks) {
    const group = groups.get(task.subTopology.id)
    if (group === undefined) groups.set(task.subTopology.id, [task])
    else group.push(task)
  }
  return groups
}
