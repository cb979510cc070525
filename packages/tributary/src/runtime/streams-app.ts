import { join } from 'node:path'
import { TributaryError, isTributaryError } from '../errors.ts'
import { EmbeddedLog } from '../log/embedded/index.ts'
import type { Consumer, Isolation, Log, ProducerRecord } from '../log/log.ts'
import { OffsetBeyondEnd } from '../log/offset-beyond-end.ts'
import { silentLogger, type Logger } from '../logger.ts'
import { RetryWindow } from '../retry-window.ts'
import { storageErrorOf } from '../storage-error.ts'
import type { StorageProblems } from '../storage-problems.ts'
import { tpKey } from '../record.ts'
import type { ReadOnlyKeyValueStore } from '../state/key-value-store.ts'
import type { Topology } from '../topology/topology.ts'
import { appTaskEnvironment } from './app-task-environment.ts'
import { AppAlignment } from './app-alignment.ts'
import { GlobalStateManager } from './global-state.ts'
import { stableInstanceId } from './instance-id.ts'
import { LagTracker } from './lag-tracker.ts'
import type { LateWindow } from './late-record-log.ts'
import { OffsetsToCommit, committedAs } from './offsets-to-commit.ts'
import { OutputChannel } from './output-channel.ts'
import { partitionLag, type PartitionLag } from './partition-lag.ts'
import { RepartitionPurge } from './repartition-purge.ts'
import { SettleRequests, caughtUp } from './settle.ts'
import { StorageRetry, type StorageFailureState } from './storage-retry.ts'
import { mergedStoreView } from './merged-store-view.ts'
import { StoreRestorer } from './store-restorer.ts'
import { encodeMemberTasks, streamsAssignor } from './streams-assignor.ts'
import { resolveConfig, type ResolvedConfig, type StreamsConfig } from './streams-config.ts'
import { TaskManager } from './task-manager.ts'
import type { Task } from './task.ts'
import { sumTaskMetrics, type TaskMetrics } from './task-metrics.ts'
import { planTopics, topicNames } from './topic-plan.ts'

export type AppState = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed'

export interface AppMetrics extends TaskMetrics {
  readonly commits: number
  /** Changelog records applied to stores by restores so far (also while one runs). */
  readonly restoredRecords: number
  /** Tasks running (restored and processing). */
  readonly tasks: number
  /** 1 while a newly assigned task restores its stores before processing, else 0. */
  readonly restoringTasks: number
  /** Changelog records the running restore still has to read (0 when none runs). */
  readonly restoreRemaining: number
  /** Times the app recovered from a log failure or a lost rebalance by rewinding its tasks. */
  readonly recoveries: number
  /** Late records (dropped after their window closed) per `<task id>/<processor>`. */
  readonly lateRecordsByProcessor: Readonly<Record<string, number>>
}

/**
 * Runs a topology on a log: one consumer (group = applicationId) feeds the tasks of the assigned
 * partitions, outputs go through one producer, and every `commitIntervalMs` (or on request, revoke
 * and close) the commit writes changelogs, outputs and input offsets — under exactly-once inside
 * one transaction. A fatal error (error policy `fail`, a log failure) stops the app: `done`
 * rejects with it and the open transaction is aborted.
 */
export class StreamsApp {
  private readonly config: ResolvedConfig
  private readonly logger: Logger
  private readonly names
  private log: Log | undefined
  private consumer: Consumer | undefined
  private lag: LagTracker | undefined
  private alignment: AppAlignment | undefined
  private output: OutputChannel | undefined
  private restorer: StoreRestorer | undefined
  private purge: RepartitionPurge | undefined
  private taskManager: TaskManager | undefined
  private globalState: GlobalStateManager | undefined
  private lastCommit = 0
  private commits = 0
  private loop: Promise<void> | undefined
  private finished!: { resolve: () => void; reject: (err: unknown) => void }
  private partitionCounts = new Map<string, number>()
  private instance = ''
  /** Tasks revoked since the last assignment: with eager rebalancing the member owns nothing when
   *  it rejoins, so these are what it tells the assignor it had (stickiness). */
  private readonly revokedTasks = new Set<string>()
  private needsRecovery = false
  /** When the current rebalance revoked tasks (performance.now()); undefined outside one. */
  private rebalanceStarted: number | undefined
  private recoveries = 0
  private readonly settling = new SettleRequests()
  private readonly offsetsToCommit = new OffsetsToCommit()
  private readonly storageWait: StorageRetry
  /** Commits made when the current storage failure began (a later one ends the wait). */
  private commitsAtFailure = 0
  /** Metrics of the task managers a storage retry closed (their counts continue). */
  private readonly carriedMetrics: TaskMetrics[] = []
  state: AppState = 'created'
  /** Resolves when the app has closed; rejects with the error that stopped it. */
  readonly done: Promise<void>

