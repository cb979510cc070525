import type { ConsumerRecord } from '../log/log.ts'
import type { LateWindow } from './late-record-log.ts'
import { sameTopicPartition, type TopicPartition } from '../record.ts'
import type { Topology } from '../topology/topology.ts'
import type { StoreRestorer } from './store-restorer.ts'
import { Task, type TaskEnvironment } from './task.ts'
import { newTaskMetrics, sumTaskMetrics, type TaskMetrics } from './task-metrics.ts'
import { TaskStores } from './task-stores.ts'
import type { TopicNames } from './topic-plan.ts'
import { timedStores } from './timed-stores.ts'

/** How many (task, processor, window) late counts of closed tasks are kept. */
const RETIRED_WINDOWS_CAP = 4096

/** A running task with its stores. */
export interface ActiveTask {
  readonly task: Task
  readonly stores: TaskStores
}

/**
 * Turns the consumer's partition assignment into tasks: sub-topology S gets a task for partition
 * p when any of S's input partitions numbered p is assigned. New tasks restore their stores before
 * they are returned; revoked tasks are closed (the caller commits first).
 */
export class TaskManager {
  readonly tasks = new Map<string, ActiveTask>()
  /** Counters of tasks closed so far (revoked or closed), so app-level totals never go back. */
  readonly retiredMetrics: TaskMetrics = newTaskMetrics()
  /** Late records per `<task>/<processor>`, of live and closed tasks. */
  private readonly retiredLate = new Map<string, number>()
  /** Late records per window of closed tasks (the most recent RETIRED_WINDOWS_CAP). */
  private readonly retiredWindows = new Map<string, LateWindow>()
  /** Physical input topic -> sub-topology id. */
  readonly subOfTopic = new Map<string, number>()
  /** The task whose stores are being restored now, if any. */
  restoring: string | undefined

  constructor(
    private readonly topology: Topology,
    private readonly names: TopicNames,
    private readonly stateDir: string,
    private readonly env: TaskEnvironment,
    private readonly restorer: StoreRestorer,
    /** Global store handles, readable by every task. */
    private readonly globalStores: ReadonlyMap<string, unknown> = new Map(),
  ) {
    for (const sub of topology.subTopologies())
      for (const t of sub.sourceTopics) this.subOfTopic.set(names.resolve(t), sub.id)
  }

  /** Every physical topic the application reads. */
  inputTopics(): string[] {
    return [...this.subOfTopic.keys()]
  }

  taskFor(partition: TopicPartition): ActiveTask | undefined {
    return this.tasks.get(`${this.subOfTopic.get(partition.topic)}_${partition.partition}`)
  }

  /** Hands polled records to their tasks, a run of one partition's records at a time. */
  route(records: readonly ConsumerRecord[]): void {
    let start = 0
    for (let i = 1; i <= records.length; i++) {
      const first = records[start]!
      const next = records[i]
      if (next !== undefined && sameTopicPartition(next, first)) continue
      this.taskFor(first)?.task.push(first, records.slice(start, i))
      start = i
    }
  }

  /** Creates (and restores) the tasks for newly assigned partitions. */
  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    const subs = this.topology.subTopologies()
    for (const tp of partitions) {
      const subId = this.subOfTopic.get(tp.topic)
      if (subId === undefined) continue
      const id = `${subId}_${tp.partition}`
      if (this.tasks.has(id)) continue
      const sub = subs[subId]!
      const stores = await TaskStores.open(this.topology, sub, tp.partition, this.stateDir, this.names, id, {
        logger: this.env.logger,
        ...(this.env.storageProblems === undefined ? {} : { problems: this.env.storageProblems }),
        ...(this.env.lmdbMapSizeBytes === undefined ? {} : { lmdbMapSizeBytes: this.env.lmdbMapSizeBytes }),
      })
      try {
        this.restoring = id
        await stores.restore(this.restorer, this.env.observer)
        const handles = new Map([...this.globalStores, ...timedStores(stores.handles(), this.env.observer)])
        const task = new Task(this.topology, sub, tp.partition, handles, this.env)
        task.initialize()
        this.tasks.set(id, { task, stores })
      } catch (err) {
        await stores.close()
        throw err
      } finally {
        this.restoring = undefined
      }
    }
  }

  /** Ids of the tasks that `partitions` feed. */
  taskIds(partitions: readonly TopicPartition[]): string[] {
    return [
      ...new Set(
        partitions
          .filter((tp) => this.subOfTopic.has(tp.topic))
          .map((tp) => `${this.subOfTopic.get(tp.topic)}_${tp.partition}`),
      ),
    ]
  }

  /** Closes the tasks that lost any of `partitions`. The caller has committed them. */
  async revoke(partitions: readonly TopicPartition[]): Promise<void> {
    const ids = new Set(partitions.map((tp) => `${this.subOfTopic.get(tp.topic)}_${tp.partition}`))
    for (const id of ids) await this.closeTask(id)
  }

  /** Late records so far per `<task id>/<processor>` (tasks closed since included). */
  lateRecordsByProcessor(): Record<string, number> {
    const all = new Map(this.retiredLate)
    for (const { task } of this.tasks.values()) addLate(all, task)
    return Object.fromEntries(all)
  }

  /** The windows late records were dropped from (per task and processor), of live and closed
   *  tasks, as far as remembered. */
  lateWindows(): LateWindow[] {
    const all = new Map(this.retiredWindows)
    for (const { task } of this.tasks.values()) addWindows(all, task)
    return [...all.values()]
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.tasks.keys()]) await this.closeTask(id)
  }

  private async closeTask(id: string): Promise<void> {
    const active = this.tasks.get(id)
    if (active === undefined) return
    this.tasks.delete(id)
    Object.assign(this.retiredMetrics, sumTaskMetrics([this.retiredMetrics, active.task.metrics]))
    addLate(this.retiredLate, active.task)
    addWindows(this.retiredWindows, active.task)
    while (this.retiredWindows.size > RETIRED_WINDOWS_CAP)
      this.retiredWindows.delete(this.retiredWindows.keys().next().value!)
    active.task.close()
    await active.stores.close()
  }
}

function addLate(into: Map<string, number>, task: Task): void {
  for (const [processor, n] of task.late.byProcessor) {
    const key = `${task.id}/${processor}`
    into.set(key, (into.get(key) ?? 0) + n)
  }
}

function addWindows(into: Map<string, LateWindow>, task: Task): void {
  for (const w of task.late.windows()) {
    const key = `${w.task}/${w.processor}@${w.window?.start ?? ''}`
    const known = into.get(key)
    into.set(
      key,
      known === undefined
        ? w
        : {
            ...w,
            records: known.records + w.records,
            maxLatenessMs: Math.max(known.maxLatenessMs, w.maxLatenessMs),
          },
    )
  }
}