  constructor(
    private readonly topology: Topology,
    config: StreamsConfig,
  ) {
    this.config = resolveConfig(config)
    this.logger = config.logger ?? silentLogger
    this.names = topicNames(this.config.applicationId, topology)
    this.storageWait = new StorageRetry(this.config.storageRetryBackoffMs, this.config.storageRetryTimeoutMs)
    this.done = new Promise((resolve, reject) => (this.finished = { resolve, reject }))
    this.done.catch(() => {}) // observed through `done` by callers who care
  }

  private get eos(): boolean {
    return this.config.processingGuarantee === 'exactly-once'
  }

  private get isolation(): Isolation {
    return this.eos ? 'read_committed' : 'read_uncommitted'
  }

  /** This instance's id (see StreamsConfig.instanceId); known once `start` has begun. */
  get instanceId(): string {
    return this.instance
  }

  private get transactionalId(): string {
    return `${this.config.applicationId}-${this.instance}`
  }

  /** Creates internal topics, joins the group and starts processing; resolves once running. */
  async start(): Promise<void> {
    if (this.state !== 'created')
      throw new TributaryError('CONFIG', `start() called in state ${this.state}; create a new StreamsApp`)
    this.state = 'starting'
    try {
      await this.connect()
    } catch (err) {
      await this.shutdown(err)
      throw err
    }
    this.state = 'running'
    this.lastCommit = Date.now()
    this.loop = this.run()
  }

  /** Opens the log (with storageErrors 'retry', reopening an embedded one a storage failure
   *  stopped), plans the topics, and makes the clients and the task manager; the consumer's
   *  group then assigns the tasks. */
  private async connect(): Promise<void> {
    const { applicationId, dataDir } = this.config
    const stateDir = join(dataDir, 'state', applicationId)
    this.instance = this.config.instanceId ?? stableInstanceId(stateDir)
    const given = this.config.log
    const stopped = given instanceof EmbeddedLog && given.failure !== null
    if (stopped && this.config.storageErrors === 'retry') await given.reopen()
    this.log =
      given ??
      (await EmbeddedLog.open({ dataDir: join(dataDir, 'log'), problems: this.config.storageProblems }))
    const logged = new Map([...this.topology.stores].filter(([, s]) => s.loggingEnabled))
    const dlq =
      this.config.deserializationErrors === 'dead-letter' || this.config.processingErrors === 'dead-letter'
    const plan = await planTopics(
      this.log.admin,
      this.topology,
      this.names,
      {
        loggedStores: logged,
        additionalRetentionMs: this.config.windowStoreChangelogAdditionalRetentionMs,
        warn: (message) => this.logger.warn({}, message),
      },
      dlq ? [this.config.deadLetterTopic] : [],
    )
    this.partitionCounts = new Map(plan.partitions)
    this.purge = RepartitionPurge.of(this.topology, this.names, this.log.admin, this.config, this.logger)
    const producer = await this.log.producer(this.eos ? { transactionalId: this.transactionalId } : {})
    this.output = new OutputChannel(producer, this.eos)
    this.globalState = new GlobalStateManager(this.topology, this.logger)
    await this.globalState.restore(this.log, `${applicationId}-global`)
    this.restorer = new StoreRestorer(this.log, `${applicationId}-restore`, this.logger)
    this.taskManager = new TaskManager(
      this.topology,
      this.names,
      stateDir,
      appTaskEnvironment(this.config, this.logger, this.names, {
        partitionCount: (topic) => this.partitionCounts.get(topic),
        emit: (record) => this.emit(record),
        lagging: (partitions, afterLook) => this.lag?.lagging(partitions, afterLook) ?? false,
        looks: () => this.lag?.looks() ?? 0,
      }),
      this.restorer,
      this.globalState.handles(),
    )
    this.consumer = await this.log.consumer({
      groupId: applicationId,
      isolation: this.isolation,
      autoOffsetReset: 'earliest',
    })
    const consumer = this.consumer
    this.lag = new LagTracker(this.log.admin, this.isolation, (tp) => consumer.position(tp))
    this.alignment = new AppAlignment(this.config, this.log.admin, this.isolation, () => this.lag)
    const tasks = this.taskManager
    await this.consumer.subscribe(tasks.inputTopics(), {
      assignor: streamsAssignor(tasks.subOfTopic),
      userData: () =>
        encodeMemberTasks(this.instance, new Set([...tasks.tasks.keys(), ...this.revokedTasks])),
      listener: {
        onRevoked: async (partitions) => {
          const ids = tasks.taskIds(partitions).filter((id) => tasks.tasks.has(id))
          if (ids.length === 0) return
          this.logger.info({ instance: this.instance, tasks: ids }, 'tasks revoked: committing and closing')
          for (const id of ids) this.revokedTasks.add(id)
          this.rebalanceStarted ??= performance.now()
          if (!this.needsRecovery) await this.commit()
          await tasks.revoke(partitions)
          this.alignment!.assignmentChanged()
        },
        onAssigned: async (partitions) => {
          const ids = tasks.taskIds(partitions).filter((id) => !tasks.tasks.has(id))
          this.logger.info(
            { instance: this.instance, tasks: ids },
            'tasks assigned: restoring, then processing',
          )
          await tasks.assign(partitions)
          this.alignment!.assignmentChanged()
          await this.alignment!.restoreTimes(this.tasks(), consumer, partitions)
          this.revokedTasks.clear()
          if (this.rebalanceStarted !== undefined)
            this.config.observer?.rebalanced?.(performance.now() - this.rebalanceStarted)
          this.rebalanceStarted = undefined
        },
      },
    })
  }

  /** Commits and closes tasks and clients. Safe to call in any state. */
  async close(): Promise<void> {
    if (this.state === 'created') await this.shutdown(undefined) // never started: nothing to commit
    if (this.state === 'running') this.state = 'closing'
    await this.loop
    await this.done.catch(() => {})
  }

  metrics(): AppMetrics {
    const live = [...(this.taskManager?.tasks.values() ?? [])].map((t) => t.task.metrics)
    const sum = sumTaskMetrics([
      ...this.carriedMetrics,
      ...(this.taskManager ? [this.taskManager.retiredMetrics, ...live] : []),
    ])
    const restore = this.restorer?.current
    return {
      ...sum,
      commits: this.commits,
      restoredRecords: this.restorer?.restoredRecords ?? 0,
      tasks: this.taskManager?.tasks.size ?? 0,
      restoringTasks: this.taskManager?.restoring === undefined ? 0 : 1,
      restoreRemaining: restore === undefined ? 0 : Math.max(0, restore.endOffset - restore.position),
      recoveries: this.recoveries,
      lateRecordsByProcessor: this.taskManager?.lateRecordsByProcessor() ?? {},
    }
  }

  /**
   * The windows late records were dropped from, per task and processor, newest window first (at
   * most `limit`; each task remembers its 1024 most recent). What a dashboard shows beside the
   * `lateRecords` metric.
   */
  lateWindows(limit = 100): LateWindow[] {
    const all = this.taskManager?.lateWindows() ?? []
    return all.sort((a, b) => (b.window?.start ?? -Infinity) - (a.window?.start ?? -Infinity)).slice(0, limit)
  }

  /** Lag and lead of this instance's input partitions, read from the log now ([] when not running). */
  async partitionLag(): Promise<PartitionLag[]> {
    if (this.consumer === undefined || this.log === undefined || this.state !== 'running') return []
    return partitionLag(this.consumer, this.log.admin, this.eos ? 'read_committed' : 'read_uncommitted')
  }

  /**
   * Resolves once the app has processed and committed every record in its input partitions at the
   * time of the call, and what that wrote to its own repartition topics, until nothing is left;
   * rejects if the app stops first. It forces commits: meant for test drivers, not for hot paths.
   */
  settle(): Promise<void> {
    if (this.state !== 'running')
      return Promise.reject(new TributaryError('CLOSED', `settle() called in state ${this.state}`))
    return this.settling.request()
  }

  /** With storageErrors 'retry': the storage error the app is waiting out (its commits fail
   *  whole until the disk takes writes again); undefined while commits succeed. */
  get storageFailure(): StorageFailureState | undefined {
    return this.storageWait.failure
  }

  /** Storage problems of this app (and of the embedded log it owns) that no operator has
   *  acknowledged yet: list them, or `acknowledge()` them once seen. */
  get storageProblems(): StorageProblems {
    return this.config.storageProblems
  }

  /** A read-only view over this instance's shards of a store (its local tasks' partitions). */
  store<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    if (!this.topology.stores.has(name) && !this.topology.globalStores.has(name))
      throw new TributaryError('STATE', `no store named ${name}`)
    return mergedStoreView<K, V>(name, () => this.storeShards(name))
  }

  /** The handles of a store in this instance's running tasks (one per local partition; a global
   *  store's one handle), typed as the topology declared them. Empty while no task has it. */
  storeShards(name: string): unknown[] {
    const global = this.globalState?.handles().get(name)
    if (global !== undefined) return [global]
    return [...(this.taskManager?.tasks.values() ?? [])].flatMap((t) => t.stores.handles().get(name) ?? [])
  }

  /**
   * The loop. A recoverable failure (code LOG or TRANSACTION: the broker unreachable, a commit
   * refused because a rebalance gave the tasks to another instance) does not stop the app: the
   * uncommitted work is dropped (transaction aborted, stores' pending writes discarded, tasks
   * closed), and after a backoff the tasks restart from the committed offsets and the changelogs —
   * under exactly-once with a fresh producer. Failures that go on for `taskTimeoutMs`, and all
   * others (FENCED: another live instance has our transactional id; a record under the `fail`
   * policy; a store failure; a storage error such as a full disk, see StorageError; a stored
   * offset beyond the end of its partition, see OffsetBeyondEnd) stop the app.
   */
  private async run(): Promise<void> {
    const retry = new RetryWindow(this.config.taskTimeoutMs)
    while (this.state === 'running') {
      try {
        if (this.needsRecovery) await this.recover()
        await this.step()
        // A backlog on the embedded log is served from memory: without this, the loop would only
        // await resolved promises and starve timers and I/O (/metrics, /health, signals) until
        // the backlog is drained. One macrotask per turn of up to maxPollRecords records.
        await new Promise<void>((resolve) => setImmediate(resolve))
        retry.succeeded()
        if (this.storageWait.failure !== undefined && this.commits > this.commitsAtFailure)
          this.storageRecovered()
      } catch (err) {
        if (this.config.storageErrors === 'retry' && storageErrorOf(err) !== undefined) {
          const fatal = await this.waitForStorage(err)
          if (fatal === undefined) continue
          this.logger.error({ err: String(fatal) }, 'stream processing failed; closing')
          await this.shutdown(fatal)
          return
        }
        if (!retry.failed() || !this.recoverable(err)) {
          this.logger.error({ err: String(err) }, 'stream processing failed; closing')
          await this.shutdown(err)
          return
        }
        this.logger.warn(
          { instance: this.instance, err: String(err), retryInMs: retry.nextWaitMs },
          'log failure: dropping uncommitted work; tasks restart from their last commit',
        )
        this.needsRecovery = true
        await retry.wait()
      }
    }
    try {
      if (this.consumer === undefined) {
        // closed while waiting out a storage failure: nothing is open, nothing to commit
      } else if (this.needsRecovery) await this.dropUncommitted()
      else await this.commit()
      await this.shutdown(undefined)
    } catch (err) {
      this.logger.error({ err: String(err) }, 'final commit failed; closing')
      await this.shutdown(err)
    }
  }

  /**
   * storageErrors 'retry': the commit that met `err` failed whole (nothing of it acknowledged).
   * Drops the uncommitted work, closes tasks and clients (and an owned log), then waits with
   * backoff and connects again, reopening an embedded log the failure stopped, which recovers
   * to what is durable; the tasks restore and resume from their last commit. Resolves undefined
   * once connected again (or when the app is closing), or with the error to stop on: a
   * non-storage error, or `err` once storageRetryTimeoutMs has passed.
   */
  private async waitForStorage(err: unknown): Promise<unknown> {
    const storage = this.storageWait
    if (!storage.failed(err)) return err
    const failure = storage.failure!
    if (failure.attempts === 1) {
      this.commitsAtFailure = this.commits
      const logStopped = this.log instanceof EmbeddedLog && this.log.failure !== null
      if (!logStopped)
        this.config.storageProblems.report('commit-failed', failure.path ?? '', failure.message)
    }
    this.logger.warn(
      { instance: this.instance, errno: failure.errno, path: failure.path, retryInMs: storage.nextWaitMs },
      'storage failure: the commit failed whole, nothing of it is acknowledged; retrying once the disk takes writes again',
    )
    if (this.taskManager !== undefined)
      this.carriedMetrics.push(this.taskManager.retiredMetrics, ...this.tasks().map((t) => t.metrics))
    await this.release(err)
    this.taskManager = this.consumer = this.output = this.globalState = this.restorer = undefined
    this.lag = this.alignment = this.purge = undefined
    if (this.config.log === undefined) this.log = undefined
    this.needsRecovery = false
    for (;;) {
      await storage.wait(() => this.state !== 'running')
      if (this.state !== 'running') return undefined
      try {
        await this.connect()
        this.recoveries++
        return undefined
      } catch (again) {
        if (storageErrorOf(again) === undefined) return again
        await this.release(again)
        this.taskManager = this.consumer = this.output = this.globalState = this.restorer = undefined
        if (!storage.failed(again)) return again
        this.logger.warn(
          { errno: storage.failure!.errno, path: storage.failure!.path, retryInMs: storage.nextWaitMs },
          'storage still failing; retrying',
        )
      }
    }
  }

  /** A commit went through after a storage failure: the wait is over. */
  private storageRecovered(): void {
    const failure = this.storageWait.failure
    this.storageWait.succeeded()
    this.logger.warn(
      { instance: this.instance, errno: failure?.errno, path: failure?.path, attempts: failure?.attempts },
      'storage accepts writes again: committing as before',
    )
  }

  private recoverable(err: unknown): boolean {
    if (storageErrorOf(err) !== undefined || err instanceof OffsetBeyondEnd) return false
    return isTributaryError(err, 'LOG') || isTributaryError(err, 'TRANSACTION')
  }

  /** Aborts the open transaction and discards every task's uncommitted state and output. */
  private async dropUncommitted(): Promise<void> {
    for (const { stores } of this.taskManager?.tasks.values() ?? []) stores.abort()
    await this.output?.abort()
  }

  /** Drops uncommitted work, then reopens the assigned tasks at their committed offsets. */
  private async recover(): Promise<void> {
    const tasks = this.taskManager!
    const consumer = this.consumer!
    await this.dropUncommitted()
    await tasks.closeAll()
    if (this.eos) {
      // The old producer may be mid-request or its transaction in an unknown state; a new one with
      // the same id bumps the epoch, which also aborts whatever transaction is still open.
      const old = this.output
      this.output = undefined
      await old?.producer.close().catch(() => undefined)
      this.output = new OutputChannel(
        await this.log!.producer({ transactionalId: this.transactionalId }),
        true,
      )
    }
    const assigned = consumer.assignment()
    if (assigned.length > 0) {
      const committed = await consumer.committed(assigned)
      const fresh = assigned.filter((tp) => !committed.some((c) => tpKey(c) === tpKey(tp)))
      const beginning = fresh.length > 0 ? await this.log!.admin.beginningOffsets(fresh) : []
      for (const o of [...committed, ...beginning]) consumer.seek(o, o.offset)
      await tasks.assign(assigned)
      this.alignment!.assignmentChanged()
      await this.alignment!.restoreTimes(this.tasks(), consumer, assigned, committed)
    }
    this.needsRecovery = false
    this.recoveries++
    this.logger.info({ instance: this.instance, tasks: [...tasks.tasks.keys()] }, 'recovered')
  }

  /** One poll-process-send turn, then a commit when due. */
  private async step(): Promise<void> {
    this.settling.startTurn()
    await this.globalState!.poll()
    const polling = performance.now()
    const records = await this.consumer!.poll({
      maxRecords: this.config.maxPollRecords,
      timeoutMs: this.alignment!.pollMs,
    })
    this.config.observer?.polled?.(performance.now() - polling, records.length)
    this.taskManager!.route(records)
    const tasks = this.tasks()
    this.alignment!.process(tasks, this.consumer!)
    let commitRequested = false
    for (const task of tasks) {
      task.punctuateWallClock(this.config.clock())
      if (task.commitRequested) {
        commitRequested = true
        task.commitRequested = false
      }
    }
    await this.output!.send()
    await this.lag?.refresh(Date.now())
    await this.alignment!.refresh(
      this.taskManager!.subOfTopic,
      (topic) => this.partitionCounts.get(topic) ?? 0,
      this.consumer!,
    )
    if (this.settling.due) await this.settleTurn()
    else if (commitRequested || this.alignment!.commitDue(Date.now() - this.lastCommit)) await this.commit()
  }

  private tasks(): Task[] {
    return [...(this.taskManager?.tasks.values() ?? [])].map((t) => t.task)
  }

  /** Commits, then answers the settle() calls made before this turn if nothing is left to do. */
  private async settleTurn(): Promise<void> {
    await this.commit()
    const done = await caughtUp({
      consumer: this.consumer!,
      tasks: this.taskManager!,
      output: this.output!,
      globalState: this.globalState!,
      admin: this.log!.admin,
      isolation: this.isolation,
    })
    if (done) this.settling.resolveDue()
  }

  /** Every record the app writes goes through here: outputs, repartitions, changelogs, DLQ. */
  private emit(record: ProducerRecord): void {
    this.config.observer?.recordSent?.(record.topic, record.timestamp ?? Date.now())
    this.output!.emit(record)
  }

  /** Changelogs, outputs and input offsets; then the stores' backends. */
  private async commit(): Promise<void> {
    const started = performance.now()
    this.lastCommit = Date.now()
    const tasks = [...(this.taskManager?.tasks.values() ?? [])]
    const offsets = this.offsetsToCommit.collect(
      tasks.map((t) => t.task),
      this.consumer!,
    )
    const output = this.output
    if (output === undefined) return
    for (const t of tasks) for (const record of t.stores.changelogRecords(this.lastCommit)) this.emit(record)
    if (offsets.length === 0 && !output.hasWork()) return
    const sent = await output.send()
    if (this.eos) {
      await output.commitTransaction(
        offsets.length > 0
          ? committedAs(this.consumer!, this.config.applicationId)
          : this.config.applicationId,
        offsets,
      )
    } else if (offsets.length > 0) {
      await this.consumer!.commit(offsets)
    }
    this.offsetsToCommit.done(offsets)
    this.alignment?.committed()
    for (const t of tasks) await t.stores.commit(sent)
    this.commits++
    this.config.observer?.committed?.(performance.now() - started)
    await this.purge?.afterCommit(offsets, this.lastCommit)
  }

  /** Releases everything; `error` marks a failure (the open transaction is aborted, pending state dropped). */
  private async shutdown(error: unknown): Promise<void> {
    await this.release(error)
    this.state = error === undefined ? 'closed' : 'failed'
    this.settling.rejectAll(error ?? new TributaryError('CLOSED', 'the app closed before it settled'))
    if (error === undefined) this.finished.resolve()
    else this.finished.reject(error)
  }

  /** Closes tasks, clients and an owned log (after `error`, without committing anything). */
  private async release(error: unknown): Promise<void> {
    const tasks = [...(this.taskManager?.tasks.values() ?? [])]
    if (error !== undefined) {
      await this.output?.abort()
      tasks.forEach((t) => t.stores.abort())
    }
    const steps = [
      () => this.taskManager?.closeAll(),
      () => this.globalState?.close(),
      () => this.consumer?.close(),
      () => this.output?.producer.close(),
      () => this.restorer?.close(),
      () => (this.config.log === undefined ? this.log?.close() : undefined),
    ]
    for (const step of steps)
      await Promise.resolve(step()).catch((err) =>
        this.logger.warn({ err: String(err) }, 'error while closing'),
      )
  }
}
